// Read-only series over the studio's own tables (corrections, review_queue, annotators,
// adjudications, correction_reviews) for the Models page charts and the Annotators page. The
// registry and rollouts are not read here: they come from the orchestrator's and the reloader's
// published APIs (adapters/upstream.ts).
import type { GoldEntity } from '@zhner/contracts';
import type { SqlClient } from '@zhner/store';
import type { AnnotatorRow, AnnotatorStatsRepository, QueueStatsRepository } from '../../app/ports';
import type { Role } from '../../domain/tokens';
import { json, msOrNull } from './rows';

export class SqlStatsRepository implements QueueStatsRepository, AnnotatorStatsRepository {
  constructor(private readonly db: SqlClient) {}

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
              (SELECT count(*)::int FROM review_queue c
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
      `SELECT score, status IN ('open', 'claimed') AS queued FROM review_queue ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return { queued: rows.filter((r) => r.queued).map((r) => r.score), all: rows.map((r) => r.score) };
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
       LEFT JOIN (SELECT claimed_by, count(*) AS n FROM review_queue WHERE status = 'skipped' GROUP BY claimed_by) s ON s.claimed_by = a.annotator_id
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

  async sharedCorrections(): Promise<Array<{ textHash: string; annotatorId: string; text: string; entities: GoldEntity[] }>> {
    const { rows } = await this.db.query<{ text_hash: string; annotator_id: string; text: string; entities: unknown }>(
      `SELECT DISTINCT ON (text_hash, annotator_id) text_hash, annotator_id, text, entities
       FROM corrections
       WHERE origin = 'STUDIO'
         AND text_hash IN (SELECT text_hash FROM corrections WHERE origin = 'STUDIO' GROUP BY text_hash HAVING count(DISTINCT annotator_id) >= 2)
       ORDER BY text_hash, annotator_id, created_at DESC, revision DESC`,
    );
    return rows.map((r) => ({ textHash: r.text_hash, annotatorId: r.annotator_id, text: r.text, entities: json<GoldEntity[]>(r.entities, []) }));
  }

  async spotChecks(): Promise<Array<{ annotatorId: string; verdict: 'ok' | 'wrong'; n: number }>> {
    const { rows } = await this.db.query<{ annotator_id: string; verdict: 'ok' | 'wrong'; n: number }>(
      `SELECT c.annotator_id, r.verdict, count(*)::int AS n FROM correction_reviews r JOIN corrections c ON c.correction_id = r.correction_id GROUP BY c.annotator_id, r.verdict`,
    );
    return rows.map((r) => ({ annotatorId: r.annotator_id, verdict: r.verdict, n: r.n }));
  }
}
