// Imported gold and the export of current gold. Imports go through insertCorrectionWithEvent, the
// one path that writes a correction and the outbox row publishing it: imported seed data reaches
// the training pool over ner.corrections.v1 like every other correction.
import type { GoldEntity, Topics } from '@zhner/contracts';
import type { SqlClient } from '@zhner/store';
import type { CurrentGold, DataStore, ImportedCorrection } from '../../app/ports';
import { sameEntities } from '../../domain/quality';
import { insertCorrectionWithEvent } from './correctionRepository';
import { json } from './rows';

export class SqlDataStore implements DataStore {
  constructor(
    private readonly db: SqlClient,
    private readonly topics: Topics,
  ) {}

  importCorrections(items: readonly ImportedCorrection[]): Promise<{ inserted: number; unchanged: number }> {
    return this.db.transaction(async (tx) => {
      const ids = items.map((i) => i.correction.correctionId);
      const known = new Set((await tx.query<{ correction_id: string }>('SELECT correction_id FROM corrections WHERE correction_id = ANY($1::text[])', [ids])).rows.map((r) => r.correction_id));
      // accepted gold of the same texts (any origin): importing what is already there adds nothing
      const current = await tx.query<{ text: string; entities: unknown }>(`SELECT text, entities FROM corrections WHERE status = 'accepted' AND text_hash = ANY($1::text[])`, [
        [...new Set(items.map((i) => i.textHash))],
      ]);
      const goldByText = new Map<string, GoldEntity[][]>();
      for (const r of current.rows) goldByText.set(r.text, [...(goldByText.get(r.text) ?? []), json<GoldEntity[]>(r.entities, [])]);
      let inserted = 0;
      let unchanged = 0;
      for (const { correction: c, textHash } of items) {
        if (known.has(c.correctionId) || (goldByText.get(c.text) ?? []).some((g) => sameEntities(g, c.entities))) {
          unchanged++;
          continue;
        }
        // a document's newer imported gold replaces its older imported gold of the same text
        await tx.query(`UPDATE corrections SET status = 'superseded' WHERE origin = 'IMPORT' AND doc_id = $1 AND text = $2 AND status = 'accepted'`, [c.docId, c.text]);
        await insertCorrectionWithEvent(tx, this.topics, c, { textHash, predicted: null });
        goldByText.set(c.text, [...(goldByText.get(c.text) ?? []), c.entities]);
        inserted++;
      }
      return { inserted, unchanged };
    });
  }

  async currentGold(): Promise<CurrentGold[]> {
    // one line per exact text: its latest adjudication, else its latest accepted correction
    const { rows } = await this.db.query<{ doc_id: string; text: string; entities: unknown }>(
      `SELECT doc_id, text, entities FROM (
         SELECT DISTINCT ON (text) doc_id, text, entities, created_at, correction_id FROM corrections
         WHERE status = 'accepted'
         ORDER BY text, (origin = 'ADJUDICATION') DESC, created_at DESC, correction_id
       ) g ORDER BY created_at, correction_id`,
    );
    return rows.map((r) => ({ docId: r.doc_id, text: r.text, entities: json<GoldEntity[]>(r.entities, []) }));
  }
}
