// The label set offered in the UI and accepted by validation: the current promoted model's entity
// types when its manifest is readable (and LABELS_FROM_MODEL is on), else the configured LABELS.
import type { Logger } from '@zhner/kit';
import { labelsFromManifest } from '../domain/models';

export interface LabelProviderOptions {
  configured: readonly string[];
  /** Reads the promoted model's manifest (undefined when none or unreadable). Omit to use `configured` only. */
  manifest?: () => Promise<unknown | undefined>;
  /** How long a label set is reused before the manifest is read again, ms. Default 30 s. */
  cacheMs?: number;
  logger: Logger;
}

export class LabelProvider {
  private cached: { labels: string[]; source: 'config' | 'model'; at: number } | undefined;

  constructor(private readonly opts: LabelProviderOptions) {}

  async current(): Promise<{ labels: string[]; source: 'config' | 'model' }> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < (this.opts.cacheMs ?? 30_000)) return this.cached;
    let next: { labels: string[]; source: 'config' | 'model' } = { labels: [...this.opts.configured], source: 'config' };
    if (this.opts.manifest) {
      try {
        const fromModel = labelsFromManifest(await this.opts.manifest());
        if (fromModel) next = { labels: fromModel, source: 'model' };
      } catch (err) {
        this.opts.logger.warn({ err: (err as Error).message }, 'cannot read the promoted model manifest; using LABELS');
      }
    }
    this.cached = { ...next, at: now };
    return next;
  }

  async labels(): Promise<string[]> {
    return (await this.current()).labels;
  }
}
