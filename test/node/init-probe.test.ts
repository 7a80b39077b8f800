// init's test of the receiving page: the example Node receiver (which verifies with the reference
// `standardwebhooks` library) takes the probe and refuses its wrongly signed twin; pages that
// redirect, print the wrong thing, check nothing or are not there are each named for what they are.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin } from '../../examples/node-origin/origin.mjs';
import type { OriginEvent, RunningOrigin } from '../../examples/node-origin/origin.d.mts';
import { PROBE_ORDER_PREFIX, probeReceivingPage } from '../../cli/init-probe';
import { newForwardSecret } from '../../cli/secret';
import { parseDevVars } from '../../cli/dev-config';
import { receiverSnippet, RECEIVERS } from '../../cli/init-snippets';

const secret = newForwardSecret();
let origin: RunningOrigin;
const events: OriginEvent[] = [];

beforeAll(async () => {
  origin = await startOrigin({
    port: 0,
    secret,
    log: null,
    onEvent: (event) => void events.push(event),
  });
});
afterAll(() => origin.close());

let stub: Server | null = null;
afterEach(async () => {
  if (stub) await new Promise((resolve) => stub!.close(resolve));
  stub = null;
});

async function stubPage(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  stub = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => stub!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(stub.address() as AddressInfo).port}/pay/notify_origin.asp`;
}

describe('probeReceivingPage', () => {
  it('the example receiver takes the signed "waiting" test event and refuses the wrongly signed copy', async () => {
    const outcome = await probeReceivingPage({ originUrl: `${origin.url}pay/notify_origin`, forwardSecret: secret, appId: '2021000123456789' });
    expect(outcome).toEqual({ kind: 'ok', status: 200 });
    expect(events).toHaveLength(1);
    expect(events[0]!.kind).toBe('waiting');
    expect(events[0]!.contentType).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(events[0]!.fields).toMatchObject({ trade_status: 'WAIT_BUYER_PAY', app_id: '2021000123456789', total_amount: '0.01' });
    expect(events[0]!.fields!['out_trade_no']).toMatch(new RegExp(`^${PROBE_ORDER_PREFIX}[0-9a-f]{24}$`));
  });

  it('a page that has another secret refuses the signature', async () => {
    const outcome = await probeReceivingPage({ originUrl: origin.url, forwardSecret: newForwardSecret() });
    expect(outcome).toMatchObject({ kind: 'secret-refused', status: 401, excerpt: 'signature-mismatch' });
  });

  it('a page that says success to anything does not check signatures', async () => {
    const url = await stubPage((_req, res) => res.end('success'));
    expect(await probeReceivingPage({ originUrl: url, forwardSecret: secret })).toEqual({ kind: 'accepts-forgery', status: 200 });
  });

  it('a redirect is reported, not followed', async () => {
    const url = await stubPage((_req, res) => res.writeHead(301, { location: 'https://shop.example.com/pay/notify_origin.asp' }).end());
    expect(await probeReceivingPage({ originUrl: url, forwardSecret: secret })).toMatchObject({ kind: 'redirect', status: 301 });
  });

  it('a 2xx that is not exactly "success" (a BOM, HTML) is a wrong ack', async () => {
    const url = await stubPage((_req, res) => res.end('\ufeffsuccess<br>'));
    expect(await probeReceivingPage({ originUrl: url, forwardSecret: secret })).toMatchObject({ kind: 'wrong-ack', status: 200, ackBody: 'success' });
  });

  it('a page whose clock is off is named as such', async () => {
    const url = await stubPage((_req, res) => res.writeHead(403).end('timestamp-too-old'));
    expect(await probeReceivingPage({ originUrl: url, forwardSecret: secret })).toMatchObject({ kind: 'clock', status: 403 });
  });

  it('a FORWARD_SECRET that is not a whsec_ secret is named as such, and nothing is sent', async () => {
    const before = events.length;
    for (const bad of ['not-a-secret', 'whsec_c2hvcnQ=', '']) {
      const outcome = await probeReceivingPage({ originUrl: `${origin.url}pay/notify_origin`, forwardSecret: bad });
      expect(outcome).toMatchObject({ kind: 'bad-secret', message: expect.any(String) });
    }
    expect(await probeReceivingPage({ originUrl: origin.url, forwardSecret: 'pasted-by-mistake' })).toEqual({
      kind: 'bad-secret',
      message: 'the value does not start with whsec_ (generate one with: npx alipay-notify-edge secret)',
    });
    expect(events.length).toBe(before);
  });

  it('nothing listening, and an address the gateway would refuse', async () => {
    const url = await stubPage(() => {});
    await new Promise((resolve) => stub!.close(resolve));
    stub = null;
    expect(await probeReceivingPage({ originUrl: url, forwardSecret: secret })).toMatchObject({ kind: 'unreachable', message: expect.stringContaining('connection refused') });
    expect(await probeReceivingPage({ originUrl: 'http://shop.example.com/pay/x.asp', forwardSecret: secret })).toMatchObject({ kind: 'bad-url', message: expect.stringContaining('https') });
  });
});

describe('receiverSnippet', () => {
  it('never puts the secret on a command line (shell history): the node example gets a line for the file it reads', () => {
    for (const receiver of RECEIVERS) expect(receiverSnippet(receiver, secret).text).not.toMatch(/\bnode\s/);
    const node = receiverSnippet('node', secret);
    expect(node.file).toContain('.dev.vars');
    expect(parseDevVars(node.text)).toEqual({ FORWARD_SECRET: secret });
  });
});
