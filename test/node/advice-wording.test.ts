// The core names no setting of the Worker and no flag of the tool: it returns advice as data, and
// each caller words it in its own terms (src/config/advice.ts for the Worker's settings, cli/advice.ts
// for the command-line flags).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adviceForCli } from '../../cli/advice';
import type { Advice, SetupAdvice, SetupPlace } from '../../src/alipay/types';
import { SETTING_NAMES } from '../../src/config/names';
import { adviceForGateway } from '../../src/config/advice';

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
  'update-alipay-cert': { kind: 'update-alipay-cert', sn: '0123456789abcdef0123456789abcdef' },
  'check-public-key-environment': { kind: 'check-public-key-environment' },
} as const satisfies { [K in Advice['kind']]: Extract<Advice, { kind: K }> };

// The setup for asking Alipay is the Worker's alone: worded in its settings only.
const SETUP_SAMPLES = {
  'belongs-in': { kind: 'belongs-in', place: 'root-cert' },
  'check-gateway-url': { kind: 'check-gateway-url' },
  'check-app-public-key': { kind: 'check-app-public-key' },
  'check-app-environment': { kind: 'check-app-environment' },
  'check-request-certs': { kind: 'check-request-certs' },
} as const satisfies { [K in SetupAdvice['kind']]: Extract<SetupAdvice, { kind: K }> };

const PLACES = {
  'alipay-public-key': 'ALIPAY_PUBLIC_KEY',
  'app-private-key': 'ALIPAY_APP_PRIVATE_KEY',
  'app-cert': 'ALIPAY_APP_CERT',
  'root-cert': 'ALIPAY_ROOT_CERT',
  'app-or-root-cert': 'ALIPAY_APP_CERT or ALIPAY_ROOT_CERT',
  'forward-secret': 'FORWARD_SECRET',
  'alert-secret': 'ALERT_SECRET',
  'md5-key': 'ALIPAY_MD5_KEY',
} as const satisfies Record<SetupPlace, string>;

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

  it.each(Object.values(SETUP_SAMPLES).map((a) => [a.kind, a] as const))('%s (setup): the Worker names its settings', (_kind, advice) => {
    expect(adviceForGateway(advice)).toMatch(SETTING);
    expect(adviceForGateway(advice)).not.toMatch(FLAG);
  });

  it.each(Object.entries(PLACES))('material that belongs in %s is sent there by name', (place, setting) => {
    expect(adviceForGateway({ kind: 'belongs-in', place: place as SetupPlace })).toContain(`It belongs in ${setting}`);
  });

  it('an unknown certificate SN: each names the SN and where the renewed certificate goes', () => {
    const advice = SAMPLES['update-alipay-cert'];
    expect(adviceForGateway(advice)).toMatch(/alipayCertPublicKey_RSA2\.crt \(SN 0123456789abcdef0123456789abcdef\) to ALIPAY_PUBLIC_KEY/);
    expect(adviceForCli(advice)).toMatch(/--key holding the new alipayCertPublicKey_RSA2\.crt \(SN 0123456789abcdef0123456789abcdef\)/);
  });

  it('accepting a sign type: each says how, in its own terms', () => {
    const advice = SAMPLES['accept-sign-type'];
    expect(adviceForGateway(advice)).toMatch(/ALIPAY_SIGN_TYPES is RSA2: if your Alipay app really signs with RSA, add it to ALIPAY_SIGN_TYPES/);
    expect(adviceForCli(advice)).toMatch(/--sign-types is RSA2: if your Alipay app really signs with RSA, check it with --sign-types RSA2,RSA/);
  });
});

describe('the pure core', () => {
  it('names no setting of the Worker in src/alipay', () => {
    const dir = fileURLToPath(new URL('../../src/alipay/', import.meta.url));
    const naming = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && SETTING.test(readFileSync(`${dir}${f}`, 'utf8')))
      .sort();
    expect(naming).toEqual([]);
  });
});
