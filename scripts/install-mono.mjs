#!/usr/bin/env node
// Installs what test/node/aspnet-example.test.ts needs to compile and run the ASP.NET example
// (examples/aspnet/*.cs) on Linux: Debian's Mono C# compiler, System.Web (the handler implements
// IHttpHandler), and I18N.CJK (code page 936, GBK, which .NET Framework on Windows has built in).
// Does nothing when they are there; otherwise, as root, apt-get installs them
// (scripts/apt-install.mjs). Not root, or not Debian/Ubuntu: prints what to do and exits 1.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { installDebianPackages } from './apt-install.mjs';

/** What the test runs and references, by the package that brings each. */
const NEEDED = [
  ['mono-mcs', '/usr/bin/mcs'],
  ['mono-runtime', '/usr/bin/mono'],
  ['libmono-system-web4.0-cil', '/usr/lib/mono/4.5/System.Web.dll'],
  ['libmono-i18n-cjk4.0-cil', '/usr/lib/mono/4.5/I18N.CJK.dll'],
];

/** What is missing, as package names (empty: nothing to do). */
export function missingMonoPackages() {
  return NEEDED.filter(([, path]) => !existsSync(path)).map(([name]) => name);
}

export function installMono() {
  return installDebianPackages({
    tag: 'install-mono',
    packages: NEEDED.map(([name]) => name),
    missing: missingMonoPackages,
    ready: 'Mono (mcs, System.Web, I18N.CJK)',
    elsewhere: 'elsewhere install Mono with System.Web and I18N.CJK yourself.',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(installMono());
