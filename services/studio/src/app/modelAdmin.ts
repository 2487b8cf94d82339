// Admin model actions: train now, roll a registered version out, roll a rollout back. The studio
// only forwards them (the orchestrator and reloader own runs and rollouts); a rollout names a
// registered version (checked against the registry first, for a clear 404).
import { errors } from '../errors';
import type { AuditLog } from './audit';
import type { ModelActions, Principal, RegistryReader } from './ports';

export class ModelAdmin {
  constructor(
    private readonly actions: ModelActions,
    private readonly registry: Pick<RegistryReader, 'model'>,
    private readonly onChange?: () => void,
    private readonly audit?: Pick<AuditLog, 'record'>,
  ) {}

  async triggerTraining(p: Principal, reason?: string): Promise<unknown> {
    const out = await this.actions.triggerTraining({ requestedBy: p.annotatorId, reason });
    await this.audit?.record(p.annotatorId, 'training.request', (out as { run?: { runId?: string } } | null)?.run?.runId ?? null, { reason: reason ?? null });
    return out;
  }

  /** @throws 404 when the version is not in the registry. */
  async startRollout(p: Principal, modelVersion: string): Promise<unknown> {
    const v = await this.registry.model(modelVersion);
    if (!v) throw errors.create('MODEL_VERSION_NOT_FOUND', { id: modelVersion });
    const out = await this.actions.startRollout({ modelVersion: v.version, requestedBy: p.annotatorId });
    await this.audit?.record(p.annotatorId, 'rollout.request', (out as { rolloutId?: string } | null)?.rolloutId ?? null, { modelVersion: v.version });
    this.onChange?.();
    return out;
  }

  async rollback(p: Principal, rolloutId: string, reason?: string): Promise<unknown> {
    const out = await this.actions.rollback(rolloutId, { requestedBy: p.annotatorId, reason });
    await this.audit?.record(p.annotatorId, 'rollback.request', rolloutId, { reason: reason ?? null });
    this.onChange?.();
    return out;
  }
}
