import { errorMessage } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import type { SqlClient } from './client';

/** What the relay needs from the bus (structural, so the store does not depend on the bus). */
export interface RawPublisher {
  publishRaw(topic: string, records: Array<{ key: string | null; value: Buffer; headers?: Record<string, string> }>): Promise<void>;
}

export interface OutboxMessage {
  topic: string;
  key: string | null;
  payload: Buffer;
  headers?: Record<string, string>;
  /** Idempotency key: enqueueing the same key twice keeps the first row. */
  dedupeKey?: string;
}

/** Adds messages to the outbox inside the caller's transaction. Returns how many rows were new. */
export async function enqueueOutbox(tx: SqlClient, messages: OutboxMessage[]): Promise<number> {
  let added = 0;
  for (const m of messages) {
    const r = await tx.query(
      `INSERT INTO outbox (topic, msg_key, payload, headers, dedupe_key) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [m.topic, m.key, m.payload, JSON.stringify(m.headers ?? {}), m.dedupeKey ?? null],
    );
    added += r.rowCount;
  }
  return added;
}

interface PendingRow {
  id: number;
  topic: string;
  msg_key: string | null;
  payload: Buffer | Uint8Array;
  headers: Record<string, string>;
}

/**
 * Publishes pending outbox rows in id order and marks them. A crash between publish and mark
 * republishes the same bytes (same event id): consumers are idempotent on event ids, so an event is
 * never lost and never becomes two different events.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly db: SqlClient,
    private readonly publisher: RawPublisher,
    private readonly logger: Logger,
    private readonly opts: { intervalMs?: number; batchSize?: number } = {},
  ) {}

  /** Publishes up to one batch now; returns how many rows were published. */
  flush(): Promise<number> {
    if (!this.running) {
      this.running = this.flushOnce().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async flushOnce(): Promise<number> {
    const limit = this.opts.batchSize ?? 200;
    return this.db.transaction(async (tx) => {
      const lock = this.db.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
      const { rows } = await tx.query<PendingRow>(`SELECT id, topic, msg_key, payload, headers FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 ${lock}`, [limit]);
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, PendingRow[]>();
      for (const r of rows) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
      const published: number[] = [];
      for (const [topic, list] of byTopic) {
        try {
          await this.publisher.publishRaw(topic, list.map((r) => ({ key: r.msg_key, value: Buffer.from(r.payload), headers: r.headers })));
          published.push(...list.map((r) => r.id));
        } catch (err) {
          this.logger.warn({ err: errorMessage(err), topic, rows: list.length }, 'outbox publish failed; will retry');
          await tx.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])', [list.map((r) => r.id), errorMessage(err).slice(0, 500)]);
        }
      }
      if (published.length) await tx.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [published]);
      return published.length;
    });
  }

  /** Polls every `intervalMs` (default 250 ms) until stop(). */
  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        const n = await this.flush();
        this.timer = setTimeout(tick, n > 0 ? 0 : (this.opts.intervalMs ?? 250));
      } catch (err) {
        this.logger.warn({ err: errorMessage(err) }, 'outbox relay failed; retrying');
        this.timer = setTimeout(tick, 1000);
      }
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops polling after publishing what is pending now. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    try {
      while ((await this.flushOnce()) > 0);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'outbox not fully flushed at stop; rows stay pending');
    }
  }

  async pending(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
    return rows[0].n;
  }
}
