// The review queue in PostgreSQL (review_queue; owner: the studio, its only writer). Items arrive
// from the sampler's ner.review-candidates.v1 events (ingest), expire on a promotion, and are
// claimed, skipped, released and done by annotators. Every claim is one atomic UPDATE; on
// PostgreSQL the row is picked with FOR UPDATE SKIP LOCKED so concurrent claimers never wait on,
// or get, the same item.
import type { ReviewCandidate } from '@zhner/contracts';
import type { SqlClient } from '@zhner/store';
import { CANDIDATE_STATUSES, type Candidate, type CandidateStatus, type QueueRepository } from '../../app/ports';
import { CANDIDATE_COLUMNS, toCandidate, type CandidateRow } from './rows';

const CLAIMABLE = (alias: string) => `(${alias}.status = 'open' OR (${alias}.status = 'claimed' AND ${alias}.claim_expires_at < now()))`;

export class SqlQueueRepository implements QueueRepository {
  constructor(private readonly db: SqlClient) {}

  private get skipLocked(): string {
    return this.db.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : 'FOR UPDATE';
  }

  async ingest(candidates: readonly ReviewCandidate[]): Promise<number> {
    let opened = 0;
    for (const c of candidates) {
      // new → open; the same candidate (or text) whose item expired → re-opened with the new
      // scores; anything else (queued, claimed, done, skipped) → unchanged: a redelivery is a no-op
      const r = await this.db.query(
        `INSERT INTO review_queue (candidate_id, doc_id, source, text, text_hash, model_version, strategy, score, scores, cluster, novelty, priority, predicted, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13::jsonb, 'open', to_timestamp($14::float8 / 1000))
         ON CONFLICT (text_hash) DO UPDATE SET
           candidate_id = EXCLUDED.candidate_id, doc_id = EXCLUDED.doc_id, source = EXCLUDED.source, text = EXCLUDED.text,
           model_version = EXCLUDED.model_version, strategy = EXCLUDED.strategy, score = EXCLUDED.score, scores = EXCLUDED.scores,
           cluster = EXCLUDED.cluster, novelty = EXCLUDED.novelty, priority = EXCLUDED.priority, predicted = EXCLUDED.predicted,
           status = 'open', claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL, created_at = EXCLUDED.created_at, updated_at = now()
         WHERE review_queue.status = 'expired' AND review_queue.created_at < EXCLUDED.created_at`,
        [c.candidateId, c.docId, c.source, c.text, c.textHash, c.modelVersion, c.strategy, c.score, JSON.stringify(c.scores), c.cluster, c.novelty, c.priority, JSON.stringify(c.predicted), c.createdAt],
      );
      opened += r.rowCount;
    }
    return opened;
  }

  async expireOlderThan(modelVersion: string, at: number): Promise<number> {
    // only items created before the promotion: replaying an old PROMOTED never expires newer ones
    const r = await this.db.query(
      `UPDATE review_queue SET status = 'expired', updated_at = now()
       WHERE status = 'open' AND model_version <> $1 AND created_at < to_timestamp($2::float8 / 1000)`,
      [modelVersion, at],
    );
    return r.rowCount;
  }

  async depth(): Promise<Record<CandidateStatus, number>> {
    const { rows } = await this.db.query<{ status: CandidateStatus; n: number }>('SELECT status, count(*)::int AS n FROM review_queue GROUP BY status');
    const out = Object.fromEntries(CANDIDATE_STATUSES.map((s) => [s, 0])) as Record<CandidateStatus, number>;
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  async list(opts: { statuses: CandidateStatus[]; limit: number }): Promise<Candidate[]> {
    const { rows } = await this.db.query<CandidateRow>(
      `SELECT ${CANDIDATE_COLUMNS} FROM review_queue WHERE status = ANY($1::text[]) ORDER BY priority DESC, created_at, candidate_id LIMIT $2`,
      [opts.statuses, opts.limit],
    );
    return rows.map(toCandidate);
  }

  async get(candidateId: string): Promise<Candidate | undefined> {
    const { rows } = await this.db.query<CandidateRow>(`SELECT ${CANDIDATE_COLUMNS} FROM review_queue WHERE candidate_id = $1`, [candidateId]);
    return rows[0] ? toCandidate(rows[0]) : undefined;
  }

  async renewActiveClaim(annotatorId: string, ttlMs: number): Promise<Candidate | undefined> {
    const { rows } = await this.db.query<CandidateRow>(
      `UPDATE review_queue SET claim_expires_at = now() + $2::int * interval '1 millisecond', updated_at = now()
       WHERE candidate_id = (
         SELECT candidate_id FROM review_queue
         WHERE status = 'claimed' AND claimed_by = $1 AND claim_expires_at > now()
         ORDER BY claimed_at LIMIT 1)
       AND status = 'claimed' AND claimed_by = $1
       RETURNING ${CANDIDATE_COLUMNS}`,
      [annotatorId, ttlMs],
    );
    return rows[0] ? toCandidate(rows[0]) : undefined;
  }

  async claimNext(annotatorId: string, ttlMs: number): Promise<Candidate | undefined> {
    const { rows } = await this.db.query<CandidateRow>(
      `UPDATE review_queue rc
       SET status = 'claimed', claimed_by = $1, claimed_at = now(), claim_expires_at = now() + $2::int * interval '1 millisecond', updated_at = now()
       WHERE rc.candidate_id = (
         SELECT c.candidate_id FROM review_queue c
         WHERE ${CLAIMABLE('c')}
           AND NOT EXISTS (SELECT 1 FROM corrections x WHERE x.candidate_id = c.candidate_id AND x.annotator_id = $1)
         ORDER BY c.priority DESC, c.created_at, c.candidate_id
         LIMIT 1 ${this.skipLocked})
       AND ${CLAIMABLE('rc')}
       RETURNING ${CANDIDATE_COLUMNS}`,
      [annotatorId, ttlMs],
    );
    return rows[0] ? toCandidate(rows[0]) : undefined;
  }

  async claim(candidateId: string, annotatorId: string, ttlMs: number): Promise<Candidate | undefined> {
    const { rows } = await this.db.query<CandidateRow>(
      `UPDATE review_queue
       SET claimed_at = CASE WHEN status = 'claimed' AND claimed_by = $2 THEN claimed_at ELSE now() END,
           status = 'claimed', claimed_by = $2, claim_expires_at = now() + $3::int * interval '1 millisecond', updated_at = now()
       WHERE candidate_id = $1 AND (status = 'open' OR (status = 'claimed' AND (claim_expires_at < now() OR claimed_by = $2)))
       RETURNING ${CANDIDATE_COLUMNS}`,
      [candidateId, annotatorId, ttlMs],
    );
    return rows[0] ? toCandidate(rows[0]) : undefined;
  }

  async skip(candidateId: string, annotatorId: string): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE review_queue rc
       SET status = CASE WHEN EXISTS (SELECT 1 FROM corrections x WHERE x.candidate_id = rc.candidate_id AND x.status = 'accepted') THEN 'done' ELSE 'skipped' END,
           claim_expires_at = NULL, updated_at = now()
       WHERE candidate_id = $1 AND status = 'claimed' AND claimed_by = $2`,
      [candidateId, annotatorId],
    );
    return r.rowCount > 0;
  }

  async release(candidateId: string, annotatorId: string): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE review_queue SET status = 'open', claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL, updated_at = now()
       WHERE candidate_id = $1 AND status = 'claimed' AND claimed_by = $2`,
      [candidateId, annotatorId],
    );
    return r.rowCount > 0;
  }

  async nextRevision(candidateId: string, annotatorId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT COALESCE(max(revision) + 1, 0)::int AS n FROM corrections WHERE candidate_id = $1 AND annotator_id = $2', [
      candidateId,
      annotatorId,
    ]);
    return rows[0].n;
  }
}
