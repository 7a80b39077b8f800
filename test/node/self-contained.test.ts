// A clone of this repository alone must work: no file may read or link anything beside it (the
// design notes and vectors it grew from are not shipped with it). Every tracked text file is checked.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BINARY = /\.(png|jpe?g|gif|webp|ico|woff2?|ttf|pdf)$/i;
// The folders that stand beside the repository where it was grown (design notes and vectors, tools),
// named by a parent-directory path (`..` once or more, then the name) or by their absolute place.
// Built from parts so that this file, which must name them, does not itself contain such a path
// and is checked like every other file. Any other relative path climbing above the file's own
// depth is caught below, for links and imports.
const BESIDE = ['shared', '.library', '.mirror'];
const UP = '../';
const names = BESIDE.map((name) => name.replace('.', '\\.')).join('|');
const OUTSIDE_NAMES = new RegExp(`(?:\\.\\./)+(?:${names})\\b|/work/(?:${names})\\b`);

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
    const offenders = files.filter((f) => OUTSIDE_NAMES.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('no link, import or URL climbs out of the repository', () => {
    const offenders = files.flatMap((f) => escapingPaths(f, readFileSync(join(ROOT, f), 'utf8')).map((p) => `${f}: ${p}`));
    expect(offenders).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    expect(OUTSIDE_NAMES.test(`see ${UP}${BESIDE[0]}/DESIGN.md`)).toBe(true);
    expect(OUTSIDE_NAMES.test(`glob('${UP.repeat(3)}${BESIDE[0]}/vectors/*.json')`)).toBe(true);
    expect(OUTSIDE_NAMES.test(`${UP}${BESIDE[1]}/README.md`)).toBe(true);
    expect(OUTSIDE_NAMES.test(`/work/${BESIDE[2]}/x`)).toBe(true);
    expect(OUTSIDE_NAMES.test('src/shared-secret.ts and docs/library.md')).toBe(false);
    expect(escapingPaths('README.md', '[design](../DESIGN.md)')).toEqual(['../DESIGN.md']);
    expect(escapingPaths('test/a.test.ts', "import x from '../../elsewhere/x'")).toEqual(['../../elsewhere/x']);
    expect(escapingPaths('test/a.test.ts', "import x from '../src/x'")).toEqual([]);
  });
});
