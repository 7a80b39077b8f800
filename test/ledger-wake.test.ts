// Nothing a ledger owes is ever left without its alarm: a released payment has one before anything
// else is awaited, and a ledger that wakes up (a new instance) with work owed and no alarm, because
// an eviction or a failed call left it unset, sets it again.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { OrderLedger } from '../src/orders/ledger';
import { migrate } from '../src/orders/schema';
import { ledger, mockOrigin, orderKeyOf, postNotify, settled } from './support/gateway';
import { signedNotification, tradeParams, uniqueId } from './support/notifications';

describe('the ledger\'s alarm', () => {
  it('a held payment released by an operator is owed now, with its alarm set while the index push is still out', async () => {
    mockOrigin();
    const outTradeNo = uniqueId('release');
    const key = `2021000000000001:${outTradeNo}`;
    const seen = await runInDurableObject(ledger(key), async (instance: OrderLedger, state) => {
      const sql = state.storage.sql;
      migrate(state.storage); // a new ledger has no tables before its first write
      const now = Date.now();
      sql.exec('INSERT INTO order_info (id, order_key, app, out_trade_no, created_at) VALUES (1, ?, ?, ?, ?)', key, '2021000000000001', outTradeNo, now);
      sql.exec(
        `INSERT INTO notifications (notify_id, event_key, received_at, last_seen_at, trade_status, sign_type, content_rule, charset, body_bytes, raw_body, params_json)
         VALUES ('n1', 'paid', ?, ?, 'TRADE_SUCCESS', 'RSA2', 'v1', 'utf-8', 3, X'616263', '{}')`,
        now,
        now,
      );
      sql.exec(`INSERT INTO events (event_key, kind, notify_id, webhook_id, state, last_error, created_at) VALUES ('paid', 'paid', 'n1', 'msg_x', 'held', 'amount-mismatch', ?)`, now);
      sql.exec('UPDATE index_outbox SET pushed_version = version');
      await state.storage.deleteAlarm();
      // The payments index answers slowly (overloaded), and this instance may be evicted meanwhile.
      let answer!: () => void;
      const slow = new Promise<void>((resolve) => (answer = resolve));
      const outbox = (instance as unknown as { outbox: { env: Record<string, unknown> } }).outbox;
      outbox.env = { ...outbox.env, PAYMENTS_INDEX: { idFromName: () => ({}), get: () => ({ upsert: () => slow.then(() => true) }) } };
      const released = instance.resolveAmount('paid', 'release');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const during = { state: sql.exec<{ state: string }>('SELECT state FROM events').one().state, alarm: await state.storage.getAlarm() };
      answer();
      await released;
      return during;
    });
    // With its alarm set at once, the alarm may already have delivered it; without, it waits, owed, with none.
    if (seen.state === 'pending') expect(seen.alarm).not.toBeNull();
    else expect(seen.state).toBe('delivered');
  });

  it('a ledger that wakes up owing a retry with no alarm set (an eviction or a failed call left none) sets it again', async () => {
    mockOrigin(() => new Response('down', { status: 500 }));
    const params = tradeParams();
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    const owed = await settled(key);
    expect(owed.events[0]).toMatchObject({ state: 'pending', attempts: 1 });
    const retryAt = Date.parse(owed.events[0]!.nextAttemptAt!);
    await runInDurableObject(ledger(key), (_instance, state) => state.storage.deleteAlarm());
    await abortAllDurableObjects(); // the next call meets a new instance
    const alarm = await runInDurableObject(ledger(key), (_instance, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(retryAt);
  });

  it('a query cut off with a previous instance, and asking Alipay since switched off: the lease is cleared, and the alarm not re-armed in the past', async () => {
    const outTradeNo = uniqueId('stale-lease');
    const key = `2021000000000001:${outTradeNo}`;
    const stub = ledger(key);
    await runInDurableObject(stub, async (_instance, state) => {
      const sql = state.storage.sql;
      migrate(state.storage); // a new ledger has no tables before its first write
      const now = Date.now();
      sql.exec('INSERT INTO order_info (id, order_key, app, out_trade_no, created_at) VALUES (1, ?, ?, ?, ?)', key, '2021000000000001', outTradeNo, now - 120_000);
      sql.exec(
        `INSERT INTO reconcile (id, state, started_at, first_trigger, schedule_since, next_query_at, lease_until, queries)
         VALUES (1, 'asking', ?, 'registered', ?, ?, ?, 1)`,
        now - 120_000,
        now - 120_000,
        now - 90_000,
        now - 1_000,
      );
      sql.exec('UPDATE index_outbox SET pushed_version = version');
      await state.storage.setAlarm(now - 1_000);
    });
    await runDurableObjectAlarm(stub); // this project has no ALIPAY_APP_PRIVATE_KEY: asking is off
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarm === null || alarm > Date.now()).toBe(true);
    const reconcile = await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec('SELECT state, lease_until FROM reconcile').one());
    expect(reconcile).toMatchObject({ state: 'idle', lease_until: null });
  });
});
