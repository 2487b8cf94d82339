// Corrections and their events: the correction row, the item's new status and the outbox row that
// publishes the Avro-encoded Correction are written in ONE transaction, so a stored correction is
// always published eventually (by the OutboxRelay) and a retried request (same correction id) adds
// neither a row nor a message (primary key + outbox dedupe key).
import type { Correction, Entity, Topics } from '@zhner/contracts';
import { enqueueOutbox, type SqlClient } from '@zhner/store';
import type { CandidateStatus, CorrectionStore, StoredCorrection, SubmitState } from '../../app/ports';
import { CANDIDATE_COLUMNS, CORRECTION_COLUMNS, toCandidate, toCorrection, type CandidateRow, type CorrectionRow } from './rows';

/** Inserts a correction row and its outbox row inside `tx`. */
export async function insertCorrectionWithEvent(tx: SqlClient, topics: Topics, c: Correction, extra: { textHash: string; predicted: Entity[] | null; reviewRequired?: boolean }): Promise<void> {
  await tx.query(
    `INSERT INTO corrections (correction_id, candidate_id, doc_id, text, text_hash, annotator_id, revision, entities, predicted, model_version, origin, created_at, label_set, guideline_versions, review_required)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, to_timestamp($12::double precision / 1000), $13::text[], $14::jsonb, $15)`,
    [
      c.correctionId,
      c.candidateId,
      c.docId,
      c.text,
      extra.textHash,
      c.annotator,
      c.revision,
      JSON.stringify(c.entities),
      extra.predicted === null ? null : JSON.stringify(extra.predicted),
      c.modelVersion,
      c.origin,
      c.createdAt,
      c.labelSet ?? null,
      c.guidelineVersions ? JSON.stringify(c.guidelineVersions) : null,
      extra.reviewRequired ?? false,
    ],
  );
  await enqueueOutbox(tx, [
    {
      topic: topics.corrections.name,
      key: topics.corrections.key(c),
      payload: topics.corrections.codec.encode(c),
      headers: { 'x-origin': c.origin, 'x-correction-id': c.correctionId },
      dedupeKey: c.correctionId,
    },
  ]);
}

export class SqlCorrectionStore implements CorrectionStore {
  constructor(
    private readonly db: SqlClient,
    private readonly topics: Topics,
  ) {}

  async get(correctionId: string): Promise<StoredCorrection | undefined> {
    const { rows } = await this.db.query<CorrectionRow>(`SELECT ${CORRECTION_COLUMNS} FROM corrections WHERE correction_id = $1`, [correctionId]);
    return rows[0] ? toCorrection(rows[0]) : undefined;
  }

  async recent(opts: { annotatorId?: string; limit: number }): Promise<StoredCorrection[]> {
    const { rows } = await this.db.query<CorrectionRow>(
      `SELECT ${CORRECTION_COLUMNS} FROM corrections WHERE ($1::text IS NULL OR annotator_id = $1) ORDER BY created_at DESC LIMIT $2`,
      [opts.annotatorId ?? null, opts.limit],
    );
    return rows.map(toCorrection);
  }

  submit(
    c: Correction,
    opts: { textHash: string; predicted: Entity[]; annotationsPerItem: number; decide: (s: SubmitState) => 'duplicate' | 'insert'; reviewFor?: (nth: number) => boolean },
  ): Promise<{ outcome: 'inserted' | 'duplicate'; candidateStatus: CandidateStatus | undefined; reviewRequired?: boolean }> {
    return this.db.transaction(async (tx) => {
      // the candidate row lock serialises submissions of one item (and a retried request behind its original)
      const cand = await tx.query<CandidateRow>(`SELECT ${CANDIDATE_COLUMNS} FROM review_queue WHERE candidate_id = $1 FOR UPDATE`, [c.candidateId]);
      const candidate = cand.rows[0] ? toCandidate(cand.rows[0]) : undefined;
      const existing = await tx.query<CorrectionRow>(`SELECT ${CORRECTION_COLUMNS} FROM corrections WHERE correction_id = $1`, [c.correctionId]);
      const previous = await tx.query('SELECT 1 FROM corrections WHERE candidate_id = $1 AND annotator_id = $2 LIMIT 1', [c.candidateId, c.annotator]);
      const decision = opts.decide({ candidate, existing: existing.rows[0] ? toCorrection(existing.rows[0]) : undefined, annotatorHasPrevious: previous.rows.length > 0 });
      if (decision === 'duplicate' || !candidate) return { outcome: 'duplicate' as const, candidateStatus: candidate?.status };

      // the annotator's how-manieth correction this is (a revision of an item counts once)
      let reviewRequired = false;
      if (opts.reviewFor) {
        const { rows: done } = await tx.query<{ n: number }>(`SELECT count(DISTINCT candidate_id)::int AS n FROM corrections WHERE annotator_id = $1 AND origin = 'STUDIO' AND candidate_id <> $2`, [c.annotator, c.candidateId]);
        reviewRequired = opts.reviewFor(done[0].n + 1);
      }
      await insertCorrectionWithEvent(tx, this.topics, c, { textHash: opts.textHash, predicted: opts.predicted, reviewRequired });
      await tx.query(`UPDATE corrections SET status = 'superseded' WHERE candidate_id = $1 AND annotator_id = $2 AND revision < $3 AND status = 'accepted'`, [
        c.candidateId,
        c.annotator,
        c.revision,
      ]);
      const { rows } = await tx.query<{ n: number }>(
        `SELECT count(DISTINCT annotator_id)::int AS n FROM corrections WHERE candidate_id = $1 AND origin = 'STUDIO' AND status = 'accepted'`,
        [c.candidateId],
      );
      const heldByMe = candidate.status === 'claimed' && candidate.claimedBy === c.annotator;
      const next: CandidateStatus = rows[0].n >= opts.annotationsPerItem ? 'done' : heldByMe ? 'open' : candidate.status;
      if (next === 'done') {
        await tx.query(`UPDATE review_queue SET status = 'done', claim_expires_at = NULL, updated_at = now() WHERE candidate_id = $1`, [c.candidateId]);
      } else if (heldByMe) {
        // more annotators are wanted: back to the queue (claimNext skips items this annotator corrected)
        await tx.query(`UPDATE review_queue SET status = 'open', claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL, updated_at = now() WHERE candidate_id = $1`, [
          c.candidateId,
        ]);
      }
      return { outcome: 'inserted' as const, candidateStatus: next, reviewRequired };
    });
  }
}
