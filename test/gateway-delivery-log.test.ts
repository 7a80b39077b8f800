// The delivery attempt's log line is what an operator reads when the origin does not take an
// event: it names the cause (DNS, refused, TLS, timeout, reset, HTTP status) and carries the start
// of the origin's answer, one line, buyer identities masked; last_error says the same.
import { describe, expect, it } from 'vitest';
import { captureJsonLogs } from './support/json-logs';
import { mockOrigin, orderKeyOf, postNotify, settled } from './support/gateway';
import { signedNotification as signParams, tradeParams } from './support/notifications';

const logs = captureJsonLogs();

function attemptLines(orderKey: string): Record<string, unknown>[] {
  return logs.lines.filter((l) => l['msg'] === 'delivery attempt' && l['order'] === orderKey);
}

describe('the delivery attempt log line', () => {
  it("carries the origin's refusal: status, named cause and a short sanitized excerpt", async () => {
    const page = `<html>\r\n<b>Order not found</b>\n buyer_id=2088102122524333 ${'x'.repeat(1000)}`;
    mockOrigin(() => new Response(page, { status: 500 }));
    const params = tradeParams();
    expect((await postNotify(await signParams(params))).status).toBe(200);
    const ledger = await settled(orderKeyOf(params));

    const [line, ...more] = attemptLines(orderKeyOf(params));
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'warn', outcome: 'http-status', status: 500, error: 'the origin answered HTTP 500', state: 'pending' });
    const said = String(line!['origin_said']);
    expect(said.startsWith('<html> <b>Order not found</b> buyer_id=2088********4333 xxx')).toBe(true);
    expect(said.length).toBeLessThanOrEqual(201);
    expect(said).not.toMatch(/[\r\n]/);
    expect(ledger.events[0]!.lastError).toBe('http-status: the origin answered HTTP 500');
  });

  it('names an unreachable origin in one line, and last_error says the same', async () => {
    mockOrigin(() => {
      throw new Error('internal error; reference = 9jkd5rhm76ahqqa106g80luq');
    });
    const params = tradeParams();
    await postNotify(await signParams(params));
    const ledger = await settled(orderKeyOf(params));

    const [line] = attemptLines(orderKeyOf(params));
    // The test origin is https://origin.test/...: a host name over https.
    const hint = 'DNS lookup or TLS handshake failed for origin.test:443: check that origin.test resolves';
    expect(line).toMatchObject({ outcome: 'network-error', status: null });
    expect(String(line!['error'])).toContain(hint);
    expect(line!['origin_said']).toBeUndefined();
    expect(ledger.events[0]!.lastError).toContain(`network-error: ${hint}`);
    expect(JSON.stringify(line)).not.toContain('reference');
  });

  it('a delivered attempt has neither error nor excerpt', async () => {
    mockOrigin(() => new Response('success'));
    const params = tradeParams();
    await postNotify(await signParams(params));
    await settled(orderKeyOf(params));
    const [line] = attemptLines(orderKeyOf(params));
    expect(line).toMatchObject({ outcome: 'delivered', status: 200 });
    expect(Object.keys(line!)).not.toContain('error');
    expect(Object.keys(line!)).not.toContain('origin_said');
  });
});
