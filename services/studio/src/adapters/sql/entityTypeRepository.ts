// entity_types and entity_type_guidelines (owner: studio): how a type is shown and explained.
// Guidelines are append-only: a new text is a new version.
import type { SqlClient } from '@zhner/store';
import type { EntityTypeRow } from '../../domain/entityTypes';
import type { EntityTypeStore } from '../../app/ports';

interface Row {
  type: string;
  colour: string | null;
  shortcut: string | null;
  custom: boolean;
  version: number | null;
  body: string | null;
  g_created_ms: number | null;
  g_created_by: string | null;
}

export class SqlEntityTypeStore implements EntityTypeStore {
  constructor(private readonly db: SqlClient) {}

  async list(): Promise<EntityTypeRow[]> {
    // every type with a row or a guideline (a model type may have a guideline and no row)
    const { rows } = await this.db.query<Row>(
      `WITH latest AS (
         SELECT DISTINCT ON (type) type, version, body, (extract(epoch FROM created_at) * 1000)::float8 AS g_created_ms, created_by AS g_created_by
           FROM entity_type_guidelines ORDER BY type, version DESC)
       SELECT COALESCE(t.type, l.type) AS type, t.colour, t.shortcut, (t.type IS NOT NULL) AS custom, l.version, l.body, l.g_created_ms, l.g_created_by
         FROM (SELECT * FROM entity_types WHERE removed_at IS NULL) t
         FULL JOIN latest l ON l.type = t.type
        WHERE t.type IS NOT NULL OR NOT EXISTS (SELECT 1 FROM entity_types r WHERE r.type = l.type AND r.removed_at IS NOT NULL)`,
    );
    return rows.map((r) => ({
      type: r.type,
      colour: r.colour ?? '',
      shortcut: r.shortcut,
      custom: r.custom,
      guideline: r.version === null ? null : { version: r.version, body: r.body ?? '', createdAt: Number(r.g_created_ms), createdBy: r.g_created_by ?? '' },
    }));
  }

  async add(t: { type: string; colour: string; shortcut: string | null; guideline: string; by: string }): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO entity_types (type, colour, shortcut, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (type) DO UPDATE SET colour = EXCLUDED.colour, shortcut = EXCLUDED.shortcut, created_at = now(), created_by = EXCLUDED.created_by,
           removed_at = NULL, removed_by = NULL, removal_note = NULL`,
        [t.type, t.colour, t.shortcut, t.by],
      );
      return this.appendGuideline(tx, t.type, t.guideline, t.by);
    });
  }

  async addGuideline(type: string, body: string, by: string): Promise<number> {
    return this.db.transaction((tx) => this.appendGuideline(tx, type, body, by));
  }

  async remove(type: string, by: string, note: string | null): Promise<boolean> {
    const r = await this.db.query('UPDATE entity_types SET removed_at = now(), removed_by = $2, removal_note = $3 WHERE type = $1 AND removed_at IS NULL', [type, by, note]);
    return r.rowCount > 0;
  }

  private async appendGuideline(tx: SqlClient, type: string, body: string, by: string): Promise<number> {
    if (tx.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`guideline:${type}`]);
    const { rows } = await tx.query<{ v: number }>(
      `INSERT INTO entity_type_guidelines (type, version, body, created_by)
       SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3 FROM entity_type_guidelines WHERE type = $1
       RETURNING version AS v`,
      [type, body, by],
    );
    return rows[0].v;
  }
}
