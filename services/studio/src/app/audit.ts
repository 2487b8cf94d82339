// The audit log: the studio appends what its users do (after the action succeeded; a failed write
// is logged, never undoes the action), and an admin reads it merged with the training runs and
// rollouts of the orchestrator's and the reloader's published APIs.
import { errorMessage } from '@zhner/core';
import type { Logger } from '@zhner/kit';
import { mergeAudit, type AuditAction, type AuditEntry, type AuditFilter } from '../domain/audit';
import type { AuditStore, RegistryReader, RolloutReader } from './ports';

export class AuditLog {
  constructor(
    private readonly store: AuditStore,
    private readonly logger: Logger,
    private readonly upstream?: { registry: RegistryReader; rollouts: RolloutReader },
  ) {}

  /** Appends one entry; never throws (the action it records has happened). */
  async record(actor: string, action: AuditAction, subject: string | null, detail: Record<string, unknown> = {}): Promise<void> {
    try {
      await this.store.record({ actor, action, subject, detail });
    } catch (err) {
      this.logger.error({ err: errorMessage(err), actor, action, subject }, 'audit entry not written');
    }
  }

  /** Newest first. Runs and rollouts come from their owners' APIs (left out, with a note, when one is down). */
  async list(f: AuditFilter): Promise<{ entries: AuditEntry[]; unavailable: string[] }> {
    const own = f.action === 'training.run' || f.action === 'rollout.run' ? [] : await this.store.list(f);
    const unavailable: string[] = [];
    const wants = (a: AuditAction) => !f.action || f.action === a;
    const runs = this.upstream && wants('training.run')
      ? await this.upstream.registry.runs(Math.min(500, f.limit)).then(
          (rs) => rs.map((r): AuditEntry => ({ seq: null, at: Date.parse(r.startedAt ?? r.createdAt), actor: `trainer-orchestrator (${r.trigger})`, action: 'training.run', subject: r.runId, detail: { status: r.status, baseVersion: r.baseVersion, newVersion: r.newVersion, error: r.error } })),
          (err: unknown) => (unavailable.push(`training runs: ${errorMessage(err)}`), []),
        )
      : [];
    const rollouts = this.upstream && wants('rollout.run')
      ? await this.upstream.rollouts.rollouts(Math.min(500, f.limit)).then(
          (rs) => rs.map((r): AuditEntry => ({ seq: null, at: Date.parse(r.startedAt), actor: `reloader (${r.trigger})`, action: 'rollout.run', subject: r.rolloutId, detail: { modelVersion: r.modelVersion, previousVersion: r.previousVersion, state: r.state, reason: r.reason } })),
          (err: unknown) => (unavailable.push(`rollouts: ${errorMessage(err)}`), []),
        )
      : [];
    return { entries: mergeAudit([own, runs, rollouts], f), unavailable };
  }
}
