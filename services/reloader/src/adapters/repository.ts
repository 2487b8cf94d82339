// The reloader's tables (replicas, rollouts) on PostgreSQL or PGlite, and the outbox rows that
// carry its commands and model events. Only this file touches SQL.
import type { ModelEvent, ReplicaCommand, ReplicaHeartbeat, Topics } from '@zhner/contracts';
import { enqueueOutbox, type OutboxMessage, type SqlClient } from '@zhner/store';
import { modelEventOf, rolloutDetail, type ReplicaView, type Rollout, type RolloutState, type Transition } from '../domain/rollout';
import type { InsertResult, ReplicaRecord, ReplicaRepository, RolloutRepository } from '../app/ports';

const ms = (v: unknown): number | null => (v == null ? null : v instanceof Date ? v.getTime() : new Date(String(v)).getTime());

interface ReplicaRow {
  replica_id: string;
  service: string;
  model_version: string | null;
  state: ReplicaView['state'];
  last_command_id: string | null;
  last_error: string | null;
  docs_tagged: number;
  errors: number;
  p99_latency_ms: number | null;
  last_seen_ms: number;
}

export class SqlReplicaRepository implements ReplicaRepository {
  constructor(private readonly db: SqlClient) {}

  async record(heartbeats: readonly ReplicaHeartbeat[]): Promise<void> {
    for (const h of heartbeats) {
      await this.db.query(
        `INSERT INTO replicas (replica_id, service, model_version, state, last_command_id, last_error, docs_tagged, errors, p99_latency_ms, last_seen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10::float8 / 1000))
         ON CONFLICT (replica_id) DO UPDATE SET
           service = EXCLUDED.service, model_version = EXCLUDED.model_version, state = EXCLUDED.state,
           last_command_id = EXCLUDED.last_command_id, last_error = EXCLUDED.last_error, docs_tagged = EXCLUDED.docs_tagged,
           errors = EXCLUDED.errors, p99_latency_ms = EXCLUDED.p99_latency_ms, last_seen = EXCLUDED.last_seen
         WHERE replicas.last_seen <= EXCLUDED.last_seen`,
        [h.replicaId, h.service, h.modelVersion, h.state, h.lastCommandId, h.lastError, h.docsTagged, h.errors, h.p99LatencyMs, h.at],
      );
    }
  }

  async list(db: SqlClient = this.db): Promise<ReplicaRecord[]> {
    const { rows } = await db.query<ReplicaRow>(
      `SELECT replica_id, service, model_version, state, last_command_id, last_error, docs_tagged, errors, p99_latency_ms,
              (extract(epoch FROM last_seen) * 1000)::float8 AS last_seen_ms
         FROM replicas ORDER BY replica_id`,
    );
    return rows.map((r) => ({
      replicaId: r.replica_id,
      service: r.service,
      modelVersion: r.model_version,
      state: r.state,
      lastCommandId: r.last_command_id,
      lastError: r.last_error,
      docsTagged: r.docs_tagged,
      errors: r.errors,
      p99LatencyMs: r.p99_latency_ms,
      lastSeen: Math.round(r.last_seen_ms),
    }));
  }
}

interface RolloutRow {
  rollout_id: string;
  model_version: string;
  previous_version: string | null;
  state: RolloutState;
  canary_replica: string | null;
  detail: ReturnType<typeof rolloutDetail>;
  started_at: unknown;
  updated_at: unknown;
  finished_at: unknown;
}

function toRollout(row: RolloutRow): Rollout & { updatedAt: number } {
  return {
    ...row.detail,
    rolloutId: row.rollout_id,
    modelVersion: row.model_version,
    previousVersion: row.previous_version,
    state: row.state,
    canaryReplica: row.canary_replica,
    createdAt: ms(row.started_at)!,
    finishedAt: ms(row.finished_at),
    updatedAt: ms(row.updated_at)!,
  };
}

const OPEN = `state IN ('pending', 'canary', 'rolling')`;

export class SqlRolloutRepository implements RolloutRepository {
  constructor(
    private readonly db: SqlClient,
    private readonly topics: Pick<Topics, 'modelEvents' | 'replicaCommands'>,
    private readonly replicas: SqlReplicaRepository,
    private readonly clock: { now(): number } = { now: () => Date.now() },
  ) {}

  private commandMessage(c: ReplicaCommand): OutboxMessage {
    const t = this.topics.replicaCommands;
    return { topic: t.name, key: t.key(c), payload: t.codec.encode(c), headers: t.codec.headers, dedupeKey: `replica-command:${c.commandId}` };
  }

  private eventMessage(e: ModelEvent): OutboxMessage {
    const t = this.topics.modelEvents;
    return { topic: t.name, key: t.key(e), payload: t.codec.encode(e), headers: t.codec.headers, dedupeKey: `model-event:${e.eventId}` };
  }

  private async save(tx: SqlClient, before: Rollout, t: Transition): Promise<void> {
    const r = t.rollout;
    if (JSON.stringify(before) === JSON.stringify(r) && t.effects.length === 0) return;
    const now = this.clock.now();
    await tx.query(
      `UPDATE rollouts SET previous_version = $2, state = $3, canary_replica = $4, detail = $5::jsonb, updated_at = now(),
              finished_at = CASE WHEN $6::float8 IS NULL THEN NULL ELSE to_timestamp($6::float8 / 1000) END
        WHERE rollout_id = $1`,
      [r.rolloutId, r.previousVersion, r.state, r.canaryReplica, JSON.stringify(rolloutDetail(r)), r.finishedAt],
    );
    const messages = t.effects.map((e) => (e.kind === 'command' ? this.commandMessage(e.command) : this.eventMessage(modelEventOf(r, e, now))));
    if (messages.length) await enqueueOutbox(tx, messages);
  }

  async insert(rollout: Rollout, opts: { exclusive: boolean }): Promise<InsertResult> {
    return this.db.transaction(async (tx) => {
      if (this.db.kind === 'postgres') await tx.query(`SELECT pg_advisory_xact_lock(hashtext('zhner.rollouts.insert'))`);
      const existing = await this.get(rollout.rolloutId, tx);
      if (existing) return { result: 'duplicate', rollout: existing };
      if (opts.exclusive) {
        const { rows } = await tx.query<RolloutRow>(`SELECT * FROM rollouts WHERE ${OPEN} ORDER BY started_at LIMIT 1`);
        if (rows[0]) return { result: 'conflict', active: toRollout(rows[0]) };
      }
      await tx.query(
        `INSERT INTO rollouts (rollout_id, model_version, previous_version, state, canary_replica, detail, started_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, to_timestamp($7::float8 / 1000), now())`,
        [rollout.rolloutId, rollout.modelVersion, rollout.previousVersion, rollout.state, rollout.canaryReplica, JSON.stringify(rolloutDetail(rollout)), rollout.createdAt],
      );
      return { result: 'inserted', rollout };
    });
  }

  async driveActive(step: (rollout: Rollout, replicas: ReplicaView[]) => Transition): Promise<Transition | null> {
    return this.db.transaction(async (tx) => {
      const lock = this.db.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
      // the rollout in canary/rolling first, else the oldest pending
      const { rows } = await tx.query<RolloutRow>(
        `SELECT * FROM rollouts WHERE ${OPEN} ORDER BY (state = 'pending'), started_at, rollout_id LIMIT 1 ${lock}`,
      );
      if (!rows[0]) return null;
      const before = toRollout(rows[0]);
      const { updatedAt: _u, ...plain } = before;
      const t = step(plain, await this.replicas.list(tx));
      await this.save(tx, plain, t);
      return t;
    });
  }

  async drive(rolloutId: string, step: (rollout: Rollout) => Transition): Promise<Transition | null> {
    return this.db.transaction(async (tx) => {
      const lock = this.db.kind === 'postgres' ? 'FOR UPDATE' : '';
      const { rows } = await tx.query<RolloutRow>(`SELECT * FROM rollouts WHERE rollout_id = $1 ${lock}`, [rolloutId]);
      if (!rows[0]) return null;
      const { updatedAt: _u, ...plain } = toRollout(rows[0]);
      const t = step(plain);
      await this.save(tx, plain, t);
      return t;
    });
  }

  async enqueueCommands(commands: readonly ReplicaCommand[]): Promise<void> {
    await enqueueOutbox(this.db, commands.map((c) => this.commandMessage(c)));
  }

  async get(rolloutId: string, db: SqlClient = this.db): Promise<(Rollout & { updatedAt: number }) | null> {
    const { rows } = await db.query<RolloutRow>('SELECT * FROM rollouts WHERE rollout_id = $1', [rolloutId]);
    return rows[0] ? toRollout(rows[0]) : null;
  }

  async list(limit: number): Promise<Array<Rollout & { updatedAt: number }>> {
    const { rows } = await this.db.query<RolloutRow>('SELECT * FROM rollouts ORDER BY started_at DESC, rollout_id DESC LIMIT $1', [limit]);
    return rows.map(toRollout);
  }

  async lastCompleted(): Promise<Rollout | null> {
    const { rows } = await this.db.query<RolloutRow>(`SELECT * FROM rollouts WHERE state = 'completed' ORDER BY finished_at DESC NULLS LAST LIMIT 1`);
    return rows[0] ? toRollout(rows[0]) : null;
  }

  async countsByState(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM rollouts GROUP BY state');
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }
}
