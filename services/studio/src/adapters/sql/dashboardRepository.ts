// Read-only views over the registry (model_versions, training_runs; owner: trainer-orchestrator),
// replicas and rollouts (owner: reloader), the queue and corrections, for the Models and
// Annotators pages and the live updates.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GoldEntity } from '@zhner/contracts';
import type { SqlClient } from '@zhner/store';
import type {
  AnnotatorRow,
  AnnotatorStatsRepository,
  DashboardRepository,
  ModelVersionRow,
  ReplicaRow,
  RolloutRow,
  TrainingRunRow,
} from '../../app/ports';
import type { Role } from '../../domain/tokens';
import { json, ms, msOrNull } from './rows';

/** Directory (or manifest file) of a model uri: a local path or file:// URL; undefined for remote schemes. */
export function manifestPathOf(uri: string, baseDir = process.cwd()): string | undefined {
  let p: string;
  if (uri.startsWith('file://')) p = fileURLToPath(uri);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return undefined;
  else p = path.resolve(baseDir, uri);
  return p.endsWith('.json') ? p : path.join(p, 'manifest.json');
}

function toModelVersion(r: Record<string, unknown>): ModelVersionRow {
  return {
    version: r.version as string,
    name: r.name as string,
    uri: r.uri as string,
    manifestSha256: r.manifest_sha256 as string,
    parentVersion: (r.parent_version as string | null) ?? null,
    status: r.status as string,
    metrics: json<Record<string, unknown>>(r.metrics, {}),
    trainingRunId: (r.training_run_id as string | null) ?? null,
    createdAt: ms(r.created_at),
    promotedAt: msOrNull(r.promoted_at),
  };
}

export class SqlDashboardRepository implements DashboardRepository, AnnotatorStatsRepository {
  constructor(private readonly db: SqlClient) {}

  async modelVersions(limit: number): Promise<ModelVersionRow[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT version, name, uri, manifest_sha256, parent_version, status, metrics, training_run_id, created_at, promoted_at FROM model_versions ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toModelVersion);
  }

  async modelVersion(version: string): Promise<ModelVersionRow | undefined> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT version, name, uri, manifest_sha256, parent_version, status, metrics, training_run_id, created_at, promoted_at FROM model_versions WHERE version = $1`,
      [version],
    );
    return rows[0] ? toModelVersion(rows[0]) : undefined;
  }

  async trainingRuns(limit: number): Promise<TrainingRunRow[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT run_id, status, trigger, base_version, new_version, metrics, gate, error, progress -> -1 AS last_progress, created_at, started_at, finished_at
       FROM training_runs ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      runId: r.run_id as string,
      status: r.status as string,
      trigger: r.trigger as string,
      baseVersion: (r.base_version as string | null) ?? null,
      newVersion: (r.new_version as string | null) ?? null,
      metrics: json<Record<string, unknown>>(r.metrics, {}),
      gate: json<unknown>(r.gate, null),
      error: (r.error as string | null) ?? null,
      lastProgress: json<unknown>(r.last_progress, null),
      createdAt: ms(r.created_at),
      startedAt: msOrNull(r.started_at),
      finishedAt: msOrNull(r.finished_at),
    }));
  }

  async replicas(): Promise<ReplicaRow[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT replica_id, service, model_version, state, last_error, docs_tagged, errors, p99_latency_ms, last_seen FROM replicas ORDER BY service, replica_id`,
    );
    return rows.map((r) => ({
      replicaId: r.replica_id as string,
      service: r.service as string,
      modelVersion: (r.model_version as string | null) ?? null,
      state: r.state as string,
      lastError: (r.last_error as string | null) ?? null,
      docsTagged: Number(r.docs_tagged),
      errors: Number(r.errors),
      p99LatencyMs: r.p99_latency_ms === null ? null : Number(r.p99_latency_ms),
      lastSeen: ms(r.last_seen),
    }));
  }

  async rollouts(limit: number): Promise<RolloutRow[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT rollout_id, model_version, previous_version, state, canary_replica, detail, started_at, updated_at, finished_at FROM rollouts ORDER BY started_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      rolloutId: r.rollout_id as string,
      modelVersion: r.model_version as string,
      previousVersion: (r.previous_version as string | null) ?? null,
      state: r.state as string,
      canaryReplica: (r.canary_replica as string | null) ?? null,
      detail: json<Record<string, unknown>>(r.detail, {}),
      startedAt: ms(r.started_at),
      updatedAt: ms(r.updated_at),
      finishedAt: msOrNull(r.finished_at),
    }));
  }

  async correctionsPerDay(days: number): Promise<Array<{ day: string; n: number }>> {
    const { rows } = await this.db.query<{ day: string; n: number }>(
      `SELECT to_char(d, 'YYYY-MM-DD') AS day,
              (SELECT count(*)::int FROM corrections c WHERE c.created_at >= d AND c.created_at < d + interval '1 day') AS n
       FROM generate_series(date_trunc('day', now()) - ($1::int - 1) * interval '1 day', date_trunc('day', now()), interval '1 day') AS d
       ORDER BY d`,
      [days],
    );
    return rows;
  }

  async queueDepthPerDay(days: number): Promise<Array<{ day: string; depth: number }>> {
    // depth at the end of each day, reconstructed: created by then and not yet resolved by then
    const { rows } = await this.db.query<{ day: string; depth: number }>(
      `SELECT to_char(d, 'YYYY-MM-DD') AS day,
              (SELECT count(*)::int FROM review_candidates c
               WHERE c.created_at < d + interval '1 day'
                 AND NOT (c.status IN ('done', 'skipped', 'expired') AND c.updated_at < d + interval '1 day')) AS depth
       FROM generate_series(date_trunc('day', now()) - ($1::int - 1) * interval '1 day', date_trunc('day', now()), interval '1 day') AS d
       ORDER BY d`,
      [days],
    );
    return rows;
  }

  async uncertaintyScores(limit: number): Promise<{ queued: number[]; all: number[] }> {
    const { rows } = await this.db.query<{ score: number; queued: boolean }>(
      `SELECT score, status IN ('open', 'claimed') AS queued FROM review_candidates ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return { queued: rows.filter((r) => r.queued).map((r) => r.score), all: rows.map((r) => r.score) };
  }

  async promotedManifest(): Promise<unknown | undefined> {
    const { rows } = await this.db.query<{ uri: string }>(
      `SELECT uri FROM model_versions WHERE status = 'promoted' ORDER BY promoted_at DESC NULLS LAST, created_at DESC LIMIT 1`,
    );
    if (!rows[0]) return undefined;
    const file = manifestPathOf(rows[0].uri);
    if (!file) return undefined;
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  }

  async annotators(): Promise<AnnotatorRow[]> {
    const { rows } = await this.db.query<{
      annotator_id: string;
      display_name: string;
      role: Role;
      disabled_at: unknown;
      corrections: number;
      last7: number;
      last_at: unknown;
      skips: number;
    }>(
      `SELECT a.annotator_id, a.display_name, a.role, a.disabled_at,
              COALESCE(c.n, 0)::int AS corrections, COALESCE(c.last7, 0)::int AS last7, c.last_at,
              COALESCE(s.n, 0)::int AS skips
       FROM annotators a
       LEFT JOIN (
         SELECT annotator_id, count(DISTINCT candidate_id) AS n,
                count(DISTINCT candidate_id) FILTER (WHERE created_at > now() - interval '7 days') AS last7,
                max(created_at) AS last_at
         FROM corrections x WHERE origin = 'STUDIO' GROUP BY annotator_id) c ON c.annotator_id = a.annotator_id
       LEFT JOIN (SELECT claimed_by, count(*) AS n FROM review_candidates WHERE status = 'skipped' GROUP BY claimed_by) s ON s.claimed_by = a.annotator_id
       ORDER BY a.annotator_id`,
    );
    return rows.map((r) => ({
      annotatorId: r.annotator_id,
      displayName: r.display_name,
      role: r.role,
      disabled: r.disabled_at !== null && r.disabled_at !== undefined,
      corrections: r.corrections,
      last7Days: r.last7,
      skips: r.skips,
      lastCorrectionAt: msOrNull(r.last_at),
    }));
  }

  async adjudicatedPairs(): Promise<Array<{ annotatorId: string; entities: GoldEntity[]; gold: GoldEntity[] }>> {
    const { rows } = await this.db.query<{ annotator_id: string; entities: unknown; gold: unknown }>(
      `SELECT l.annotator_id, l.entities, adj.entities AS gold
       FROM (SELECT DISTINCT ON (annotator_id, candidate_id) annotator_id, candidate_id, text_hash, entities
             FROM corrections WHERE origin = 'STUDIO' ORDER BY annotator_id, candidate_id, revision DESC) l
       JOIN LATERAL (SELECT entities FROM adjudications a WHERE a.text_hash = l.text_hash ORDER BY created_at DESC LIMIT 1) adj ON true`,
    );
    return rows.map((r) => ({ annotatorId: r.annotator_id, entities: json<GoldEntity[]>(r.entities, []), gold: json<GoldEntity[]>(r.gold, []) }));
  }

  async spotChecks(): Promise<Array<{ annotatorId: string; verdict: 'ok' | 'wrong'; n: number }>> {
    const { rows } = await this.db.query<{ annotator_id: string; verdict: 'ok' | 'wrong'; n: number }>(
      `SELECT c.annotator_id, r.verdict, count(*)::int AS n FROM correction_reviews r JOIN corrections c ON c.correction_id = r.correction_id GROUP BY c.annotator_id, r.verdict`,
    );
    return rows.map((r) => ({ annotatorId: r.annotator_id, verdict: r.verdict, n: r.n }));
  }
}
