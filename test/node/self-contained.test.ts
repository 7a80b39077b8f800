// A clone of this repository alone must work: no file may read or link anything beside it (the
// design notes and vectors it grew from are not shipped with it). Every tracked text file is checked.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BINARY = /\.(png|jpe?g|gif|webp|ico|woff2?|ttf|pdf)$/i;
// A parent-directory path that leaves the repository: `../shared`, `../../shared/...`, or any
// relative path climbing above the file's own depth (checked below for links and imports).
const OUTSIDE_NAMES = /(?:\.\.\/)+(?:shared|\.library|\.mirror)\b|\/work\/(?:shared|\.library|\.mirror)\b/;

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && !BINARY.test(f) && f !== 'package-lock.json');
}

/** Relative paths in markdown links and import specifiers that climb above the repository root. */
function escapingPaths(file: string, text: string): string[] {
  const depth = file.split('/').length - 1;
  const found: string[] = [];
  const patterns = [/\]\((\.\.\/[^)\s]*)\)/g, /from\s+['"](\.\.\/[^'"]+)['"]/g, /import\(\s*['"](\.\.\/[^'"]+)['"]/g, /new URL\(\s*['"](\.\.\/[^'"]+)['"]/g];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const ups = match[1]!.match(/^(?:\.\.\/)+/)![0].length / 3;
      if (ups > depth) found.push(match[1]!);
    }
  }
  return found;
}

describe('the repository stands on its own', () => {
  const files = trackedFiles();

  it('finds the files to check', () => {
    expect(files).toContain('README.md');
    expect(files.length).toBeGreaterThan(50);
  });

  it('no file names the folders beside the repository', () => {
    const offenders = files.filter((f) => f !== 'test/node/self-contained.test.ts' && OUTSIDE_NAMES.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('no link, import or URL climbs out of the repository', () => {
    const offenders = files.flatMap((f) => escapingPaths(f, readFileSync(join(ROOT, f), 'utf8')).map((p) => `${f}: ${p}`));
    expect(offenders).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    expect(OUTSIDE_NAMES.test('see ../shared/DESIGN.md')).toBe(true);
    expect(OUTSIDE_NAMES.test("glob('../../../shared/vectors/*.json')")).toBe(true);
    expect(escapingPaths('README.md', '[design](../DESIGN.md)')).toEqual(['../DESIGN.md']);
    expect(escapingPaths('test/a.test.ts', "import x from '../../elsewhere/x'")).toEqual(['../../elsewhere/x']);
    expect(escapingPaths('test/a.test.ts', "import x from '../src/x'")).toEqual([]);
  });
});
