// One stack (test origin + `wrangler dev`) for the whole end-to-end suite: wrangler's start-up
// is the slow part, and every test uses orders of its own, so they can share it.
import type { TestProject } from 'vitest/node';
import { startStack, type StackInfo } from './harness';

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: StackInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startStack();
  project.provide('e2e', stack.info);
  return () => stack.stop();
}
