// Conflicts, adjudications and spot checks. An adjudication writes its row, an ADJUDICATION
// correction with its outbox row, and marks the corrections it resolves superseded, in one
// transaction.
import type { Correction, GoldEntity, Topics } from '@zhner/contracts';
import type { SqlClient } from '@zhner/store';
import { errors } from '../../errors';
import type { AdjudicationRecord, AdjudicationStore, ConflictGroup, SpotCheckItem } from '../../app/ports';
import { insertCorrectionWithEvent } from './correctionRepository';
import { CORRECTION_COLUMNS, json, ms, toCorrection, type CorrectionRow } from './rows';

/** Latest accepted revision per (text, annotator), adjudications excluded. */
const LATEST = `
  SELECT DISTINCT ON (c.text_hash, c.annotator_id) ${CORRECTION_COLUMNS.split(', ').map((col) => `c.${col.trim()}`).join(', ')}
  FROM corrections c
  WHERE c.origin <> 'ADJUDICATION' AND c.status = 'accepted'
  ORDER BY c.text_hash, c.annotator_id, c.revision DESC, c.created_at DESC`;

interface AdjudicationRow {
  adjudication_id: string;
  text_hash: string;
  doc_id: string;
  text: string;
  entities: unknown;
  chosen_correction_id: string | null;
  adjudicator_id: string;
  created_at: unknown;
}

export class SqlAdjudicationStore implements AdjudicationStore {
  constructor(
    private readonly db: SqlClient,
    private readonly topics: Topics,
  ) {}

  async candidatesForConflict(limit: number): Promise<ConflictGroup[]> {
    const { rows } = await this.db.query<CorrectionRow>(
      `WITH latest AS (${LATEST}),
       groups AS (SELECT text_hash, max(created_at) AS last_at FROM latest GROUP BY text_hash HAVING count(*) >= 2 ORDER BY max(created_at) DESC LIMIT $1)
       SELECT l.* FROM latest l JOIN groups g ON g.text_hash = l.text_hash ORDER BY g.last_at DESC, l.text_hash, l.created_at`,
      [limit],
    );
    const groups = new Map<string, ConflictGroup>();
    for (const r of rows.map(toCorrection)) {
      let g = groups.get(r.textHash);
      if (!g) groups.set(r.textHash, (g = { textHash: r.textHash, docId: r.docId, text: r.text, candidateId: r.candidateId, corrections: [] }));
      if (g.candidateId !== r.candidateId) g.candidateId = null;
      g.corrections.push(r);
    }
    return [...groups.values()];
  }

  async correctionsOfText(textHash: string) {
    const { rows } = await this.db.query<CorrectionRow>(`WITH latest AS (${LATEST}) SELECT * FROM latest WHERE text_hash = $1 ORDER BY created_at`, [textHash]);
    return rows.map(toCorrection);
  }

  async getAdjudication(adjudicationId: string): Promise<AdjudicationRecord | undefined> {
    const { rows } = await this.db.query<AdjudicationRow>('SELECT * FROM adjudications WHERE adjudication_id = $1', [adjudicationId]);
    const r = rows[0];
    if (!r) return undefined;
    return {
      adjudicationId: r.adjudication_id,
      textHash: r.text_hash,
      docId: r.doc_id,
      text: r.text,
      entities: json<GoldEntity[]>(r.entities, []),
      chosenCorrectionId: r.chosen_correction_id,
      adjudicatorId: r.adjudicator_id,
      createdAt: ms(r.created_at),
    };
  }

  saveAdjudication(a: AdjudicationRecord, correction: Correction, resolved: string[]): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const ins = await tx.query(
        `INSERT INTO adjudications (adjudication_id, text_hash, doc_id, text, entities, chosen_correction_id, adjudicator_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8::double precision / 1000)) ON CONFLICT (adjudication_id) DO NOTHING`,
        [a.adjudicationId, a.textHash, a.docId, a.text, JSON.stringify(a.entities), a.chosenCorrectionId, a.adjudicatorId, a.createdAt],
      );
      if (ins.rowCount === 0) return false;
      await insertCorrectionWithEvent(tx, this.topics, correction, { textHash: a.textHash, predicted: null });
      await tx.query(`UPDATE corrections SET status = 'superseded' WHERE correction_id = ANY($1::text[]) AND status = 'accepted'`, [resolved]);
      return true;
    });
  }

  async spotCheckSample(annotatorId: string, opts: { size: number; mode: 'sample' | 'unreviewed' | 'required'; days: number }): Promise<SpotCheckItem[]> {
    const order = opts.mode === 'sample' ? 'random()' : 'c.created_at';
    const unreviewed = 'AND NOT EXISTS (SELECT 1 FROM correction_reviews r WHERE r.correction_id = c.correction_id)';
    // required: what the routing sent to review (a new annotator's first N, then a share), not yet checked
    const filter = opts.mode === 'unreviewed' ? unreviewed : opts.mode === 'required' ? `AND c.review_required ${unreviewed}` : '';
    const { rows } = await this.db.query<CorrectionRow & { verdict: 'ok' | 'wrong' | null }>(
      `SELECT ${CORRECTION_COLUMNS.split(', ').map((col) => `c.${col.trim()}`).join(', ')},
         (SELECT r.verdict FROM correction_reviews r WHERE r.correction_id = c.correction_id ORDER BY r.created_at DESC LIMIT 1) AS verdict
       FROM corrections c
       WHERE c.annotator_id = $1 AND c.origin = 'STUDIO' AND c.created_at > now() - $3::int * interval '1 day' ${filter}
       ORDER BY ${order} LIMIT $2`,
      [annotatorId, opts.size, opts.days],
    );
    return rows.map((r) => ({ correction: toCorrection(r), verdict: r.verdict }));
  }

  async recordSpotCheck(correctionId: string, reviewerId: string, verdict: 'ok' | 'wrong', note: string | null): Promise<void> {
    const r = await this.db.query(
      `INSERT INTO correction_reviews (correction_id, reviewer_id, verdict, note)
       SELECT correction_id, $2, $3, $4 FROM corrections WHERE correction_id = $1
       ON CONFLICT (correction_id, reviewer_id) DO UPDATE SET verdict = EXCLUDED.verdict, note = EXCLUDED.note, created_at = now()`,
      [correctionId, reviewerId, verdict, note],
    );
    if (r.rowCount === 0) throw errors.create('CORRECTION_NOT_FOUND', { id: correctionId });
  }
}
