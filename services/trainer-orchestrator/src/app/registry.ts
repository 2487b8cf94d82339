// The model registry as the orchestrator keeps it: the bundled default model as the first
// promoted version, statuses kept current from the model-events topic (the reloader announces
// PROMOTED / ROLLED_BACK), and the label set corrections are checked against.
import path from 'node:path';
import type { Envelope } from '@zhner/bus';
import type { ModelEvent } from '@zhner/contracts';
import { errorMessage } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import type { ModelRepository, Workspace } from './ports';

export const FALLBACK_LABELS = ['LOC', 'ORG', 'PER'] as const;

export interface RegistryDeps {
  models: ModelRepository;
  workspace: Workspace;
  logger: Logger;
  /** LABEL_SET: when set, it overrides the promoted model's entity types (e.g. to admit a new type). */
  labelOverride?: readonly string[];
}

export class ModelRegistry {
  private labels: readonly string[] = FALLBACK_LABELS;

  constructor(private readonly deps: RegistryDeps) {}

  /** Entity types a correction may use now. */
  labelSet(): readonly string[] {
    return this.deps.labelOverride ?? this.labels;
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
    const promoted = await this.deps.models.promoted();
    if (!promoted) return;
    try {
      const m = await this.deps.workspace.readManifest(promoted.uri);
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
