// The review queue in PostgreSQL (review_candidates; owner: sampler). The studio only changes
// status, claimed_by, claimed_at, claim_expires_at and updated_at. Every claim is one atomic
// UPDATE; on PostgreSQL the row is picked with FOR UPDATE SKIP LOCKED so concurrent claimers never
// wait on, or get, the same item.
import type { SqlClient } from '@zhner/store';
import { CANDIDATE_STATUSES, type Candidate, type CandidateStatus, type QueueRepository } from '../../app/ports';
import { CANDIDATE_COLUMNS, toCandidate, type CandidateRow } from './rows';

const CLAIMABLE = (alias: string) => `(${alias}.status = 'open' OR (${alias}.status = 'claimed' AND ${alias}.claim_expires_at < now()))`;

export class SqlQueueRepository implements QueueRepository {
  constructor(private readonly db: SqlClient) {}

  private get skipLocked(): string {
    return this.db.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : 'FOR UPDATE';
  }

  async depth(): Promise<Record<CandidateStatus, number>> {
    const { rows } = await this.db.query<{ status: CandidateStatus; n: number }>('SELECT status, count(*)::int AS n FROM review_candidates GROUP BY status');
    const out = Object.fromEntries(CANDIDATE_STATUSES.map((s) => [s, 0])) as Record<CandidateStatus, number>;
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  async list(opts: { statuses: CandidateStatus[]; limit: number }): Promise<Candidate[]> {
    const { rows } = await this.db.query<CandidateRow>(
      `SELECT ${CANDIDATE_COLUMNS} FROM review_candidates WHERE status = ANY($1::text[]) ORDER BY priority DESC, created_at, candidate_id LIMIT $2`,
      [opts.statuses, opts.limit],
    );
    return rows.map(toCandidate);
  }

  async get(candidateId: string): Promise<Candidate | undefined> {
    const { rows } = await this.db.query<CandidateRow>(`SELECT ${CANDIDATE_COLUMNS} FROM review_candidates WHERE candidate_id = $1`, [candidateId]);
    return rows[0] ? toCandidate(rows[0]) : undefined;
  }

  async renewActiveClaim(annotatorId: string, ttlMs: number): Promise<Candidate | undefined> {
    const { rows } = await this.db.query<CandidateRow>(
      `UPDATE review_candidates SET claim_expires_at = now() + $2::int * interval '1 millisecond', updated_at = now()
       WHERE candidate_id = (
         SELECT candidate_id FROM review_candidates
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
      `UPDATE review_candidates rc
       SET status = 'claimed', claimed_by = $1, claimed_at = now(), claim_expires_at = now() + $2::int * interval '1 millisecond', updated_at = now()
       WHERE rc.candidate_id = (
         SELECT c.candidate_id FROM review_candidates c
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
      `UPDATE review_candidates
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
      `UPDATE review_candidates rc
       SET status = CASE WHEN EXISTS (SELECT 1 FROM corrections x WHERE x.candidate_id = rc.candidate_id AND x.status = 'accepted') THEN 'done' ELSE 'skipped' END,
           claim_expires_at = NULL, updated_at = now()
       WHERE candidate_id = $1 AND status = 'claimed' AND claimed_by = $2`,
      [candidateId, annotatorId],
    );
    return r.rowCount > 0;
  }

  async release(candidateId: string, annotatorId: string): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE review_candidates SET status = 'open', claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL, updated_at = now()
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
