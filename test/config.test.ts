import { beforeAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../src/config/reader';
import { loadConfig } from '../src/config/load';
import type { ConfigEnv } from '../src/config/names';
import type { ConfigResult } from '../src/config/types';
import { base64 } from './support/encoding';
import { throwawayRsaKeys } from './support/throwaway-keys';

let publicKey = '';
let otherPublicKey = '';
const whsec = (bytes: number, fill = 7) => `whsec_${base64(new Uint8Array(bytes).fill(fill))}`;

async function newSpkiBase64(): Promise<string> {
  return base64((await throwawayRsaKeys()).spki);
}

beforeAll(async () => {
  [publicKey, otherPublicKey] = await Promise.all([newSpkiBase64(), newSpkiBase64()]);
});

function validEnv(overrides: Partial<Record<keyof ConfigEnv, string | undefined>> = {}): ConfigEnv {
  return {
    ALIPAY_PUBLIC_KEY: publicKey,
    ALIPAY_APP_ID: '2021000123456789',
    ORIGIN_URL: 'https://shop.example.com/alipay/notify_url.asp',
    FORWARD_SECRET: whsec(32),
    ...overrides,
  };
}

async function problemsOf(env: ConfigEnv): Promise<string[]> {
  const result = await loadConfig(env);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems.map(formatProblem);
}

async function configOf(env: ConfigEnv) {
  const result: ConfigResult = await loadConfig(env);
  if (!result.ok) throw new Error(`unexpected problems: ${result.problems.map(formatProblem).join(' | ')}`);
  return result.config;
}

describe('defaults', () => {
  it('fills every optional setting with its default (README "Configuration")', async () => {
    const config = await configOf(validEnv());
    expect(config.alipay.signTypes).toEqual(['RSA2']);
    expect(config.alipay.keys).toHaveLength(1);
    expect(config.alipay.appIds).toEqual(['2021000123456789']);
    expect(config.alipay.sellerIds).toEqual([]);
    expect(config.alipay.md5Key).toBeUndefined();
    expect(config.alipay.maxNotifyAgeMs).toBe(72 * 3_600_000);
    expect(config.notifyPath).toBe('/alipay/notify');
    expect(config.ackMode).toBe('durable');
    expect(config.forward.originUrl).toBe('https://shop.example.com/alipay/notify_url.asp');
    expect(config.forward.format).toBe('form');
    expect([...config.forward.events]).toEqual(['paid']);
    expect(config.forward.ackBody).toBe('success');
    expect(config.forward.secrets).toEqual([new Uint8Array(32).fill(7)]);
    expect(config.forward.timeoutMs).toBe(15_000);
    expect(config.forward.retryScheduleMs).toEqual([
      10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000, 86_400_000, 86_400_000,
    ]);
    expect(config.forward.signing).toBe('standard-webhooks');
    expect(config.forward.originMd5Key).toBeNull();
    expect(config.returnUrl).toBeNull();
    expect(config.adminToken).toBeNull();
    expect(config.summary.warnings).toEqual([]);
  });

  it('treats empty and whitespace-only values as unset', async () => {
    const config = await configOf(validEnv({ FORWARD_FORMAT: '', ACK_MODE: '  ', ADMIN_TOKEN: '' }));
    expect(config.forward.format).toBe('form');
    expect(config.ackMode).toBe('durable');
    expect(config.adminToken).toBeNull();
  });

  it('leaves the ack body unset for json', async () => {
    const config = await configOf(validEnv({ FORWARD_FORMAT: 'json' }));
    expect(config.forward.format).toBe('json');
    expect(config.forward.ackBody).toBeNull();
    const withBody = await configOf(validEnv({ FORWARD_FORMAT: 'json', ORIGIN_ACK_BODY: ' OK ' }));
    expect(withBody.forward.ackBody).toBe('OK');
  });
});

describe('all problems at once, by name', () => {
  it('lists every missing required setting', async () => {
    const problems = await problemsOf({});
    expect(problems.map((p) => p.split(':')[0])).toEqual(['ALIPAY_PUBLIC_KEY', 'ALIPAY_APP_ID', 'ORIGIN_URL', 'FORWARD_SECRET']);
    expect(problems).toContain('ALIPAY_APP_ID: required (your Alipay app id, e.g. 2021000123456789; comma-separate several)');
  });

  it('reports malformed settings together with missing ones', async () => {
    const problems = await problemsOf({
      ALIPAY_SIGN_TYPES: 'RSA2,SHA256',
      FORWARD_FORMAT: 'xml',
      FORWARD_EVENTS: 'paid,shipped',
      ACK_MODE: 'eventually',
      RETRY_SCHEDULE: '10s,soon',
      DELIVERY_TIMEOUT: '15',
      MAX_NOTIFY_AGE: '-1h',
      NOTIFY_PATH: 'alipay/notify',
      FORWARD_SIGNING: 'hmac',
    });
    const names = problems.map((p) => p.split(':')[0]);
    for (const name of [
      'ALIPAY_PUBLIC_KEY',
      'ALIPAY_APP_ID',
      'ALIPAY_SIGN_TYPES',
      'ORIGIN_URL',
      'FORWARD_SECRET',
      'FORWARD_FORMAT',
      'FORWARD_EVENTS',
      'ACK_MODE',
      'RETRY_SCHEDULE',
      'DELIVERY_TIMEOUT',
      'MAX_NOTIFY_AGE',
      'NOTIFY_PATH',
      'FORWARD_SIGNING',
    ]) {
      expect(names).toContain(name);
    }
    expect(problems).toContain('ALIPAY_SIGN_TYPES: unknown sign type "SHA256" (use RSA2, RSA or MD5, comma-separated)');
    expect(problems.find((p) => p.startsWith('RETRY_SCHEDULE'))).toMatch(/entry 2 "soon"/);
  });

  it('rejects a value that is not text, a number or true/false', async () => {
    const problems = await problemsOf(validEnv({ DELIVERY_TIMEOUT: { seconds: 15 } as unknown as string }));
    expect(problems).toEqual(['DELIVERY_TIMEOUT: must be text (a wrangler var or secret), not object']);
  });
});

describe('secrets are never echoed', () => {
  it('keeps every secret value out of every problem', async () => {
    const marker = 'S3CRETMARK';
    const problems = await problemsOf({
      ALIPAY_PUBLIC_KEY: `${marker}${marker}`,
      ALIPAY_APP_ID: '2021000123456789',
      ALIPAY_SIGN_TYPES: 'RSA2,MD5',
      ALIPAY_MD5_KEY: `${marker} x`,
      ORIGIN_URL: `http://${marker}.example.com/notify?token=${marker}`,
      FORWARD_SECRET: `whsec_${marker}!! ${marker}`,
      ADMIN_TOKEN: marker,
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'ALIPAY_PUBLIC_KEY',
      'ALIPAY_MD5_KEY',
      'ORIGIN_URL',
      'FORWARD_SECRET',
      'ADMIN_TOKEN',
    ]);
    for (const p of problems) expect(p.toUpperCase()).not.toContain(marker);
  });

  it('keeps secrets out of the summary', async () => {
    const secret = whsec(40, 9);
    const config = await configOf(
      validEnv({ FORWARD_SECRET: secret, ADMIN_TOKEN: 'admin-token-0123456789', ORIGIN_URL: 'https://shop.example.com/n.asp?k=tok3n' }),
    );
    const summary = JSON.stringify(config.summary);
    expect(summary).not.toContain(secret.slice(6, 20));
    expect(summary).not.toContain('admin-token');
    expect(summary).not.toContain('tok3n');
    expect(config.summary.originHost).toBe('shop.example.com');
    expect(config.summary.adminApi).toBe(true);
  });
});

describe('ALIPAY_PUBLIC_KEY', () => {
  it('loads several keys for rotation', async () => {
    const config = await configOf(validEnv({ ALIPAY_PUBLIC_KEY: `${publicKey}\n${otherPublicKey}` }));
    expect(config.alipay.keys).toHaveLength(2);
    expect(config.summary.keys.map((k) => k.fingerprint)).toEqual(config.alipay.keys.map((k) => k.fingerprint));
  });

  it('reports unusable key material under the setting name', async () => {
    const problems = await problemsOf(validEnv({ ALIPAY_PUBLIC_KEY: 'this is not a key' }));
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(p).toMatch(/^ALIPAY_PUBLIC_KEY: /);
  });

  it('is not needed when only MD5 is accepted', async () => {
    const config = await configOf(
      validEnv({ ALIPAY_PUBLIC_KEY: undefined, ALIPAY_SIGN_TYPES: 'MD5', ALIPAY_MD5_KEY: '10000000000000000000000000000000' }),
    );
    expect(config.alipay.keys).toEqual([]);
    expect(config.alipay.signTypes).toEqual(['MD5']);
  });
});

describe('ALIPAY_SIGN_TYPES and ALIPAY_MD5_KEY', () => {
  it('accepts any case and puts the strongest first', async () => {
    const config = await configOf(validEnv({ ALIPAY_SIGN_TYPES: 'rsa, RSA2' }));
    expect(config.alipay.signTypes).toEqual(['RSA2', 'RSA']);
  });

  it('requires the MD5 key when MD5 is accepted', async () => {
    expect(await problemsOf(validEnv({ ALIPAY_SIGN_TYPES: 'RSA2,MD5' }))).toEqual([
      'ALIPAY_MD5_KEY: required because ALIPAY_SIGN_TYPES includes MD5 (the legacy mapi partner key, 32 characters)',
    ]);
    const config = await configOf(validEnv({ ALIPAY_SIGN_TYPES: 'RSA2,MD5', ALIPAY_MD5_KEY: ' abcdefghijklmnopqrstuvwxyz012345 ' }));
    expect(config.alipay.md5Key).toEqual(new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz012345'));
  });

  it('ignores an MD5 key when MD5 is not accepted, with a warning', async () => {
    const config = await configOf(validEnv({ ALIPAY_MD5_KEY: 'abc123' }));
    expect(config.alipay.md5Key).toBeUndefined();
    expect(config.summary.warnings).toEqual(['ALIPAY_MD5_KEY: set but not used: ALIPAY_SIGN_TYPES does not include MD5']);
  });
});

describe('ALIPAY_APP_ID and ALIPAY_SELLER_ID', () => {
  it('splits comma-separated ids', async () => {
    const config = await configOf(validEnv({ ALIPAY_APP_ID: '2021000123456789, 2021000123456790', ALIPAY_SELLER_ID: '2088102534368455' }));
    expect(config.alipay.appIds).toEqual(['2021000123456789', '2021000123456790']);
    expect(config.alipay.sellerIds).toEqual(['2088102534368455']);
  });

  it('lets a legacy mapi merchant use the seller id alone', async () => {
    const config = await configOf(validEnv({ ALIPAY_APP_ID: undefined, ALIPAY_SELLER_ID: '2088102534368455' }));
    expect(config.alipay.appIds).toEqual([]);
  });

  it('rejects ids that are not digits', async () => {
    expect(await problemsOf(validEnv({ ALIPAY_APP_ID: '2021000123456789,my-app' }))).toEqual([
      'ALIPAY_APP_ID: "my-app" is not an app id: Alipay ids are digits only',
    ]);
  });

  it('never quotes a wrong "id" that may be a secret pasted into the wrong setting (the problems are public on /health)', async () => {
    const md5Key = 'k3y0abcdefghijklmnopqrstuvwxyz01';
    const problems = await problemsOf(validEnv({ ALIPAY_SELLER_ID: md5Key }));
    expect(problems).toEqual([
      'ALIPAY_SELLER_ID: a 32-character value (it looks like the 32-character MD5 key: keep that one in ALIPAY_MD5_KEY, a secret) is not a seller id (the 2088… partner id): Alipay ids are digits only',
    ]);
    const token = 'adm1n-token-0123456789-abcdefghij';
    expect((await problemsOf(validEnv({ ALIPAY_APP_ID: token }))).join('\n')).not.toContain('adm1n');
    // A typo in a real id is still shown, so it can be found.
    expect(await problemsOf(validEnv({ ALIPAY_APP_ID: '20210001234567O9' }))).toEqual(['ALIPAY_APP_ID: "20210001234567O9" is not an app id: Alipay ids are digits only']);
  });
});

describe('ORIGIN_URL and ORIGIN_RETURN_URL', () => {
  it.each(['https://shop.example.com/notify', 'http://localhost:8788/notify', 'http://127.0.0.1/notify', 'http://[::1]:3000/'])(
    'accepts %s',
    async (url) => {
      expect((await configOf(validEnv({ ORIGIN_URL: url }))).forward.originUrl).toBe(new URL(url).href);
    },
  );

  it.each(['http://shop.example.com/notify', 'http://localhost.example.com/', 'ftp://shop.example.com/', 'shop.example.com/notify'])(
    'refuses %s',
    async (url) => {
      const problems = await problemsOf(validEnv({ ORIGIN_URL: url }));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^ORIGIN_URL: /);
    },
  );

  it('refuses a #fragment in ORIGIN_URL (a delivery never carries it); the return URL may keep one (the browser does)', async () => {
    expect(await problemsOf(validEnv({ ORIGIN_URL: 'https://shop.example.com/notify.asp#token=1' }))).toEqual([
      'ORIGIN_URL: must not end in a #fragment: requests never carry it, so the page would not see it (put it in the query string)',
    ]);
    expect((await configOf(validEnv({ ORIGIN_RETURN_URL: 'https://shop.example.com/return.asp#done' }))).returnUrl).toBe('https://shop.example.com/return.asp#done');
  });

  it('applies the same rule to the return URL', async () => {
    expect(await problemsOf(validEnv({ ORIGIN_RETURN_URL: 'http://shop.example.com/return.asp' }))).toEqual([
      'ORIGIN_RETURN_URL: must use https (plain http is only allowed for localhost, 127.0.0.1 and [::1])',
    ]);
    const config = await configOf(validEnv({ ORIGIN_RETURN_URL: 'https://shop.example.com/return.asp' }));
    expect(config.returnUrl).toBe('https://shop.example.com/return.asp');
  });
});

describe('FORWARD_SECRET', () => {
  it('keeps rotation order, newest first', async () => {
    const config = await configOf(validEnv({ FORWARD_SECRET: `${whsec(32, 1)}  ${whsec(24, 2)}` }));
    expect(config.forward.secrets).toEqual([new Uint8Array(32).fill(1), new Uint8Array(24).fill(2)]);
  });

  it.each([
    ['no prefix', base64(new Uint8Array(32)), /does not start with whsec_/],
    ['bad base64', 'whsec_not*base64', /not whsec_ followed by standard base64/],
    ['too short', whsec(16), /decodes to 16 bytes/],
    ['too long', whsec(65), /decodes to 65 bytes/],
  ])('refuses %s', async (_name, value, message) => {
    const problems = await problemsOf(validEnv({ FORWARD_SECRET: value }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it.each([
    ['commas', (a: string, b: string) => `${a},${b}`],
    ['a comma and a space', (a: string, b: string) => `${a}, ${b}`],
    ['a full-width comma', (a: string, b: string) => `${a}，${b}`],
    ['Windows line breaks and a BOM', (a: string, b: string) => `\uFEFF${a}\r\n${b}\r\n`],
    ['quotes around the value', (a: string, b: string) => `"${a} ${b}"`],
    ['quotes around each entry', (a: string, b: string) => `"${a}" "${b}"`],
    ['a JSON-like list', (a: string, b: string) => `"${a}", "${b}"`],
  ])('takes several entries separated by %s', async (_name, join) => {
    const config = await configOf(validEnv({ FORWARD_SECRET: join(whsec(32, 1), whsec(24, 2)) }));
    expect(config.forward.secrets).toEqual([new Uint8Array(32).fill(1), new Uint8Array(24).fill(2)]);
  });

  it('names the bad entry by position', async () => {
    expect(await problemsOf(validEnv({ FORWARD_SECRET: `${whsec(32)} whsec_AAAA` }))).toEqual([
      'FORWARD_SECRET: entry 2 of 2 decodes to 3 bytes; a secret must be 24 to 64 bytes',
    ]);
  });
});

describe('forwarding choices', () => {
  it('accepts all as every event kind', async () => {
    const config = await configOf(validEnv({ FORWARD_EVENTS: 'all' }));
    expect([...config.forward.events].sort()).toEqual(['closed', 'other', 'paid', 'refund', 'waiting']);
    const some = await configOf(validEnv({ FORWARD_EVENTS: 'paid, refund' }));
    expect([...some.forward.events]).toEqual(['paid', 'refund']);
  });

  it('parses the retry schedule and timeout durations', async () => {
    const config = await configOf(validEnv({ RETRY_SCHEDULE: '1s, 2m,1500ms', DELIVERY_TIMEOUT: '30s', MAX_NOTIFY_AGE: '25h' }));
    expect(config.forward.retryScheduleMs).toEqual([1_000, 120_000, 1_500]);
    expect(config.summary.forward.maxAttempts).toBe(4);
    expect(config.forward.timeoutMs).toBe(30_000);
    expect(config.alipay.maxNotifyAgeMs).toBe(25 * 3_600_000);
  });

  it('refuses a timeout outside 1s..5m', async () => {
    expect(await problemsOf(validEnv({ DELIVERY_TIMEOUT: '15ms' }))).toEqual(['DELIVERY_TIMEOUT: must be between 1s and 5m']);
  });

  it('refuses a retry or query delay under 1s (ms typed for s)', async () => {
    expect(await problemsOf(validEnv({ RETRY_SCHEDULE: '10ms,1m' }))).toEqual(['RETRY_SCHEDULE: entry 1 "10ms" is shorter than 1s (ms for s?)']);
  });

  it('requires ORIGIN_MD5_KEY for alipay-md5 forwarding', async () => {
    expect(await problemsOf(validEnv({ FORWARD_SIGNING: 'alipay-md5' }))).toEqual([
      'ORIGIN_MD5_KEY: required because FORWARD_SIGNING is alipay-md5 (the key your legacy notify page checks the MD5 sign with)',
    ]);
    const config = await configOf(validEnv({ FORWARD_SIGNING: 'alipay-md5', ORIGIN_MD5_KEY: 'k3y0abcdefghijklmnopqrstuvwxyz01' }));
    expect(config.forward.signing).toBe('alipay-md5');
    expect(config.forward.originMd5Key).toEqual(new TextEncoder().encode('k3y0abcdefghijklmnopqrstuvwxyz01'));
  });

  it('accepts after-delivery acks and a custom notify path', async () => {
    const config = await configOf(validEnv({ ACK_MODE: 'after-delivery', NOTIFY_PATH: '/notify_url.asp' }));
    expect(config.ackMode).toBe('after-delivery');
    expect(config.notifyPath).toBe('/notify_url.asp');
  });

  it('refuses a notify path that is not a path', async () => {
    expect(await problemsOf(validEnv({ NOTIFY_PATH: '/alipay/notify?x=1' }))).toEqual([
      'NOTIFY_PATH: must be a plain URL path (no spaces, "?" or "#")',
    ]);
  });
});

describe('ADMIN_TOKEN', () => {
  it('must be at least 16 characters when set', async () => {
    expect(await problemsOf(validEnv({ ADMIN_TOKEN: '0123456789abcde' }))).toEqual([
      'ADMIN_TOKEN: too short: use at least 16 random characters (or unset it to disable the admin API)',
    ]);
    expect((await configOf(validEnv({ ADMIN_TOKEN: '0123456789abcdef' }))).adminToken).toBe('0123456789abcdef');
  });
});

describe('STATUS_SECRET, STATUS_ALLOWED_ORIGINS and INDEX_SHARDS', () => {
  const secret = 'status-secret-of-32-characters!!';

  it('off by default: no status page, one index shard', async () => {
    const config = await configOf(validEnv());
    expect(config.visibility).toEqual({ statusSecret: null, statusAllowedOrigins: [], indexShards: 1 });
    expect(config.summary).toMatchObject({ statusPage: { enabled: false, allowedOrigins: [] }, indexShards: 1 });
  });

  it('takes a secret of 32 characters or more, origins as the Origin header spells them, and a shard count', async () => {
    const config = await configOf(
      validEnv({ STATUS_SECRET: ` ${secret} `, STATUS_ALLOWED_ORIGINS: 'https://shop.example.com, https://Pay.Example.com/, http://127.0.0.1:8788', INDEX_SHARDS: '4' }),
    );
    expect(new TextDecoder().decode(config.visibility.statusSecret!)).toBe(secret);
    expect(config.visibility.statusAllowedOrigins).toEqual(['https://shop.example.com', 'https://pay.example.com', 'http://127.0.0.1:8788']);
    expect(config.visibility.indexShards).toBe(4);
    expect(config.summary).toMatchObject({ statusPage: { enabled: true, allowedOrigins: config.visibility.statusAllowedOrigins }, indexShards: 4 });
    expect(JSON.stringify(config.summary)).not.toContain(secret);
  });

  it('reports each problem by name, never quoting the secret', async () => {
    const problems = await problemsOf(
      validEnv({ STATUS_SECRET: 'sh0rt-status-secret', STATUS_ALLOWED_ORIGINS: 'http://shop.example.com, https://shop.example.com/pay, *', INDEX_SHARDS: '0' }),
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual(['STATUS_SECRET', 'STATUS_ALLOWED_ORIGINS', 'STATUS_ALLOWED_ORIGINS', 'STATUS_ALLOWED_ORIGINS', 'INDEX_SHARDS']);
    expect(problems.join('\n')).not.toContain('sh0rt');
    expect(await problemsOf(validEnv({ INDEX_SHARDS: '17' }))).toEqual([expect.stringMatching(/^INDEX_SHARDS: must be a whole number from 1 to 16/)]);
    expect(await problemsOf(validEnv({ INDEX_SHARDS: '2.5' }))).toHaveLength(1);
  });

  it('the notify path may not be the status path while the status page is on', async () => {
    expect(await problemsOf(validEnv({ STATUS_SECRET: secret, NOTIFY_PATH: '/alipay/status' }))).toEqual([
      expect.stringMatching(/^NOTIFY_PATH: \/alipay\/status is taken/),
    ]);
    expect((await configOf(validEnv({ NOTIFY_PATH: '/alipay/status' }))).notifyPath).toBe('/alipay/status');
  });

  it('warns about allowed origins without a secret', async () => {
    const config = await configOf(validEnv({ STATUS_ALLOWED_ORIGINS: 'https://shop.example.com' }));
    expect(config.summary.warnings).toEqual([expect.stringMatching(/^STATUS_ALLOWED_ORIGINS: set but not used/)]);
  });
});

describe('vars written without quotes in wrangler.toml (wrangler passes numbers and booleans)', () => {
  const asVar = (value: number | boolean | unknown[]) => value as unknown as string;

  it('reads a number as its text', async () => {
    const config = await configOf(
      validEnv({ ALIPAY_APP_ID: asVar(2021000123456789), ALIPAY_SELLER_ID: asVar(2088102534368455), INDEX_SHARDS: asVar(2), ORIGIN_MAX_RPS: asVar(0.5) }),
    );
    expect(config.alipay.appIds).toEqual(['2021000123456789']);
    expect(config.alipay.sellerIds).toEqual(['2088102534368455']);
    expect(config.visibility.indexShards).toBe(2);
    expect(config.forward.maxRps).toBe(0.5);
  });

  it('checks it as text, and never calls a setting that is set "required"', async () => {
    expect(await problemsOf(validEnv({ DELIVERY_TIMEOUT: asVar(15) }))).toEqual(['DELIVERY_TIMEOUT: "15" is not a duration (e.g. 72h, 30m, 10s, 1500ms)']);
    expect(await problemsOf(validEnv({ ORIGIN_ACK_BODY: asVar(true), FORWARD_FORMAT: 'json', INDEX_SHARDS: asVar(0) }))).toEqual([
      expect.stringMatching(/^INDEX_SHARDS: must be a whole number from 1 to 16, not "0"/),
    ]);
  });

  it('refuses an integer past 2^53, whose last digits are already lost: write it in quotes', async () => {
    const problems = await problemsOf(validEnv({ ALIPAY_APP_ID: asVar(20210001234567890123) }));
    expect(problems).toEqual(['ALIPAY_APP_ID: is a number too long to keep every digit: write it in quotes in wrangler.toml: ALIPAY_APP_ID = "..."']);
  });

  it('a list, or a value too long to read, is one problem: not also "required"', async () => {
    expect(await problemsOf(validEnv({ ALIPAY_APP_ID: asVar(['2021000123456789']) }))).toEqual([
      'ALIPAY_APP_ID: must be text, not a list: write it in quotes in wrangler.toml, comma-separated: ALIPAY_APP_ID = "..."',
    ]);
    expect(await problemsOf(validEnv({ ORIGIN_URL: `https://shop.example.com/${'x'.repeat(70_000)}` }))).toEqual([
      'ORIGIN_URL: too long (70025 characters; at most 65536)',
    ]);
  });
});

describe('quotes pasted around a value are not part of it', () => {
  const token = '0123456789abcdefXYZ';
  const statusSecret = 'status-secret-of-32-characters!!';

  it.each([
    ['double quotes', (v: string) => `"${v}"`],
    ['single quotes', (v: string) => `'${v}'`],
    ['curly quotes of a Chinese keyboard', (v: string) => `“${v}”`],
    ['quotes, a BOM and a Windows line break', (v: string) => `\uFEFF"${v}"\r\n`],
  ])('%s: every setting reads the same', async (_name, quote) => {
    const config = await configOf(
      validEnv({
        ADMIN_TOKEN: quote(token),
        STATUS_SECRET: quote(statusSecret),
        ORIGIN_ACK_BODY: quote('success'),
        ORIGIN_URL: quote('https://shop.example.com/n.asp'),
        ALIPAY_APP_ID: quote('2021000123456789'),
        FORWARD_SECRET: quote(whsec(32)),
        ALIPAY_PUBLIC_KEY: quote(publicKey),
        RETRY_SCHEDULE: quote('30s,2m'),
        FORWARD_EVENTS: quote('paid,refund'),
      }),
    );
    expect(config.adminToken).toBe(token);
    expect(new TextDecoder().decode(config.visibility.statusSecret!)).toBe(statusSecret);
    expect(config.forward.ackBody).toBe('success');
    expect(config.forward.originUrl).toBe('https://shop.example.com/n.asp');
    expect(config.alipay.appIds).toEqual(['2021000123456789']);
    expect(config.forward.secrets).toEqual([new Uint8Array(32).fill(7)]);
    expect(config.alipay.keys).toHaveLength(1);
    expect(config.forward.retryScheduleMs).toEqual([30_000, 120_000]);
    expect([...config.forward.events]).toEqual(['paid', 'refund']);
  });

  it('strips one pair only, and only a matching one', async () => {
    expect((await configOf(validEnv({ ORIGIN_ACK_BODY: '""ok""' }))).forward.ackBody).toBe('"ok"');
    expect((await configOf(validEnv({ ORIGIN_ACK_BODY: '"ok\'' }))).forward.ackBody).toBe('"ok\'');
    expect((await configOf(validEnv({ ORIGIN_ACK_BODY: '""' }))).forward.ackBody).toBe('success');
  });

  it("ADMIN_TOKEN's minimum length counts the token, not its quotes", async () => {
    expect(await problemsOf(validEnv({ ADMIN_TOKEN: '"0123456789abcde"' }))).toEqual([
      'ADMIN_TOKEN: too short: use at least 16 random characters (or unset it to disable the admin API)',
    ]);
  });

  it('a quoted DingTalk secret is the secret (no "does not start with SEC" warning)', async () => {
    const config = await configOf(validEnv({ ALERT_URL: 'https://oapi.dingtalk.com/robot/send?access_token=abc', ALERT_SECRET: '"SEC0123456789abcdef"' }));
    expect(config.alerts!.robotSecret).toBe('SEC0123456789abcdef');
    expect(config.summary.warnings).toEqual([]);
  });

  it('a zero-width character copied from a web page is not part of an id', async () => {
    expect((await configOf(validEnv({ ALIPAY_APP_ID: '\u200B2021000123456789\u200B' }))).alipay.appIds).toEqual(['2021000123456789']);
  });
});

describe('lists typed on a Chinese keyboard', () => {
  it('full-width commas (，) and 、 separate like commas, in every list', async () => {
    const config = await configOf(
      validEnv({
        ALIPAY_APP_ID: '2021000123456789，2021000987654321、2021000111111111',
        ALIPAY_SELLER_ID: '2088102534368455，2088102534368456',
        ALIPAY_SIGN_TYPES: 'RSA2，RSA',
        FORWARD_EVENTS: 'paid，refund、closed',
        RETRY_SCHEDULE: '30s，2m、5m',
        STATUS_SECRET: 'x'.repeat(40),
        STATUS_ALLOWED_ORIGINS: 'https://a.example.com，https://b.example.com',
      }),
    );
    expect(config.alipay.appIds).toEqual(['2021000123456789', '2021000987654321', '2021000111111111']);
    expect(config.alipay.sellerIds).toEqual(['2088102534368455', '2088102534368456']);
    expect(config.alipay.signTypes).toEqual(['RSA2', 'RSA']);
    expect([...config.forward.events]).toEqual(['paid', 'refund', 'closed']);
    expect(config.forward.retryScheduleMs).toEqual([30_000, 120_000, 300_000]);
    expect(config.visibility.statusAllowedOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
  });

  it('ids and origins may also be separated by spaces or line breaks', async () => {
    const config = await configOf(
      validEnv({
        ALIPAY_APP_ID: '2021000123456789 2021000987654321\r\n2021000111111111',
        ALIPAY_SELLER_ID: '2088102534368455\t2088102534368456',
        STATUS_SECRET: 'x'.repeat(40),
        STATUS_ALLOWED_ORIGINS: 'https://a.example.com https://b.example.com',
      }),
    );
    expect(config.alipay.appIds).toEqual(['2021000123456789', '2021000987654321', '2021000111111111']);
    expect(config.alipay.sellerIds).toEqual(['2088102534368455', '2088102534368456']);
    expect(config.visibility.statusAllowedOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
  });

  it('an id list of separators only is no id: ALIPAY_APP_ID is still required', async () => {
    expect(await problemsOf(validEnv({ ALIPAY_APP_ID: ' ，、 ' }))).toEqual(['ALIPAY_APP_ID: required (your Alipay app id, e.g. 2021000123456789; comma-separate several)']);
  });
});

describe('MD5 keys', () => {
  const md5 = (over: Partial<Record<keyof ConfigEnv, string>>) => validEnv({ ALIPAY_SIGN_TYPES: 'RSA2,MD5', ...over });
  const key = 'k3y0abcdefghijklmnopqrstuvwxyz01';

  it('ALIPAY_MD5_KEY is 32 ASCII letters and digits; quotes around it are not part of it', async () => {
    for (const pasted of [key, `"${key}"`, `\uFEFF${key}\r\n`, `“${key}”`]) {
      expect((await configOf(md5({ ALIPAY_MD5_KEY: pasted }))).alipay.md5Key).toEqual(new TextEncoder().encode(key));
    }
  });

  it.each([
    ['31 characters', key.slice(0, 31), /^ALIPAY_MD5_KEY: must be 32 ASCII letters and digits, and the value has 31 characters\. Needed: .*合作伙伴密钥/],
    ['33 characters', `${key}x`, /must be 32 ASCII letters and digits, and the value has 33 characters\./],
    ['other characters', `${key.slice(0, 31)}-`, /must be 32 ASCII letters and digits, and the value has 32 characters, not only letters and digits\./],
    ['a full-width character', `${key.slice(0, 31)}０`, /contains characters that are not ASCII/],
    ['whitespace', `${key.slice(0, 16)} ${key.slice(16)}`, /contains whitespace/],
    ['the partner id', '2088102534368455', /^ALIPAY_MD5_KEY: looks like your partner id \(PID, 2088 and 12 digits\), not the key.*合作伙伴密钥/],
  ])('refuses %s, never quoting the key', async (_name, pasted, message) => {
    const problems = await problemsOf(md5({ ALIPAY_MD5_KEY: pasted }));
    expect(problems).toEqual([expect.stringMatching(message)]);
    expect(problems[0]).not.toContain(pasted.slice(0, 8));
    expect(problems[0]).not.toContain(pasted.slice(-8));
  });

  it('ORIGIN_MD5_KEY is the page\'s key: the Alipay partner key or one of the merchant\'s own', async () => {
    const legacy = (k: string) => validEnv({ FORWARD_SIGNING: 'alipay-md5', ORIGIN_MD5_KEY: k });
    for (const [pasted, read] of [[`"${key}"`, key], ['e2e-only-legacy-md5-key-0123456789', 'e2e-only-legacy-md5-key-0123456789']] as const) {
      expect((await configOf(legacy(pasted))).forward.originMd5Key).toEqual(new TextEncoder().encode(read));
    }
    for (const [pasted, message] of [
      ['abc def ghi jkl mno', /^ORIGIN_MD5_KEY: contains whitespace/],
      ['k3y', /^ORIGIN_MD5_KEY: has 3 characters\. Needed: .*合作伙伴密钥.*or a key of your own of 16 to 128/],
      ['2088102534368455', /^ORIGIN_MD5_KEY: looks like your partner id/],
      [`密钥${key}`, /^ORIGIN_MD5_KEY: contains characters that are not ASCII/],
    ] as const) {
      const problems = await problemsOf(legacy(pasted));
      expect(problems).toEqual([expect.stringMatching(message)]);
      expect(problems[0]).not.toContain(pasted.slice(-6));
    }
  });
});

describe('URLs with a user name or password (fetch does not send them)', () => {
  const message = "must not carry a user name or password (fetch does not send them): protect the page another way (check the request's signature, or a token in the query string)";

  it.each(['ORIGIN_URL', 'ORIGIN_RETURN_URL'] as const)('%s is refused, quoting none of it', async (name) => {
    const problems = await problemsOf(validEnv({ [name]: 'https://m3rchant:p4ss@shop.example.com/n.asp?token=T0K' }));
    expect(problems).toEqual([`${name}: ${message}`]);
    for (const part of ['m3rchant', 'p4ss', 'T0K']) expect(problems[0]).not.toContain(part);
    expect(await problemsOf(validEnv({ [name]: 'https://user@shop.example.com/n.asp' }))).toEqual([`${name}: ${message}`]);
  });

  it('ALERT_URL is refused the same way', async () => {
    const problems = await problemsOf(validEnv({ ALERT_URL: 'https://u:pw0rd@hooks.example.com/x' }));
    expect(problems).toEqual([`ALERT_URL: ${message}`]);
    expect(problems[0]).not.toContain('pw0rd');
  });
});

describe('STATUS_ALLOWED_ORIGINS as the browser sends the Origin header', () => {
  const withOrigins = (origins: string) => validEnv({ STATUS_SECRET: 'x'.repeat(40), STATUS_ALLOWED_ORIGINS: origins });

  it('a Chinese (IDN) host is its punycode; a default port is dropped', async () => {
    const config = await configOf(withOrigins('https://商店.example.com, https://Shop.Example.com:443/'));
    expect(config.visibility.statusAllowedOrigins).toEqual(['https://xn--czrs0t.example.com', 'https://shop.example.com']);
  });

  it.each(['https://商店.example.com/pay', 'https://u:p@shop.example.com', 'https://shop.example.com/?', 'https://shop.example.com#x'])('refuses %s', async (origin) => {
    expect(await problemsOf(withOrigins(origin))).toEqual([expect.stringMatching(/^STATUS_ALLOWED_ORIGINS: ".*" is not an origin: write only scheme, host and port/)]);
  });
});

describe('durations in any letter case', () => {
  it('RETRY_SCHEDULE, DELIVERY_TIMEOUT and MAX_NOTIFY_AGE take upper-case units', async () => {
    const config = await configOf(validEnv({ RETRY_SCHEDULE: '30S,2M,1H', DELIVERY_TIMEOUT: '15S', MAX_NOTIFY_AGE: '72H' }));
    expect(config.forward.retryScheduleMs).toEqual([30_000, 120_000, 3_600_000]);
    expect(config.forward.timeoutMs).toBe(15_000);
    expect(config.alipay.maxNotifyAgeMs).toBe(72 * 3_600_000);
  });
});

describe('memoization', () => {
  it('parses the same strings once per isolate', async () => {
    const env = validEnv({ FORWARD_EVENTS: 'paid,closed' });
    const first = loadConfig(env);
    const second = loadConfig({ ...env });
    expect(second).toBe(first);
    expect(await second).toBe(await first);
  });

  it('parses again when a number from wrangler.toml changes', async () => {
    const two = await configOf(validEnv({ INDEX_SHARDS: 2 as unknown as string }));
    const three = await configOf(validEnv({ INDEX_SHARDS: 3 as unknown as string }));
    expect([two.visibility.indexShards, three.visibility.indexShards]).toEqual([2, 3]);
  });

  it('parses again when a value changes', async () => {
    const a = await configOf(validEnv({ FORWARD_EVENTS: 'paid' }));
    const b = await configOf(validEnv({ FORWARD_EVENTS: 'refund' }));
    expect(b).not.toBe(a);
    expect([...b.forward.events]).toEqual(['refund']);
  });
});
