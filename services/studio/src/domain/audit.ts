// The audit log's vocabulary: the actions the studio records, and the filter an admin reads with.
// Training runs and rollouts that the studio did not ask for (cron, backlog, the reloader's own
// rollbacks) are not copied here: the audit view merges them from the orchestrator's and the
// reloader's published APIs when it is read (each service keeps its own records).
export const AUDIT_ACTIONS = [
  'queue.claim', 'queue.skip', 'queue.release', 'correction.submit', 'adjudication.submit', 'spotcheck.record',
  'token.create', 'token.revoke', 'type.add', 'type.remove', 'type.guideline', 'data.import',
  'training.request', 'rollout.request', 'rollback.request',
  // read from the other services' APIs, not stored by the studio
  'training.run', 'rollout.run',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  /** Position in the studio's log (null: an event read from another service's API). */
  seq: number | null;
  at: number;
  actor: string;
  action: AuditAction;
  subject: string | null;
  detail: Record<string, unknown>;
}

export interface AuditFilter {
  actor?: string;
  action?: AuditAction;
  subject?: string;
  since?: number;
  until?: number;
  limit: number;
}

/** Newest first, filtered, at most `limit`; entries from the studio and from the other services merged. */
export function mergeAudit(lists: ReadonlyArray<readonly AuditEntry[]>, f: AuditFilter): AuditEntry[] {
  return lists
    .flat()
    .filter((e) => (!f.actor || e.actor === f.actor) && (!f.action || e.action === f.action) && (!f.subject || e.subject === f.subject) && (f.since === undefined || e.at >= f.since) && (f.until === undefined || e.at < f.until))
    .sort((a, b) => b.at - a.at || (b.seq ?? 0) - (a.seq ?? 0))
    .slice(0, f.limit);
}
