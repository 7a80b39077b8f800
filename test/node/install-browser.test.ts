// scripts/install-browser.mjs decides from the file system alone whether anything is missing, and
// installs nothing when CHROMIUM_PATH names the browser to use.
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumPath, DEBIAN_CHROMIUM, installBrowser, missingPackages } from '../../scripts/install-browser.mjs';

const saved = process.env['CHROMIUM_PATH'];
afterEach(() => {
  if (saved === undefined) delete process.env['CHROMIUM_PATH'];
  else process.env['CHROMIUM_PATH'] = saved;
});

describe('install-browser', () => {
  it('uses the Debian binary (not the /usr/bin wrapper) unless CHROMIUM_PATH says otherwise', () => {
    delete process.env['CHROMIUM_PATH'];
    expect(chromiumPath()).toBe(DEBIAN_CHROMIUM);
    expect(DEBIAN_CHROMIUM).toBe('/usr/lib/chromium/chromium');
    process.env['CHROMIUM_PATH'] = process.execPath;
    expect(chromiumPath()).toBe(process.execPath);
  });

  it('with CHROMIUM_PATH pointing at a file, nothing is missing and nothing is installed', () => {
    process.env['CHROMIUM_PATH'] = process.execPath;
    expect(missingPackages()).toEqual([]);
    expect(installBrowser()).toBe(0);
  });

  it('with CHROMIUM_PATH pointing nowhere, it says so and installs nothing', () => {
    process.env['CHROMIUM_PATH'] = '/nonexistent/chromium';
    expect(missingPackages()).toEqual(['CHROMIUM_PATH']);
    expect(installBrowser()).toBe(1);
  });
});
