// The operator's list of events that exhausted their retries. One small object for the whole
// deployment; it is written only when an event dies (or a dead one is redelivered), never on the
// hot path, so a single instance is plenty.
import { DurableObject } from 'cloudflare:workers';
import type { EventKind } from '../alipay/types';
import type { GatewayEnv } from '../env';
import { migrate, type Migration } from './schema';

const DEAD_LETTER_INDEX_NAME = 'dead-letters';

export interface DeadLetter {
  orderKey: string;
  eventKey: string;
  kind: EventKind;
  webhookId: string;
  attempts: number;
  lastError: string | null;
  diedAt: number;
}

interface DeadLetterView extends Omit<DeadLetter, 'diedAt'> {
  diedAt: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE dead_letters (
        order_key TEXT NOT NULL,
        event_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        webhook_id TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_error TEXT,
        died_at INTEGER NOT NULL,
        PRIMARY KEY (order_key, event_key)
      )`,
      `CREATE INDEX dead_letters_by_time ON dead_letters (died_at)`,
    ],
  },
];

const MAX_LIST = 500;

export class DeadLetterIndex extends DurableObject<GatewayEnv> {
  constructor(ctx: DurableObjectState, env: GatewayEnv) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, MIGRATIONS);
    });
  }

  /** Idempotent: the ledger may call it again if it could not mark the event as indexed. */
  record(entry: DeadLetter): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO dead_letters (order_key, event_key, kind, webhook_id, attempts, last_error, died_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (order_key, event_key) DO UPDATE SET attempts = excluded.attempts, last_error = excluded.last_error, died_at = excluded.died_at`,
      entry.orderKey,
      entry.eventKey,
      entry.kind,
      entry.webhookId,
      entry.attempts,
      entry.lastError,
      entry.diedAt,
    );
  }

  /** The event was redelivered successfully: it is no longer dead. */
  resolve(orderKey: string, eventKey: string): void {
    this.ctx.storage.sql.exec('DELETE FROM dead_letters WHERE order_key = ? AND event_key = ?', orderKey, eventKey);
  }

  /** Newest first. */
  list(limit = 100): DeadLetterView[] {
    const rows = this.ctx.storage.sql
      .exec('SELECT * FROM dead_letters ORDER BY died_at DESC, order_key, event_key LIMIT ?', Math.max(1, Math.min(limit, MAX_LIST)))
      .toArray() as unknown as {
      order_key: string;
      event_key: string;
      kind: EventKind;
      webhook_id: string;
      attempts: number;
      last_error: string | null;
      died_at: number;
    }[];
    return rows.map((r) => ({
      orderKey: r.order_key,
      eventKey: r.event_key,
      kind: r.kind,
      webhookId: r.webhook_id,
      attempts: r.attempts,
      lastError: r.last_error,
      diedAt: new Date(r.died_at).toISOString(),
    }));
  }
}

export function deadLetterIndex(env: GatewayEnv): DurableObjectStub<DeadLetterIndex> {
  return env.DEAD_LETTERS.get(env.DEAD_LETTERS.idFromName(DEAD_LETTER_INDEX_NAME));
}
