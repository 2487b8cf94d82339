// audit_log (owner: studio; append-only, enforced by a trigger): record and read.
import type { SqlClient } from '@zhner/store';
import type { AuditEntry, AuditFilter } from '../../domain/audit';
import type { AuditStore } from '../../app/ports';

export class SqlAuditStore implements AuditStore {
  constructor(private readonly db: SqlClient) {}

  async record(e: Omit<AuditEntry, 'seq' | 'at'>): Promise<void> {
    await this.db.query('INSERT INTO audit_log (actor, action, subject, detail) VALUES ($1, $2, $3, $4::jsonb)', [e.actor, e.action, e.subject, JSON.stringify(e.detail ?? {})]);
  }

  async list(f: AuditFilter): Promise<AuditEntry[]> {
    const { rows } = await this.db.query<{ seq: string; at_ms: number; actor: string; action: AuditEntry['action']; subject: string | null; detail: unknown }>(
      `SELECT seq::text, (extract(epoch FROM at) * 1000)::float8 AS at_ms, actor, action, subject, detail FROM audit_log
        WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR subject = $3)
          AND ($4::float8 IS NULL OR at >= to_timestamp($4 / 1000)) AND ($5::float8 IS NULL OR at < to_timestamp($5 / 1000))
        ORDER BY at DESC, seq DESC LIMIT $6`,
      [f.actor ?? null, f.action ?? null, f.subject ?? null, f.since ?? null, f.until ?? null, f.limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), at: Number(r.at_ms), actor: r.actor, action: r.action, subject: r.subject, detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<string, unknown> }));
  }
}
