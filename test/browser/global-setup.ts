// One stack for the browser tests (wrangler's start-up is the slow part); each test uses orders
// of its own. The browser itself is launched per file (test/browser/browser.ts).
import type { TestProject } from 'vitest/node';
import { missingPackages } from '../../scripts/install-browser.mjs';
import { startBrowserStack, type BrowserStackInfo } from './stack';

declare module 'vitest' {
  export interface ProvidedContext {
    browserStack: BrowserStackInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = missingPackages();
  if (missing.length > 0) {
    throw new Error(`the browser tests need ${missing.join(' and ')}: run \`node scripts/install-browser.mjs\` (as root), or set CHROMIUM_PATH`);
  }
  const stack = await startBrowserStack();
  project.provide('browserStack', stack.info);
  return () => stack.stop();
}
