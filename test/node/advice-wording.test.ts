// The core names no setting of the Worker and no flag of the tool: it returns advice as data, and
// each caller words it in its own terms (src/http/advice.ts for the Worker's settings, cli/verify.ts
// for the command-line flags).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adviceForCli } from '../../cli/verify';
import type { Advice } from '../../src/alipay/types';
import { SETTING_NAMES } from '../../src/config/names';
import { adviceForGateway } from '../../src/http/advice';

// One of every kind; `satisfies` fails the build when a kind is added without a sample here.
const SAMPLES = {
  'accept-sign-type': { kind: 'accept-sign-type', signType: 'RSA', accepted: ['RSA2'] },
  'accept-public-key-sign-type': { kind: 'accept-public-key-sign-type', accepted: ['MD5'] },
  'configure-public-key': { kind: 'configure-public-key' },
  'check-public-key': { kind: 'check-public-key' },
  'configure-md5-key': { kind: 'configure-md5-key' },
  'check-md5-key': { kind: 'check-md5-key' },
  'check-app-id': { kind: 'check-app-id' },
  'configure-seller-id': { kind: 'configure-seller-id' },
  'check-seller-id': { kind: 'check-seller-id' },
  'check-max-age': { kind: 'check-max-age' },
} as const satisfies { [K in Advice['kind']]: Extract<Advice, { kind: K }> };

const SETTING = new RegExp(`\\b(?:${SETTING_NAMES.join('|')})\\b`);
const FLAG = /--(?:sign-types|key|md5-key-file|app-id|seller-id|max-age)\b/;

describe('advice', () => {
  it.each(Object.values(SAMPLES).map((a) => [a.kind, a] as const))('%s: the Worker names its settings, the tool its flags', (_kind, advice) => {
    const gateway = adviceForGateway(advice);
    const cli = adviceForCli(advice);
    expect(gateway).toMatch(SETTING);
    expect(gateway).not.toMatch(FLAG);
    expect(cli).toMatch(FLAG);
    expect(cli).not.toMatch(SETTING);
  });

  it('accepting a sign type: each says how, in its own terms', () => {
    const advice = SAMPLES['accept-sign-type'];
    expect(adviceForGateway(advice)).toMatch(/ALIPAY_SIGN_TYPES is RSA2: if your Alipay app really signs with RSA, add it to ALIPAY_SIGN_TYPES/);
    expect(adviceForCli(advice)).toMatch(/--sign-types is RSA2: if your Alipay app really signs with RSA, check it with --sign-types RSA2,RSA/);
  });
});

// The reconciliation files (Alipay's OpenAPI client, the app private key) still word their
// diagnostics in the Worker's settings. Listed so that no other file starts naming one, and so
// that the list can only shrink: a file fixed here must leave it.
const STILL_NAMING_SETTINGS = new Set(['private-key.ts', 'query-client.ts', 'query-response.ts', 'request-certs.ts', 'signed-response.ts']);

describe('the pure core', () => {
  it('names no setting of the Worker in src/alipay', () => {
    const dir = fileURLToPath(new URL('../../src/alipay/', import.meta.url));
    const naming = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && SETTING.test(readFileSync(`${dir}${f}`, 'utf8')))
      .sort();
    expect(naming.filter((f) => !STILL_NAMING_SETTINGS.has(f))).toEqual([]);
    expect(naming).toEqual([...STILL_NAMING_SETTINGS].sort());
  });
});
