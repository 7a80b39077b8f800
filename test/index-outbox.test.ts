// The ledger writes the payments index through its outbox: the change and the "index owed" mark
// in one transaction, pushed by the ledger's alarm, versioned, retried; an unreachable index
// delays the row, never Alipay's answer.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { base64Decode } from '../src/utils/base64';
import { sha256Hex } from '../src/utils/hex';
import { parseBeijingTime } from '../src/alipay/beijing-time';
import { paymentsIndex } from '../src/payments/index-stub';
import { LEDGER_MIGRATIONS, migrate } from '../src/orders/schema';
import { TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64 } from './fixtures/gateway-test-keys';
import { captureJsonLogs } from './support/json-logs';
import { gatewayEnv, indexedRow, indexOf, ledger, mockOrigin, orderKeyOf, postNotify, settled, snapshot, waitForIndexedRow } from './support/gateway';
import { signedNotification, tradeParams, uniqueId } from './support/notifications';
import { SETTLE_MS } from './support/settle';

const logs = captureJsonLogs();

type Outbox = { version: number; pushed_version: number; index_name: string | null; retry_at: number | null; failures: number };

function outboxOf(orderKey: string): Promise<Outbox> {
  return runInDurableObject(ledger(orderKey), (_i, state) => state.storage.sql.exec<Outbox>('SELECT * FROM index_outbox').one());
}

describe('index outbox', () => {
  it('a paid notification becomes an index row: amounts in cents, status, delivery, times', async () => {
    mockOrigin();
    const params = tradeParams({ total_amount: '88.80' });
    const key = orderKeyOf(params);
    expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');
    await settled(key);
    const row = await waitForIndexedRow(key, { status: 'paid', delivery: 'delivered' });
    expect(row).toMatchObject({
      appId: params['app_id'],
      outTradeNo: params['out_trade_no'],
      tradeNo: params['trade_no'],
      subject: params['subject'],
      totalCents: 8880,
      refundedCents: 0,
      lastError: null,
    });
    expect(row.paidAt).toBe(parseBeijingTime(params['gmt_payment']!));
    expect(row.firstSeenAt).toBeLessThanOrEqual(row.updatedAt);
    const outbox = await outboxOf(key);
    expect(outbox.pushed_version).toBe(outbox.version);
    expect(outbox.index_name).toMatch(/^\d{4}-\d{2}\/0$/);
  });

  it('a notification that is not forwarded is indexed too, and a later one moves the row on', async () => {
    mockOrigin();
    const waiting = tradeParams({ trade_status: 'WAIT_BUYER_PAY' });
    const key = orderKeyOf(waiting);
    await postNotify(await signedNotification(waiting));
    await waitForIndexedRow(key, { status: 'waiting', delivery: 'not-forwarded', paidAt: null });
    await postNotify(await signedNotification({ ...waiting, trade_status: 'TRADE_SUCCESS', notify_id: uniqueId('nid') }));
    await settled(key);
    await waitForIndexedRow(key, { status: 'paid', delivery: 'delivered' });
  });

  it('the mark is written with the change: every visible change bumps the version, a re-send does not', async () => {
    mockOrigin(() => new Response('down', { status: 503 }));
    const params = tradeParams();
    const key = orderKeyOf(params);
    const body = await signedNotification(params);
    await postNotify(body);
    // The pool runs the alarm the record set for "now" on its own, so what the first answer left
    // is checked by effect (a version exists), and the rest with the ledger settled.
    expect((await outboxOf(key)).version).toBeGreaterThan(0);
    await settled(key);
    const settledOutbox = await outboxOf(key);
    // A visible change made inside a transaction carries its mark in that same transaction: read
    // back before the transaction ends, the version has already moved.
    const bumpedInside = await runInDurableObject(ledger(key), (_i, state) =>
      state.storage.transactionSync(() => {
        state.storage.sql.exec(`UPDATE events SET last_error = 'changed by the test' WHERE event_key = 'paid'`);
        return state.storage.sql.exec<{ version: number }>('SELECT version FROM index_outbox').one().version;
      }),
    );
    expect(bumpedInside).toBe(settledOutbox.version + 1);
    // A change nobody sees (the lease) bumps nothing.
    await runInDurableObject(ledger(key), (_i, state) => state.storage.sql.exec(`UPDATE events SET lease_until = 1 WHERE event_key = 'paid'`));
    expect((await outboxOf(key)).version).toBe(bumpedInside);
    await postNotify(body); // a re-send of the same notify_id
    expect((await outboxOf(key)).version).toBe(bumpedInside);
    await waitForIndexedRow(key, { delivery: 'pending' });
  });

  it('an unreachable index delays the row, never the answer; the alarm pushes it once the index is back', async () => {
    mockOrigin();
    const params = tradeParams({ trade_status: 'TRADE_CLOSED' });
    const key = orderKeyOf(params);
    const index = indexOf(key);
    // Break this month's index: every write to it fails until the table is back. The ledger's own
    // push must fail, so it fails inside the index object, and workerd prints each failed call as an
    // "uncaught exception … no such table: payments" line: expected here.
    await runInDurableObject(index, (_i, state) => state.storage.sql.exec('ALTER TABLE payments RENAME TO payments_away'));
    try {
      expect(await (await postNotify(await signedNotification(params))).text()).toBe('success');
      // The pool runs the alarm set for "now" by itself; run it here in case it has not yet.
      await runDurableObjectAlarm(ledger(key));
      await vi.waitFor(async () => expect(await outboxOf(key)).toMatchObject({ failures: 1 }), { timeout: SETTLE_MS, interval: 20 });
      const failed = await outboxOf(key);
      expect(failed.pushed_version).toBeLessThan(failed.version);
      expect(failed.retry_at).toBeGreaterThan(Date.now() + 30_000);
      // The ledger's alarm now waits for the retry (not "now", which would spin on a dead index).
      const alarm = await runInDurableObject(ledger(key), (_i, state) => state.storage.getAlarm());
      expect(alarm).toBe(failed.retry_at);
      expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'payments index unreachable; the row will be pushed later', order: key }));
    } finally {
      await runInDurableObject(index, (_i, state) => state.storage.sql.exec('ALTER TABLE payments_away RENAME TO payments'));
    }
    expect(await indexedRow(key)).toBeUndefined();
    // Time travel to the retry.
    await runInDurableObject(ledger(key), (_i, state) => state.storage.sql.exec('UPDATE index_outbox SET retry_at = ?', Date.now()));
    await runDurableObjectAlarm(ledger(key));
    await waitForIndexedRow(key, { status: 'closed', delivery: 'not-forwarded' });
    expect(await outboxOf(key)).toMatchObject({ failures: 0, retry_at: null });
  });

  it('pushes are idempotent: running the alarm again writes nothing new', async () => {
    mockOrigin();
    const params = tradeParams();
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    await settled(key);
    const row = await waitForIndexedRow(key, { delivery: 'delivered' });
    const before = await outboxOf(key);
    await runInDurableObject(ledger(key), async (instance) => {
      await instance.alarm();
      await instance.alarm();
    });
    expect(await outboxOf(key)).toEqual(before);
    expect(await indexedRow(key)).toEqual(row);
  });

  it('a push that fails after an overlapping one delivered the same version leaves no backoff behind', async () => {
    const outTradeNo = uniqueId('overlap');
    const key = `2021000000000001:${outTradeNo}`;
    const outbox = await runInDurableObject(ledger(key), async (instance, state) => {
      const sql = state.storage.sql;
      migrate(state.storage); // a new ledger has no tables before its first write
      sql.exec('INSERT INTO order_info (id, order_key, app, out_trade_no, created_at) VALUES (1, ?, ?, ?, ?)', key, '2021000000000001', outTradeNo, Date.now());
      // Registered by the site: an order the index lists (IndexOutbox.listable).
      sql.exec(`INSERT INTO reconcile (id, state, started_at, first_trigger, schedule_since, registered_at) VALUES (1, 'idle', ?, 'registered', ?, ?)`, Date.now(), Date.now(), Date.now());
      sql.exec('UPDATE index_outbox SET version = pushed_version + 1');
      const pusher = (instance as unknown as { outbox: { env: Record<string, unknown>; push(shards: number, now: number, force?: boolean): Promise<void> } }).outbox;
      // The alarm's push is slow and then fails; an operator's forced push, made meanwhile, succeeds.
      let fail!: () => void;
      const slowFailure = new Promise<boolean>((_resolve, reject) => (fail = () => reject(new Error('Network connection lost.'))));
      let calls = 0;
      pusher.env = { ...pusher.env, PAYMENTS_INDEX: { idFromName: () => ({}), get: () => ({ upsert: () => (++calls === 1 ? slowFailure : Promise.resolve(true)) }) } };
      const alarmPush = pusher.push(1, Date.now());
      await pusher.push(1, Date.now(), true);
      fail();
      await alarmPush;
      return { calls, ...sql.exec<{ retry_at: number | null; failures: number; owed: number }>('SELECT retry_at, failures, version - pushed_version AS owed FROM index_outbox').one() };
    });
    // Both pushes reached the index (the slow one failed), and the failure left no backoff.
    expect(outbox).toEqual({ calls: 2, retry_at: null, failures: 0, owed: 0 });
  });

  it('keeps the key fingerprint that verified each notification, and the facts the row needs after the body is purged', async () => {
    mockOrigin();
    const params = tradeParams();
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    await settled(key);
    const expected = (await sha256Hex(base64Decode(TEST_ONLY_ALIPAY_PUBLIC_KEY_BASE64)!)).slice(0, 16);
    expect((await snapshot(key)).notifications[0]!.keyFingerprint).toBe(expected);
    // Purge the body: the row (and a rebuilt one) keep amount, trade_no and subject.
    await runInDurableObject(ledger(key), (_i, state) => state.storage.sql.exec('UPDATE notifications SET raw_body = NULL, params_json = NULL, body_purged_at = 1'));
    expect(await ledger(key).indexRow()).toMatchObject({ totalCents: 8880, tradeNo: params['trade_no'], subject: params['subject'], status: 'paid' });
  });

  it('a ledger from before the index (schema version 1) fills in its facts and owes its row', async () => {
    const key = `2021000000000001:${uniqueId('pre-index')}`;
    const params = tradeParams();
    const state = await runInDurableObject(ledger(key), (_i, state) => {
      const sql = state.storage.sql;
      migrate(state.storage); // a new ledger has no tables before its first write
      // Back to a version-1 ledger holding one paid, delivered order.
      for (const t of ['reconcile', 'index_outbox', 'attempts', 'events', 'notifications', 'order_info', 'schema_versions']) sql.exec(`DROP TABLE ${t}`);
      migrate(state.storage, LEDGER_MIGRATIONS.slice(0, 1));
      const now = Date.now();
      sql.exec('INSERT INTO order_info (id, order_key, app, out_trade_no, created_at) VALUES (1, ?, ?, ?, ?)', key, '2021000000000001', key.split(':')[1]!, now);
      sql.exec(
        `INSERT INTO notifications (notify_id, event_key, received_at, last_seen_at, trade_status, sign_type, content_rule, charset, body_bytes, raw_body, params_json)
         VALUES ('n1', 'paid', ?, ?, 'TRADE_SUCCESS', 'RSA2', 'v1', 'utf-8', 3, X'616263', ?)`,
        now,
        now,
        JSON.stringify({ ...params, total_amount: '', total_fee: '12.5' }),
      );
      sql.exec(`INSERT INTO events (event_key, kind, notify_id, webhook_id, state, created_at, delivered_at) VALUES ('paid', 'paid', 'n1', 'msg_x', 'delivered', ?, ?)`, now, now);
      migrate(state.storage);
      return {
        facts: sql.exec('SELECT trade_no, subject, total_amount, key_fingerprint FROM notifications').one(),
        outbox: sql.exec<Outbox>('SELECT * FROM index_outbox').one(),
      };
    });
    expect(state.facts).toEqual({ trade_no: params['trade_no'], subject: params['subject'], total_amount: '12.5', key_fingerprint: null });
    expect(state.outbox.version).toBeGreaterThan(state.outbox.pushed_version);
    expect(await ledger(key).indexRow()).toMatchObject({ totalCents: 1250, status: 'paid', delivery: 'delivered' });
  });

  it('a ledger whose asking had ended before schema version 4 owes its row once, and then shows the order closed', async () => {
    const key = `2021000000000001:${uniqueId('pre-v4')}`;
    const owed = await runInDurableObject(ledger(key), (_i, state) => {
      const sql = state.storage.sql;
      migrate(state.storage); // a new ledger has no tables before its first write
      // Back to a version-3 ledger: a registered order, its row pushed, asking ended past its expiry.
      for (const t of ['reconcile', 'index_outbox', 'attempts', 'events', 'notifications', 'order_info', 'schema_versions']) sql.exec(`DROP TABLE ${t}`);
      sql.exec('DROP TRIGGER IF EXISTS index_owed_asking_ended');
      migrate(state.storage, LEDGER_MIGRATIONS.filter((m) => m.version <= 3));
      const now = Date.now();
      sql.exec('INSERT INTO order_info (id, order_key, app, out_trade_no, created_at) VALUES (1, ?, ?, ?, ?)', key, '2021000000000001', key.split(':')[1]!, now);
      sql.exec(
        `INSERT INTO reconcile (id, state, started_at, first_trigger, expected_amount, expected_cents, expires_at, registered_at, schedule_since)
         VALUES (1, 'expired', ?, 'registered', '88.80', 8880, ?, ?, ?)`,
        now, now - 1, now, now,
      );
      sql.exec('UPDATE index_outbox SET pushed_version = version');
      const before = sql.exec<Outbox>('SELECT * FROM index_outbox').one();
      migrate(state.storage);
      const after = sql.exec<Outbox>('SELECT * FROM index_outbox').one();
      // Later changes of state owe the row through the trigger, not again through the migration.
      sql.exec(`UPDATE reconcile SET state = 'asking'`);
      const reopened = sql.exec<Outbox>('SELECT * FROM index_outbox').one();
      sql.exec(`UPDATE reconcile SET state = 'closed'`);
      const closed = sql.exec<Outbox>('SELECT * FROM index_outbox').one();
      return [before.version - before.pushed_version, after.version - after.pushed_version, reopened.version - after.version, closed.version - reopened.version];
    });
    expect(owed).toEqual([0, 1, 1, 1]);
    expect(await ledger(key).indexRow()).toMatchObject({ status: 'closed', totalCents: 8880, paidAt: null });
  });

  it('keeps writing to the index object it chose first (raising INDEX_SHARDS later moves nothing)', async () => {
    mockOrigin();
    const params = tradeParams();
    const key = orderKeyOf(params);
    await postNotify(await signedNotification(params));
    await settled(key);
    await waitForIndexedRow(key, { status: 'paid' });
    // Pretend the first push had chosen shard 5 of an old month: the next push must go there.
    const chosen = `2001-01/5`;
    await runInDurableObject(ledger(key), (_i, state) => state.storage.sql.exec('UPDATE index_outbox SET index_name = ?, version = version + 1', chosen));
    await runDurableObjectAlarm(ledger(key));
    const there = await paymentsIndex(gatewayEnv, chosen).page({ from: 0, to: Number.MAX_SAFE_INTEGER, statuses: null, deliveries: null, before: null, limit: 10 });
    expect(there.map((r) => r.orderKey)).toEqual([key]);
  });
});
