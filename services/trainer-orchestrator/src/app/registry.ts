// The model registry as the orchestrator keeps it: the bundled default model as the first
// promoted version, statuses kept current from the model-events topic (the reloader announces
// PROMOTED / ROLLED_BACK), and the label set corrections are checked against: the promoted model's
// entity types plus the types an admin admitted before any model knows them (LABEL_SET, when set,
// overrides both).
import path from 'node:path';
import type { Envelope } from '@zhner/bus';
import type { ModelEvent } from '@zhner/contracts';
import { errorMessage } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import type { LabelType } from '@zhner/contracts';
import { errors } from '../errors';
import type { AdmittedType, LabelTypeRepository, ModelRepository, Workspace } from './ports';

export const FALLBACK_LABELS = ['LOC', 'ORG', 'PER'] as const;

export interface RegistryDeps {
  models: ModelRepository;
  workspace: Workspace;
  logger: Logger;
  /** LABEL_SET: when set, it overrides the promoted model's entity types (e.g. to admit a new type). */
  labelOverride?: readonly string[];
  /** Admitted types (label_types); without it only the model's types (and LABEL_SET) count. */
  labelTypes?: LabelTypeRepository;
}

export class ModelRegistry {
  private labels: readonly string[] = FALLBACK_LABELS;
  private promotedVersion: string | null = null;
  private admitted: readonly AdmittedType[] = [];

  constructor(private readonly deps: RegistryDeps) {}

  /** Entity types a correction may use now. */
  labelSet(): readonly string[] {
    return this.deps.labelOverride ?? [...new Set([...this.labels, ...this.admitted.map((a) => a.type)])].sort();
  }

  /** The label set with each type's origin (GET /label-set). */
  labelTypes(): LabelType[] {
    if (this.deps.labelOverride) return this.deps.labelOverride.map((type) => ({ type, source: 'override', admittedAt: null, admittedBy: null, note: null }));
    const model = new Set(this.labels);
    const admitted = new Map(this.admitted.map((a) => [a.type, a]));
    return this.labelSet().map((type) => {
      const a = admitted.get(type);
      return { type, source: model.has(type) ? 'model' : 'admitted', admittedAt: a ? new Date(a.admittedAt).toISOString() : null, admittedBy: a?.admittedBy ?? null, note: a?.note ?? null };
    });
  }

  /** Admits a type corrections may use before any model knows it; the next run extends the label set with it. */
  async admit(type: string, by: string, note: string | null): Promise<LabelType> {
    const repo = this.requireTypes();
    const known = this.labelTypes().find((t) => t.type === type);
    if (known) throw errors.create('TYPE_EXISTS', { type, source: known.source });
    if ((await repo.admit({ type, by, note })) === 'exists') throw errors.create('TYPE_EXISTS', { type, source: 'admitted' });
    await this.refreshAdmitted();
    this.deps.logger.info({ type, by, note }, 'entity type admitted to the label set');
    return this.labelTypes().find((t) => t.type === type)!;
  }

  /**
   * Removes an admitted type no promoted model tags. Stored corrections keep their spans of it;
   * training and scoring leave those spans out from now on (the type's characters count as not
   * annotated), and new corrections with it are refused.
   */
  async remove(type: string, by: string): Promise<void> {
    const repo = this.requireTypes();
    if (this.labels.includes(type)) throw errors.create('TYPE_IN_MODEL', { type, version: this.promotedVersion ?? '(unknown)' });
    if ((await repo.remove(type, by)) === 'unknown') throw errors.create('TYPE_NOT_ADMITTED', { type });
    await this.refreshAdmitted();
    this.deps.logger.info({ type, by }, 'entity type removed from the label set');
  }

  /** Reads the admitted types again (another replica may have changed them). */
  async refreshAdmitted(): Promise<void> {
    if (this.deps.labelTypes) this.admitted = await this.deps.labelTypes.admitted();
  }

  private requireTypes(): LabelTypeRepository {
    if (this.deps.labelOverride) throw errors.create('TYPES_OVERRIDDEN', { labelSet: this.deps.labelOverride.join(',') });
    if (!this.deps.labelTypes) throw errors.create('TYPES_OVERRIDDEN', { labelSet: this.labels.join(',') });
    return this.deps.labelTypes;
  }

  /**
   * Registers the bundled model (`modelDir`) as promoted when the registry is empty, so that the
   * loop has a base; then loads the label set. A missing manifest is logged, not fatal: runs will
   * refuse to start until a model is registered.
   */
  async bootstrap(modelDir: string): Promise<void> {
    const promoted = await this.deps.models.promoted();
    if (promoted && path.resolve(promoted.uri) === path.resolve(modelDir)) {
      // the promoted version is the shipped default, read from its directory: when the repository
      // ships another one there, the old one is gone, so the registry follows the directory
      try {
        const m = await this.deps.workspace.readManifest(modelDir);
        if (m.version !== promoted.version || m.sha256 !== promoted.manifestSha256) {
          await this.deps.models.adoptBundled({ version: m.version, name: m.name, uri: modelDir, manifestSha256: m.sha256, parentVersion: m.parentVersion, metrics: m.metrics, entityTypes: m.entityTypes, trainingRunId: null });
          this.deps.logger.warn({ version: m.version, previous: promoted.version, modelDir }, 'the bundled model directory holds a new version: promoted it (the previous one was retired)');
        }
      } catch (err) {
        this.deps.logger.warn({ modelDir, err: errorMessage(err) }, 'cannot read the bundled model to check it against the registry');
      }
    }
    if (!promoted) {
      try {
        const m = await this.deps.workspace.readManifest(modelDir);
        const added = await this.deps.models.registerInitial({ version: m.version, name: m.name, uri: modelDir, manifestSha256: m.sha256, parentVersion: m.parentVersion, metrics: m.metrics, entityTypes: m.entityTypes, trainingRunId: null });
        if (added) this.deps.logger.info({ version: m.version, modelDir }, 'registered the bundled model as promoted');
      } catch (err) {
        this.deps.logger.warn({ modelDir, err: errorMessage(err) }, 'no bundled model registered; runs need a promoted model');
      }
    }
    await this.refreshLabels();
  }

  /** Versions registered before entity types were recorded (or from an event): read their manifests once. */
  private async fillEntityTypes(): Promise<void> {
    for (const v of await this.deps.models.list(500)) {
      if (v.entityTypes.length > 0) continue;
      try {
        const m = await this.deps.workspace.readManifest(v.uri);
        if (m.entityTypes.length > 0) await this.deps.models.setEntityTypes(v.version, m.entityTypes);
      } catch (err) {
        this.deps.logger.debug({ version: v.version, err: errorMessage(err) }, 'entity types unknown: manifest unreadable');
      }
    }
  }

  /** Reloads the promoted model's entity types (after a promotion). */
  async refreshLabels(): Promise<void> {
    await this.fillEntityTypes();
    await this.refreshAdmitted();
    const promoted = await this.deps.models.promoted();
    if (!promoted) return;
    try {
      const m = await this.deps.workspace.readManifest(promoted.uri);
      this.promotedVersion = promoted.version;
      if (m.entityTypes.length > 0) this.labels = [...m.entityTypes].sort();
    } catch (err) {
      this.deps.logger.warn({ version: promoted.version, uri: promoted.uri, err: errorMessage(err) }, 'cannot read the promoted model manifest; keeping the previous label set');
    }
  }

  /** The model-events handler: PROMOTED and ROLLED_BACK update statuses; other types are ours or informative. */
  async handle(batch: Envelope<ModelEvent>[]): Promise<void> {
    let promoted = false;
    for (const { value: ev } of batch) {
      if (ev.type === 'PROMOTED') {
        const r = await this.deps.models.applyPromoted(ev);
        this.deps.logger.info({ version: ev.modelVersion, result: r }, 'model promoted');
        promoted ||= r === 'applied';
      } else if (ev.type === 'ROLLED_BACK') {
        const r = await this.deps.models.applyRolledBack(ev);
        this.deps.logger.info({ version: ev.modelVersion, result: r, reason: ev.reason }, 'model rolled back');
        promoted = true;
      }
    }
    if (promoted) await this.refreshLabels();
  }
}
