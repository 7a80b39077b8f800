// The reconciliation and alert settings: ALIPAY_APP_PRIVATE_KEY (and what it must not be),
// ALIPAY_GATEWAY_URL, certificate mode's ALIPAY_APP_CERT / ALIPAY_ROOT_CERT, RECONCILE_SCHEDULE,
// ALERT_URL / ALERT_FORMAT / ALERT_SECRET; and what /health shows of them (nothing secret).
import { beforeAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../src/config/reader';
import { loadConfig } from '../src/config/load';
import type { ConfigEnv } from '../src/config/names';
import { healthResponse } from '../src/http/health';
import { TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM, TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64 } from './fixtures/gateway-test-keys';
import { TEST_ONLY_ALIPAY_CERT_PEM, TEST_ONLY_APP_CERT_PEM, TEST_ONLY_APP_PRIVATE_KEY_PEM, TEST_ONLY_ROOT_CERT_PEM } from './fixtures/reconcile-test-keys';
import { pemBody, publicKeyOfPem } from './support/alipay-gateway';
import { base64 } from './support/encoding';

interface CertSnVector {
  app_cert_pem: string;
  alipay_root_cert_pem: string;
  alipay_public_cert_pem: string;
}
const certVector = Object.values(import.meta.glob('./fixtures/vectors/certsn_node_antcertutil.json', { eager: true, import: 'default' }))[0] as CertSnVector;

let appPublicKey = '';
let appFingerprint = '';

beforeAll(async () => {
  appPublicKey = await publicKeyOfPem(TEST_ONLY_APP_PRIVATE_KEY_PEM);
  appFingerprint = [...new Uint8Array(await crypto.subtle.digest('SHA-256', Uint8Array.from(atob(appPublicKey), (c) => c.charCodeAt(0))))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
});

function env(overrides: Partial<Record<keyof ConfigEnv, string>> = {}): ConfigEnv {
  return {
    ALIPAY_PUBLIC_KEY: TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64,
    ALIPAY_APP_ID: '2021000000000001',
    ORIGIN_URL: 'https://shop.example.com/alipay/notify_url.asp',
    FORWARD_SECRET: 'whsec_+6EDSyd9Gg76mHy2XU31xZKzl+rsyntexxsi5KTgIPY=',
    ...overrides,
  };
}

async function problems(e: ConfigEnv): Promise<string[]> {
  const result = await loadConfig(e);
  if (result.ok) throw new Error('expected problems');
  return result.problems.map(formatProblem);
}

async function config(e: ConfigEnv) {
  const result = await loadConfig(e);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join(' | '));
  return result.config;
}

describe('reconciliation settings', () => {
  it('are off without ALIPAY_APP_PRIVATE_KEY, with the defaults shown', async () => {
    const c = await config(env());
    expect(c.reconcile).toBeNull();
    expect(c.summary.reconcile).toEqual({
      enabled: false,
      gateway: 'https://openapi.alipay.com/gateway.do',
      appPublicKeyFingerprint: null,
      certificateMode: false,
      schedule: ['30s', '2m', '5m', '15m', '1h', '3h', '12h'],
    });
  });

  it.each([
    ['PKCS#8 PEM', () => TEST_ONLY_APP_PRIVATE_KEY_PEM],
    ['PKCS#8 bare base64 (as Alipay\'s key tool shows it)', () => base64(pemBody(TEST_ONLY_APP_PRIVATE_KEY_PEM))],
    ['PEM on one line with literal \\n escapes', () => TEST_ONLY_APP_PRIVATE_KEY_PEM.trim().replace(/\n/g, '\\n')],
    ['bare base64 wrapped over lines, in quotes', () => `"${base64(pemBody(TEST_ONLY_APP_PRIVATE_KEY_PEM)).replace(/(.{64})/g, '$1\n')}"`],
  ])('are on with the app private key as %s; /health shows its public fingerprint and no key material', async (_name, key) => {
    const c = await config(env({ ALIPAY_APP_PRIVATE_KEY: key() }));
    expect(c.reconcile).not.toBeNull();
    expect(c.reconcile!.appPrivateKey.publicFingerprint).toBe(appFingerprint);
    expect(c.reconcile!.appPrivateKey.signingKey.usages).toEqual(['sign']);
    expect(c.reconcile!.appPrivateKey.signingKey.extractable).toBe(false);
    expect(c.reconcile!.gatewayUrl).toBe('https://openapi.alipay.com/gateway.do');
    expect(c.reconcile!.certificates).toBeNull();
    const health = await healthResponse(await loadConfig(env({ ALIPAY_APP_PRIVATE_KEY: key() }))).text();
    expect(JSON.parse(health).reconcile).toMatchObject({ enabled: true, appPublicKeyFingerprint: appFingerprint });
    const body = base64(pemBody(TEST_ONLY_APP_PRIVATE_KEY_PEM));
    for (let i = 0; i + 24 <= body.length; i += 200) expect(health).not.toContain(body.slice(i, i + 24));
  });

  it('refuses Alipay\'s pair: a private key whose public half is ALIPAY_PUBLIC_KEY', async () => {
    const [p] = await problems(env({ ALIPAY_APP_PRIVATE_KEY: TEST_ONLY_ALIPAY_PRIVATE_KEY_PEM }));
    expect(p).toMatch(/^ALIPAY_APP_PRIVATE_KEY: an RSA-2048 private key .* whose public half .* is the configured Alipay public key.*Check that ALIPAY_PUBLIC_KEY is the Alipay public key/);
    expect(p).toMatch(/app public key \(应用公钥\) instead of the Alipay public key/);
  });

  it('names a public key pasted in place of the private key, and says when it is the Alipay key', async () => {
    const [same] = await problems(env({ ALIPAY_APP_PRIVATE_KEY: TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64 }));
    expect(same).toMatch(/^ALIPAY_APP_PRIVATE_KEY: an RSA-2048 public key: the Alipay public key already configured/);
    const [app] = await problems(env({ ALIPAY_APP_PRIVATE_KEY: appPublicKey }));
    expect(app).toMatch(/an RSA-2048 public key \(fingerprint [0-9a-f]{16}…\), perhaps your app public key \(应用公钥\): a public key cannot sign/);
  });

  it('needs the Alipay public key (to verify answers) and an app id', async () => {
    expect(await problems(env({ ALIPAY_PUBLIC_KEY: '', ALIPAY_SIGN_TYPES: 'MD5', ALIPAY_MD5_KEY: 'k'.repeat(32), ALIPAY_APP_PRIVATE_KEY: TEST_ONLY_APP_PRIVATE_KEY_PEM }))).toEqual([
      expect.stringMatching(/^ALIPAY_APP_PRIVATE_KEY: set, but Alipay's answers are verified with ALIPAY_PUBLIC_KEY/),
    ]);
    expect(await problems(env({ ALIPAY_APP_ID: '', ALIPAY_SELLER_ID: '2088000000000002', ALIPAY_APP_PRIVATE_KEY: TEST_ONLY_APP_PRIVATE_KEY_PEM }))).toEqual([
      expect.stringMatching(/^ALIPAY_APP_ID: required with ALIPAY_APP_PRIVATE_KEY/),
    ]);
  });

  it.each([
    ['https://openapi-sandbox.dl.alipaydev.com/gateway.do', null],
    ['http://127.0.0.1:8789/gateway.do', null],
    ['https://openapi.alipaydev.com/gateway.do', /old sandbox address/],
    ['https://alipay.example.com/gateway.do', /not Alipay's gateway/],
  ])('ALIPAY_GATEWAY_URL %s is accepted', async (url, warning) => {
    const c = await config(env({ ALIPAY_APP_PRIVATE_KEY: TEST_ONLY_APP_PRIVATE_KEY_PEM, ALIPAY_GATEWAY_URL: url }));
    expect(c.reconcile!.gatewayUrl).toBe(url);
    if (warning) expect(c.summary.warnings).toEqual([expect.stringMatching(warning)]);
    else expect(c.summary.warnings).toEqual([]);
  });

  it.each([
    ['http://openapi.alipay.com/gateway.do', /must use https/],
    ['openapi.alipay.com/gateway.do', /not an absolute URL .*sandbox: https:\/\/openapi-sandbox/],
    ['https://user:pw@openapi.alipay.com/gateway.do', /user name or password/],
    ['ftp://openapi.alipay.com/gateway.do', /not ftp/],
  ])('ALIPAY_GATEWAY_URL %s is refused, even while reconciliation is off', async (url, message) => {
    const [p] = await problems(env({ ALIPAY_GATEWAY_URL: url }));
    expect(p).toMatch(/^ALIPAY_GATEWAY_URL: /);
    expect(p).toMatch(message);
  });

  it('ALIPAY_GATEWAY_URL in quotes is the URL; with a user name or password it says why not', async () => {
    const c = await config(env({ ALIPAY_APP_PRIVATE_KEY: TEST_ONLY_APP_PRIVATE_KEY_PEM, ALIPAY_GATEWAY_URL: '"https://openapi.alipay.com/gateway.do"' }));
    expect(c.reconcile!.gatewayUrl).toBe('https://openapi.alipay.com/gateway.do');
    expect(await problems(env({ ALIPAY_GATEWAY_URL: 'https://user:pw@openapi.alipay.com/gateway.do' }))).toEqual([
      'ALIPAY_GATEWAY_URL: must not carry a user name or password (fetch does not send them)',
    ]);
  });

  it('RECONCILE_SCHEDULE is parsed like RETRY_SCHEDULE', async () => {
    const c = await config(env({ ALIPAY_APP_PRIVATE_KEY: TEST_ONLY_APP_PRIVATE_KEY_PEM, RECONCILE_SCHEDULE: '2s, 5s,10s,30s' }));
    expect(c.reconcile!.scheduleMs).toEqual([2_000, 5_000, 10_000, 30_000]);
    expect(c.summary.reconcile.schedule).toEqual(['2s', '5s', '10s', '30s']);
    expect(await problems(env({ RECONCILE_SCHEDULE: '30s,soon' }))).toEqual([expect.stringMatching(/^RECONCILE_SCHEDULE: entry 2 "soon" is not a duration/)]);
  });

  it('warns about certificate files set while reconciliation is off', async () => {
    const c = await config(env({ ALIPAY_APP_CERT: TEST_ONLY_APP_CERT_PEM, ALIPAY_ROOT_CERT: TEST_ONLY_ROOT_CERT_PEM }));
    expect(c.summary.warnings).toEqual([expect.stringMatching(/^ALIPAY_APP_CERT: set but not used/), expect.stringMatching(/^ALIPAY_ROOT_CERT: set but not used/)]);
  });
});

describe('certificate mode', () => {
  const certMode = (overrides: Partial<Record<keyof ConfigEnv, string>> = {}) =>
    env({ ALIPAY_PUBLIC_KEY: TEST_ONLY_ALIPAY_CERT_PEM, ALIPAY_APP_PRIVATE_KEY: TEST_ONLY_APP_PRIVATE_KEY_PEM, ...overrides });

  it('needs the app certificate and the root bundle when ALIPAY_PUBLIC_KEY is a certificate', async () => {
    expect((await problems(certMode())).map((p) => p.split(':')[0])).toEqual(['ALIPAY_APP_CERT', 'ALIPAY_ROOT_CERT']);
  });

  it('reads their SNs, shown on /health with the app certificate\'s expiry', async () => {
    const c = await config(certMode({ ALIPAY_APP_CERT: TEST_ONLY_APP_CERT_PEM, ALIPAY_ROOT_CERT: TEST_ONLY_ROOT_CERT_PEM }));
    expect(c.reconcile!.certificates).toMatchObject({ appCertSn: expect.stringMatching(/^[0-9a-f]{32}$/), rootCertSn: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(c.summary.reconcile).toMatchObject({ certificateMode: true, appCertSn: c.reconcile!.certificates!.appCertSn, appCertNotAfter: expect.stringMatching(/^21\d\d-/) });
  });

  it('refuses an app certificate of another key, Alipay\'s certificate, or the root bundle in its place', async () => {
    const root = TEST_ONLY_ROOT_CERT_PEM;
    expect(await problems(certMode({ ALIPAY_APP_CERT: certVector.app_cert_pem, ALIPAY_ROOT_CERT: root }))).toEqual([
      expect.stringMatching(/^ALIPAY_APP_CERT: the certificate \(.*\) holds another key than ALIPAY_APP_PRIVATE_KEY's public half/),
    ]);
    expect(await problems(certMode({ ALIPAY_APP_CERT: TEST_ONLY_ALIPAY_CERT_PEM, ALIPAY_ROOT_CERT: root }))).toEqual([
      expect.stringMatching(/^ALIPAY_APP_CERT: Alipay's own certificate .*belongs in ALIPAY_PUBLIC_KEY/),
    ]);
    expect(await problems(certMode({ ALIPAY_APP_CERT: root, ALIPAY_ROOT_CERT: root }))).toEqual([
      expect.stringMatching(/^ALIPAY_APP_CERT: a CA certificate .*belongs in ALIPAY_ROOT_CERT/),
    ]);
    expect(await problems(certMode({ ALIPAY_APP_CERT: TEST_ONLY_APP_CERT_PEM, ALIPAY_ROOT_CERT: certVector.alipay_public_cert_pem }))).toEqual([
      expect.stringMatching(/^ALIPAY_ROOT_CERT: holds a certificate that is not a root/),
    ]);
    expect(await problems(certMode({ ALIPAY_APP_CERT: TEST_ONLY_APP_PRIVATE_KEY_PEM, ALIPAY_ROOT_CERT: root }))).toEqual([
      expect.stringMatching(/^ALIPAY_APP_CERT: PEM block 1 is a private key/),
    ]);
  });

  it.each([
    ['literal \\r\\n escapes (a one-line value from JSON or a Windows .env)', (pem: string) => pem.trim().replace(/\n/g, '\\r\\n')],
    ['literal \\n escapes', (pem: string) => pem.trim().replace(/\n/g, '\\n')],
    ['Windows line breaks, a BOM and quotes', (pem: string) => `\uFEFF"${pem.replace(/\n/g, '\r\n')}"`],
  ])('reads both files pasted with %s, as ALIPAY_PUBLIC_KEY is read', async (_name, paste) => {
    const plain = await config(certMode({ ALIPAY_APP_CERT: TEST_ONLY_APP_CERT_PEM, ALIPAY_ROOT_CERT: certVector.alipay_root_cert_pem }));
    const pasted = await config(certMode({ ALIPAY_APP_CERT: paste(TEST_ONLY_APP_CERT_PEM), ALIPAY_ROOT_CERT: paste(certVector.alipay_root_cert_pem) }));
    expect(pasted.reconcile!.certificates).toEqual(plain.reconcile!.certificates);
    expect(pasted.reconcile!.certificates!.rootCertSn).toBe('687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6');
  });

  it('the real root bundle (4 roots, SM2 and ECC ones skipped) gives the official SN', async () => {
    const c = await config(certMode({ ALIPAY_APP_CERT: TEST_ONLY_APP_CERT_PEM, ALIPAY_ROOT_CERT: certVector.alipay_root_cert_pem }));
    expect(c.reconcile!.certificates!.rootCertSn).toBe('687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6');
  });
});

describe('alert settings', () => {
  it.each([
    ['https://oapi.dingtalk.com/robot/send?access_token=t0ken', 'dingtalk'],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=t0ken', 'wecom'],
    ['https://hooks.slack.com/services/T/B/t0ken', 'slack'],
    ['https://open.feishu.cn/open-apis/bot/v2/hook/t0ken', 'feishu'],
    ['https://open.larksuite.com/open-apis/bot/v2/hook/t0ken', 'feishu'],
    ['https://ops.example.com/alerts?t0ken', 'json'],
  ])('the format follows the host of %s; /health shows the host only', async (url, format) => {
    const c = await config(env({ ALERT_URL: url }));
    expect(c.alerts).toMatchObject({ url, format });
    expect(c.summary.alerts).toEqual({ format, host: new URL(url).host, signed: false });
    expect(await healthResponse(await loadConfig(env({ ALERT_URL: url }))).text()).not.toContain('t0ken');
  });

  it('a DingTalk secret signs; ALERT_FORMAT wins over the host, with a warning', async () => {
    const c = await config(env({ ALERT_URL: 'https://oapi.dingtalk.com/robot/send?access_token=x', ALERT_FORMAT: 'json ' }));
    expect(c.alerts!.format).toBe('json');
    expect(c.summary.warnings).toEqual([expect.stringMatching(/^ALERT_FORMAT: is json, but ALERT_URL's host oapi\.dingtalk\.com is a dingtalk address/)]);
    const d = await config(env({ ALERT_URL: 'https://oapi.dingtalk.com/robot/send?access_token=x', ALERT_SECRET: 'SECabc' }));
    expect(d.alerts).toMatchObject({ format: 'dingtalk', robotSecret: 'SECabc' });
    expect(d.summary.alerts!.signed).toBe(true);
  });

  it('refuses what cannot work, without quoting the secret URL', async () => {
    const found = await problems(
      env({ ALERT_URL: 'http://alerts.s3cret.example/x', ALERT_FORMAT: 'teams' }),
    );
    expect(found).toEqual([expect.stringMatching(/^ALERT_URL: must use https/), expect.stringMatching(/^ALERT_FORMAT: must be dingtalk or wecom or feishu or slack or json, not "teams"/)]);
    expect(found.join()).not.toContain('s3cret');
    expect(await problems(env({ ALERT_URL: 'https://ops.example.com/a', ALERT_SECRET: 'plain-s3cret' }))).toEqual([
      expect.stringMatching(/^ALERT_SECRET: for ALERT_FORMAT=json, a Standard Webhooks secret: the value does not start with whsec_/),
    ]);
    expect(await problems(env({ ALERT_URL: 'not a url' }))).toEqual([expect.stringMatching(/^ALERT_URL: not an absolute URL \(expected e\.g\. https:\/\/oapi\.dingtalk\.com/)]);
  });

  it('a whsec_ ALERT_SECRET for json alerts may be quoted, and several comma-separated', async () => {
    const a = 'whsec_+6EDSyd9Gg76mHy2XU31xZKzl+rsyntexxsi5KTgIPY=';
    const c = await config(env({ ALERT_URL: 'https://ops.example.com/alerts', ALERT_SECRET: `"${a}", "${a}"` }));
    expect(c.alerts!.webhookSecrets).toHaveLength(2);
  });

  it('a Feishu/Lark robot: its 签名校验 secret signs; ALERT_FORMAT=feishu for another address (a relay)', async () => {
    const c = await config(env({ ALERT_URL: 'https://open.feishu.cn/open-apis/bot/v2/hook/t0ken', ALERT_SECRET: ' mbJp8fYC9NXWQXsn3u2Wde ' }));
    expect(c.alerts).toMatchObject({ format: 'feishu', robotSecret: 'mbJp8fYC9NXWQXsn3u2Wde', webhookSecrets: [] });
    expect(c.summary.warnings).toEqual([]);
    expect(c.summary.alerts).toEqual({ format: 'feishu', host: 'open.feishu.cn', signed: true });
    const larkOffice = await config(env({ ALERT_URL: 'https://open.larkoffice.com/open-apis/bot/v2/hook/t0ken' }));
    expect(larkOffice.alerts!.format).toBe('feishu');
    const relay = await config(env({ ALERT_URL: 'https://relay.example.com/feishu', ALERT_FORMAT: 'feishu' }));
    expect(relay.alerts).toMatchObject({ format: 'feishu', robotSecret: null });
    expect(relay.summary.warnings).toEqual([]);
  });

  it('a Feishu secret that cannot be one is refused, one that looks like DingTalk\'s is warned about, neither quoted', async () => {
    const url = 'https://open.feishu.cn/open-apis/bot/v2/hook/t0ken';
    const found = await problems(env({ ALERT_URL: url, ALERT_SECRET: 'two s3cret words' }));
    expect(found).toEqual([expect.stringMatching(/^ALERT_SECRET: must be the robot's signing secret \(one word, from 签名校验\)/)]);
    expect(await problems(env({ ALERT_URL: url, ALERT_SECRET: 'x'.repeat(257) }))).toEqual([expect.stringMatching(/^ALERT_SECRET: must be the robot's signing secret/)]);
    const dingTalkLike = await config(env({ ALERT_URL: url, ALERT_SECRET: `SEC${'0a'.repeat(32)}` }));
    expect(dingTalkLike.summary.warnings).toEqual([expect.stringMatching(/^ALERT_SECRET: looks like a DingTalk signing secret \(SEC…\)/)]);
    expect([...found, ...dingTalkLike.summary.warnings].join()).not.toMatch(/s3cret|0a0a|t0ken/);
  });

  it('refuses a #fragment in ALERT_URL', async () => {
    expect(await problems(env({ ALERT_URL: 'https://ops.example.com/alerts#k3y' }))).toEqual([expect.stringMatching(/^ALERT_URL: must not end in a #fragment/)]);
  });

  it('warns about ALERT_FORMAT or ALERT_SECRET without ALERT_URL, and a secret WeCom cannot use', async () => {
    const off = await config(env({ ALERT_FORMAT: 'slack', ALERT_SECRET: 'x' }));
    expect(off.alerts).toBeNull();
    expect(off.summary.warnings).toEqual([expect.stringMatching(/^ALERT_FORMAT: set but not used/), expect.stringMatching(/^ALERT_SECRET: set but not used/)]);
    const wecom = await config(env({ ALERT_URL: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', ALERT_SECRET: 'x' }));
    expect(wecom.summary.warnings).toEqual([expect.stringMatching(/^ALERT_SECRET: set but not used: WeCom webhooks carry their key in ALERT_URL/)]);
  });
});
