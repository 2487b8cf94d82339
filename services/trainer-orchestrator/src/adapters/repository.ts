// The orchestrator's tables (training_examples, training_runs, training_run_examples,
// model_versions) on PostgreSQL or PGlite. Only this file touches SQL. Entity JSON keeps UTF-16
// offsets as on the topic; timestamps leave as ISO strings.
import type { ModelEvent, TopicSpec } from '@zhner/contracts';
import { PlatformError } from '@zhner/core';
import { enqueueOutbox, type SqlClient } from '@zhner/store';
import { errors } from '../errors';
import { chooseActive, type CorrectionVersion, type Split } from '../domain/examples';
import type { TrainingProgress } from '../domain/progress';
import type {
  AdmittedType,
  ExampleRepository,
  LabelTypeRepository,
  ModelRepository,
  ModelVersionRecord,
  NewRun,
  NewTrainingExample,
  RunOutcome,
  RunRecord,
  RunRepository,
  RunStatus,
  StoredExample,
} from '../app/ports';
import type { GateDecision } from '../domain/gate';
import type { RunTrigger } from '../domain/triggers';

const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const json = (v: unknown) => JSON.stringify(v ?? null);

interface ExampleRow {
  correction_id: string;
  text_hash: string;
  doc_id: string;
  text: string;
  entities: StoredExample['entities'];
  annotator_id: string;
  origin: string;
  split: Split;
  first_used_in: string | null;
  label_set: string[] | null;
}

const EXAMPLE_COLUMNS = 'correction_id, text_hash, doc_id, text, entities, annotator_id, origin, split, first_used_in, label_set';

function toExample(r: ExampleRow): StoredExample {
  return { correctionId: r.correction_id, textHash: r.text_hash, docId: r.doc_id, text: r.text, entities: r.entities, annotator: r.annotator_id, origin: r.origin, split: r.split, firstUsedIn: r.first_used_in, labelSet: r.label_set };
}

interface RunRow {
  run_id: string;
  status: RunStatus;
  trigger: RunTrigger;
  base_version: string | null;
  new_version: string | null;
  config: Record<string, unknown>;
  data_stats: Record<string, unknown>;
  progress: TrainingProgress[];
  metrics: Record<string, unknown>;
  gate: GateDecision | null;
  error: string | null;
  run_dir: string | null;
  created_at: unknown;
  started_at: unknown;
  finished_at: unknown;
  heartbeat_at: unknown;
}

function toRun(r: RunRow): RunRecord {
  return {
    runId: r.run_id,
    status: r.status,
    trigger: r.trigger,
    baseVersion: r.base_version,
    newVersion: r.new_version,
    config: r.config,
    dataStats: r.data_stats,
    progress: r.progress,
    metrics: r.metrics,
    gate: r.gate,
    error: r.error,
    runDir: r.run_dir,
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    heartbeatAt: iso(r.heartbeat_at),
  };
}

interface ModelRow {
  version: string;
  name: string;
  uri: string;
  manifest_sha256: string;
  parent_version: string | null;
  status: ModelVersionRecord['status'];
  metrics: Record<string, unknown>;
  entity_types: string[] | null;
  training_run_id: string | null;
  created_at: unknown;
  promoted_at: unknown;
}

function toModel(r: ModelRow): ModelVersionRecord {
  return {
    version: r.version,
    name: r.name,
    uri: r.uri,
    manifestSha256: r.manifest_sha256,
    parentVersion: r.parent_version,
    status: r.status,
    metrics: r.metrics,
    entityTypes: r.entity_types ?? [],
    trainingRunId: r.training_run_id,
    createdAt: iso(r.created_at)!,
    promotedAt: iso(r.promoted_at),
  };
}

/** The model-events topic the outbox rows are addressed to. */
export type ModelEventsTopic = TopicSpec<'ModelEvent'>;

/** training_examples. */
export class SqlExampleRepository implements ExampleRepository {
  constructor(private readonly db: SqlClient) {}

  async ingest(examples: readonly NewTrainingExample[]): Promise<{ inserted: number }> {
    if (examples.length === 0) return { inserted: 0 };
    return this.db.transaction(async (tx) => {
      const hashes = [...new Set(examples.map((e) => e.textHash))].sort();
      if (this.db.kind === 'postgres') {
        // corrections of one text may arrive on different partitions: serialise their re-decision
        await tx.query('SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext(h) AS k FROM unnest($1::text[]) AS h ORDER BY 1) s', [hashes]);
      }
      let inserted = 0;
      for (const e of examples) {
        const r = await tx.query(
          `INSERT INTO training_examples (correction_id, text_hash, doc_id, text, entities, annotator_id, origin, split, revision, corrected_at, model_version, label_set)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, to_timestamp($10::float8 / 1000), $11, $12::text[])
           ON CONFLICT (correction_id) DO NOTHING`,
          [e.correctionId, e.textHash, e.docId, e.text, json(e.entities), e.annotator, e.origin, e.split, e.revision, e.correctedAt, e.modelVersion, e.labelSet],
        );
        inserted += r.rowCount;
      }
      if (inserted === 0) return { inserted };
      const { rows } = await tx.query<{ correction_id: string; text_hash: string; annotator_id: string; origin: string; revision: number; corrected_ms: number }>(
        `SELECT correction_id, text_hash, annotator_id, origin, revision,
                (extract(epoch FROM COALESCE(corrected_at, received_at)) * 1000)::float8 AS corrected_ms
           FROM training_examples WHERE text_hash = ANY($1::text[])`,
        [hashes],
      );
      const byHash = new Map<string, CorrectionVersion[]>();
      for (const r of rows) {
        const list = byHash.get(r.text_hash) ?? [];
        list.push({ correctionId: r.correction_id, annotator: r.annotator_id, origin: r.origin, revision: r.revision, correctedAt: Math.round(r.corrected_ms) });
        byHash.set(r.text_hash, list);
      }
      for (const [hash, versions] of byHash) {
        const winner = chooseActive(versions)!;
        await tx.query(
          `UPDATE training_examples SET superseded_by = CASE WHEN correction_id = $2 THEN NULL ELSE $2 END
            WHERE text_hash = $1 AND superseded_by IS DISTINCT FROM (CASE WHEN correction_id = $2 THEN NULL ELSE $2 END)`,
          [hash, winner.correctionId],
        );
      }
      return { inserted };
    });
  }

  async backlog(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM training_examples WHERE split = 'train' AND superseded_by IS NULL AND first_used_in IS NULL`);
    return rows[0].n;
  }

  async unlearned(): Promise<StoredExample[]> {
    const { rows } = await this.db.query<ExampleRow>(
      `SELECT ${EXAMPLE_COLUMNS} FROM training_examples WHERE split = 'train' AND superseded_by IS NULL AND learned_in IS NULL ORDER BY received_at, correction_id`,
    );
    return rows.map(toExample);
  }

  async holdout(): Promise<StoredExample[]> {
    const { rows } = await this.db.query<ExampleRow>(`SELECT ${EXAMPLE_COLUMNS} FROM training_examples WHERE split = 'holdout' AND superseded_by IS NULL ORDER BY received_at, correction_id`);
    return rows.map(toExample);
  }

  /** Counts for metrics: examples by split and state. */
  async exampleCounts(): Promise<{ train: number; holdout: number; superseded: number }> {
    const { rows } = await this.db.query<{ train: number; holdout: number; superseded: number }>(
      `SELECT count(*) FILTER (WHERE split = 'train' AND superseded_by IS NULL)::int AS train,
              count(*) FILTER (WHERE split = 'holdout' AND superseded_by IS NULL)::int AS holdout,
              count(*) FILTER (WHERE superseded_by IS NOT NULL)::int AS superseded
         FROM training_examples`,
    );
    return rows[0];
  }

}

/** label_types: the types admitted before a model knows them. */
export class SqlLabelTypeRepository implements LabelTypeRepository {
  constructor(private readonly db: SqlClient) {}

  async admitted(): Promise<AdmittedType[]> {
    const { rows } = await this.db.query<{ type: string; admitted_ms: number; admitted_by: string; note: string | null }>(
      `SELECT type, (extract(epoch FROM admitted_at) * 1000)::float8 AS admitted_ms, admitted_by, note FROM label_types WHERE removed_at IS NULL ORDER BY admitted_at, type`,
    );
    return rows.map((r) => ({ type: r.type, admittedAt: Number(r.admitted_ms), admittedBy: r.admitted_by, note: r.note }));
  }

  async admit(t: { type: string; by: string; note: string | null }): Promise<'admitted' | 'exists'> {
    const r = await this.db.query(
      `INSERT INTO label_types (type, admitted_by, note) VALUES ($1, $2, $3)
       ON CONFLICT (type) DO UPDATE SET admitted_at = now(), admitted_by = EXCLUDED.admitted_by, note = EXCLUDED.note, removed_at = NULL, removed_by = NULL
       WHERE label_types.removed_at IS NOT NULL`,
      [t.type, t.by, t.note],
    );
    return r.rowCount > 0 ? 'admitted' : 'exists';
  }

  async remove(type: string, by: string): Promise<'removed' | 'unknown'> {
    const r = await this.db.query('UPDATE label_types SET removed_at = now(), removed_by = $2 WHERE type = $1 AND removed_at IS NULL', [type, by]);
    return r.rowCount > 0 ? 'removed' : 'unknown';
  }
}

/** training_runs and training_run_examples; `complete` also writes model_versions and the outbox. */
export class SqlRunRepository implements RunRepository {
  constructor(
    private readonly db: SqlClient,
    private readonly modelEvents: ModelEventsTopic,
  ) {}

  async claim(run: NewRun): Promise<void> {
    try {
      await this.db.query(
        `INSERT INTO training_runs (run_id, status, trigger, base_version, config, started_at, heartbeat_at, owner, run_dir)
         VALUES ($1, 'running', $2, $3, $4::jsonb, now(), now(), $5, $6)`,
        [run.runId, run.trigger, run.baseVersion, json(run.config), run.owner, run.runDir],
      );
    } catch (err) {
      // the one-running-run unique index refused the insert: name the run that holds it
      if (err instanceof PlatformError && err.code === 'CONFLICT') throw errors.create('RUN_IN_PROGRESS', { activeRunId: (await this.active())?.runId ?? 'unknown', reason: 'run_in_progress' });
      throw err;
    }
  }

  async active(): Promise<RunRecord | null> {
    const { rows } = await this.db.query<RunRow>(`SELECT * FROM training_runs WHERE status IN ('queued', 'running') LIMIT 1`);
    return rows[0] ? toRun(rows[0]) : null;
  }

  async failStale(olderThanMs: number): Promise<string[]> {
    const { rows } = await this.db.query<{ run_id: string }>(
      `UPDATE training_runs
          SET status = 'failed', finished_at = now(),
              error = 'orphaned: no heartbeat since ' || COALESCE(heartbeat_at, started_at, created_at)::text || ' (the process running it stopped)'
        WHERE status IN ('queued', 'running') AND COALESCE(heartbeat_at, started_at, created_at) < now() - ($1::float8 * interval '1 millisecond')
        RETURNING run_id`,
      [olderThanMs],
    );
    return rows.map((r) => r.run_id);
  }

  async recordData(runId: string, stats: Record<string, unknown>, correctionIds: readonly string[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE training_runs SET data_stats = $2::jsonb, heartbeat_at = now() WHERE run_id = $1', [runId, json(stats)]);
      await tx.query('INSERT INTO training_run_examples (run_id, correction_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [runId, correctionIds]);
      await tx.query('UPDATE training_examples SET first_used_in = $1 WHERE correction_id = ANY($2::text[]) AND first_used_in IS NULL', [runId, correctionIds]);
    });
  }

  async appendProgress(runId: string, progress: TrainingProgress): Promise<void> {
    await this.db.query('UPDATE training_runs SET progress = progress || jsonb_build_array($2::jsonb), heartbeat_at = now() WHERE run_id = $1', [runId, json(progress)]);
  }

  async heartbeat(runId: string): Promise<void> {
    await this.db.query(`UPDATE training_runs SET heartbeat_at = now() WHERE run_id = $1 AND status IN ('queued', 'running')`, [runId]);
  }

  async setMetrics(runId: string, metrics: Record<string, unknown>): Promise<void> {
    await this.db.query('UPDATE training_runs SET metrics = metrics || $2::jsonb, heartbeat_at = now() WHERE run_id = $1', [runId, json(metrics)]);
  }

  async fail(runId: string, error: string): Promise<void> {
    await this.db.query(`UPDATE training_runs SET status = 'failed', error = $2, finished_at = now() WHERE run_id = $1 AND status IN ('queued', 'running')`, [runId, error.slice(0, 8000)]);
  }

  async complete(runId: string, o: RunOutcome): Promise<void> {
    await this.db.transaction(async (tx) => {
      const m = o.model;
      const ins = await tx.query(
        `INSERT INTO model_versions (version, name, uri, manifest_sha256, parent_version, status, metrics, training_run_id, entity_types)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::text[]) ON CONFLICT (version) DO NOTHING`,
        [m.version, m.name, m.uri, m.manifestSha256, m.parentVersion, m.status, json(m.metrics), m.trainingRunId, m.entityTypes],
      );
      if (ins.rowCount === 0) throw errors.create('VERSION_EXISTS', { version: m.version });
      if (o.event) {
        await enqueueOutbox(tx, [
          {
            topic: this.modelEvents.name,
            key: this.modelEvents.key(o.event),
            payload: this.modelEvents.codec.encode(o.event),
            headers: this.modelEvents.codec.headers,
            dedupeKey: `model-event:${o.event.type}:${o.event.modelVersion}`,
          },
        ]);
      }
      const r = await tx.query(
        `UPDATE training_runs SET status = $2, new_version = $3, gate = $4::jsonb, metrics = metrics || $5::jsonb, finished_at = now(), heartbeat_at = now()
          WHERE run_id = $1 AND status IN ('queued', 'running')`,
        [runId, o.status, m.version, json(o.gate), json(o.metrics)],
      );
      if (r.rowCount === 0) throw errors.create('RUN_NOT_ACTIVE', { runId });
    });
  }

  async get(runId: string): Promise<RunRecord | null> {
    const { rows } = await this.db.query<RunRow>('SELECT * FROM training_runs WHERE run_id = $1', [runId]);
    return rows[0] ? toRun(rows[0]) : null;
  }

  async list(opts: { limit: number; status?: RunStatus }): Promise<RunRecord[]> {
    const { rows } = await this.db.query<RunRow>('SELECT * FROM training_runs WHERE ($2::text IS NULL OR status = $2) ORDER BY created_at DESC, run_id DESC LIMIT $1', [opts.limit, opts.status ?? null]);
    return rows.map(toRun);
  }

  async countsByStatus(): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM training_runs GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

}

/** model_versions (and the learned marks on training_examples). */
export class SqlModelRepository implements ModelRepository {
  constructor(private readonly db: SqlClient) {}

  async promoted(): Promise<ModelVersionRecord | null> {
    const { rows } = await this.db.query<ModelRow>(`SELECT * FROM model_versions WHERE status = 'promoted' ORDER BY promoted_at DESC NULLS LAST, created_at DESC LIMIT 1`);
    return rows[0] ? toModel(rows[0]) : null;
  }

  async get(version: string, db: SqlClient = this.db): Promise<ModelVersionRecord | null> {
    const { rows } = await db.query<ModelRow>('SELECT * FROM model_versions WHERE version = $1', [version]);
    return rows[0] ? toModel(rows[0]) : null;
  }

  async list(limit: number): Promise<ModelVersionRecord[]> {
    const { rows } = await this.db.query<ModelRow>('SELECT * FROM model_versions ORDER BY created_at DESC, version DESC LIMIT $1', [limit]);
    return rows.map(toModel);
  }

  async registerInitial(m: Omit<ModelVersionRecord, 'createdAt' | 'promotedAt' | 'status'>): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO model_versions (version, name, uri, manifest_sha256, parent_version, status, metrics, training_run_id, promoted_at, entity_types)
       SELECT $1, $2, $3, $4, $5, 'promoted', $6::jsonb, $7, now(), $8::text[]
        WHERE NOT EXISTS (SELECT 1 FROM model_versions)
       ON CONFLICT (version) DO NOTHING`,
      [m.version, m.name, m.uri, m.manifestSha256, m.parentVersion, json(m.metrics), m.trainingRunId, m.entityTypes],
    );
    return r.rowCount > 0;
  }

  async adoptBundled(m: Omit<ModelVersionRecord, 'createdAt' | 'promotedAt' | 'status'>): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE model_versions SET status = 'retired' WHERE status = 'promoted' AND version <> $1`, [m.version]);
      await tx.query(
        `INSERT INTO model_versions (version, name, uri, manifest_sha256, parent_version, status, metrics, training_run_id, promoted_at, entity_types)
         VALUES ($1, $2, $3, $4, $5, 'promoted', $6::jsonb, NULL, now(), $7::text[])
         ON CONFLICT (version) DO UPDATE SET uri = EXCLUDED.uri, manifest_sha256 = EXCLUDED.manifest_sha256, status = 'promoted',
           metrics = EXCLUDED.metrics, entity_types = EXCLUDED.entity_types, promoted_at = now()`,
        [m.version, m.name, m.uri, m.manifestSha256, m.parentVersion, json(m.metrics), m.entityTypes],
      );
    });
  }

  async setEntityTypes(version: string, entityTypes: readonly string[]): Promise<void> {
    await this.db.query('UPDATE model_versions SET entity_types = $2::text[] WHERE version = $1', [version, [...entityTypes]]);
  }

  async applyPromoted(ev: ModelEvent): Promise<'applied' | 'stale'> {
    return this.db.transaction(async (tx) => {
      const lock = this.db.kind === 'postgres' ? 'FOR UPDATE' : '';
      const { rows } = await tx.query<{ version: string; promoted_ms: number | null }>(
        `SELECT version, (extract(epoch FROM promoted_at) * 1000)::float8 AS promoted_ms FROM model_versions WHERE status = 'promoted' ${lock}`,
      );
      const newerElsewhere = rows.some((r) => r.version !== ev.modelVersion && r.promoted_ms !== null && r.promoted_ms > ev.at);
      if (newerElsewhere) return 'stale';
      await tx.query(`UPDATE model_versions SET status = 'retired' WHERE status = 'promoted' AND version <> $1`, [ev.modelVersion]);
      await tx.query(
        `INSERT INTO model_versions (version, name, uri, manifest_sha256, parent_version, status, metrics, promoted_at)
         VALUES ($1, $1, $2, $3, $4, 'promoted', $5::jsonb, to_timestamp($6::float8 / 1000))
         ON CONFLICT (version) DO UPDATE SET status = 'promoted', promoted_at = COALESCE(model_versions.promoted_at, EXCLUDED.promoted_at)`,
        [ev.modelVersion, ev.modelUri, ev.manifestSha256, ev.previousVersion, json(ev.metrics), ev.at],
      );
      await tx.query(
        `UPDATE training_examples SET learned_in = $1
          WHERE learned_in IS NULL AND correction_id IN (
            SELECT e.correction_id FROM training_run_examples e JOIN model_versions m ON m.training_run_id = e.run_id WHERE m.version = $1)`,
        [ev.modelVersion],
      );
      return 'applied';
    });
  }

  async applyRolledBack(ev: ModelEvent): Promise<'applied' | 'unknown'> {
    return this.db.transaction(async (tx) => {
      const cur = await this.get(ev.modelVersion, tx);
      if (!cur) return 'unknown';
      await tx.query(`UPDATE model_versions SET status = 'rolled_back' WHERE version = $1`, [ev.modelVersion]);
      if (cur.status === 'promoted') {
        await tx.query(`UPDATE training_examples SET learned_in = NULL WHERE learned_in = $1`, [ev.modelVersion]);
        if (ev.previousVersion) {
          await tx.query(`UPDATE model_versions SET status = 'promoted', promoted_at = now() WHERE version = $1 AND status IN ('retired', 'candidate', 'registered')`, [ev.previousVersion]);
        }
      }
      return 'applied';
    });
  }
}
