// A throwaway project for driving `init` end to end: a temp folder holding a copy of this repo's
// wrangler.toml (plus lines a merchant might have added), links to src/ and node_modules/ (so the
// real `wrangler deploy --dry-run` can bundle it), the stand-in wrangler, key files outside the
// project, and a way to run `node cli/bin.mjs init ...` there.

import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, startCli, type CliRun, type StartedCli } from './cli-run';
import { installWranglerStandin, type Standin, type StandinOptions } from './wrangler-standin';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** What a merchant may have added to wrangler.toml: init must keep all of it. */
export const MERCHANT_LINES = {
  comment: '# our ops team: ping @wang before changing this file',
  rootKey: 'logpush = false # merchant setting',
  table: '[placement]\nmode = "smart"',
};

export interface KeyPairFiles {
  publicPem: string;
  privatePem: string;
  /** The bare base64 SPKI: what the gateway's ALIPAY_PUBLIC_KEY value is made of. */
  spkiBase64: string;
}

export interface InitProject {
  root: string;
  dir: string;
  tomlPath: string;
  standin: Standin;
  /** Writes a file outside the project (keys, secret files) and returns its path. */
  outside(name: string, text: string): Promise<string>;
  keyPair(name: string): Promise<KeyPairFiles>;
  run(args: string[], options?: { stdin?: string; env?: Record<string, string> }): Promise<CliRun>;
  /** `init` started, for a test that acts while it runs. */
  start(args: string[], options?: { stdin?: string; env?: Record<string, string> }): StartedCli;
  /** Every regular file in the project (links to src/ and node_modules/ not followed), as text. */
  files(): Promise<{ path: string; text: string }[]>;
  remove(): Promise<void>;
}

export async function makeInitProject(options: StandinOptions = {}): Promise<InitProject> {
  const root = await mkdtemp(join(tmpdir(), 'init-project-'));
  const dir = join(root, 'shop-gateway');
  await mkdir(dir);
  const toml = await readFile(join(REPO, 'wrangler.toml'), 'utf8');
  const withMerchantLines = toml
    .replace(/^(compatibility_date = .*)$/m, `$1\n${MERCHANT_LINES.rootKey}`)
    .replace(/^\[vars\]$/m, `${MERCHANT_LINES.comment}\n[vars]`)
    .concat(`\n${MERCHANT_LINES.table}\n`);
  const tomlPath = join(dir, 'wrangler.toml');
  await writeFile(tomlPath, withMerchantLines);
  await symlink(join(REPO, 'src'), join(dir, 'src'));
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  const standin = await installWranglerStandin(root, options);

  const outside = async (name: string, text: string) => {
    const path = join(root, name);
    await writeFile(path, text);
    return path;
  };
  return {
    root,
    dir,
    tomlPath,
    standin,
    outside,
    async keyPair(name) {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const publicPem = await outside(`${name}-public.pem`, publicKey.export({ type: 'spki', format: 'pem' }).toString());
      const privatePem = await outside(`${name}-private.pem`, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      return { publicPem, privatePem, spkiBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
    },
    run(args, runOptions = {}) {
      return runCli(['init', ...args], { cwd: dir, env: { ...standin.env, LANG: 'C', LC_ALL: '', ...runOptions.env }, stdin: runOptions.stdin });
    },
    start(args, runOptions = {}) {
      return startCli(['init', ...args], { cwd: dir, env: { ...standin.env, LANG: 'C', LC_ALL: '', ...runOptions.env }, ...(runOptions.stdin !== undefined ? { stdin: runOptions.stdin } : {}) });
    },
    async files() {
      const out: { path: string; text: string }[] = [];
      const walk = async (at: string) => {
        for (const entry of await readdir(at, { withFileTypes: true })) {
          const path = join(at, entry.name);
          if (entry.isDirectory()) await walk(path);
          else if (entry.isFile()) out.push({ path, text: await readFile(path, 'latin1') });
        }
      };
      await walk(dir);
      return out;
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
