// The label set offered in the UI and accepted by validation: the registry's published label set
// (GET /models `labelSet`: the promoted model's entity types, or the orchestrator's LABEL_SET) —
// the very set the orchestrator checks corrections against, so a correction the studio accepts is
// never dead-lettered downstream. The configured LABELS only bridge an unreachable registry (or
// serve alone with LABELS_FROM_MODEL=false).
import type { Logger } from '@zhner/kit';

export interface LabelProviderOptions {
  configured: readonly string[];
  /** The registry's current label set. Omit to use `configured` only. */
  registry?: () => Promise<readonly string[]>;
  /** How long a label set is reused before the registry is asked again, ms. Default 30 s. */
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
    if (this.opts.registry) {
      try {
        const fromRegistry = await this.opts.registry();
        if (fromRegistry.length > 0) {
          // the UI order (colours, keys 1..9) follows LABELS for the types it names, new types after
          const order = new Map(this.opts.configured.map((l, i) => [l, i]));
          next = { labels: [...fromRegistry].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b)), source: 'model' };
        }
      } catch (err) {
        this.opts.logger.warn({ err: (err as Error).message }, 'cannot read the label set from the registry; using LABELS until it answers');
        // retry soon rather than caching the fallback for the whole period
        this.cached = { ...next, at: now - (this.opts.cacheMs ?? 30_000) + 2000 };
        return next;
      }
    }
    this.cached = { ...next, at: now };
    return next;
  }

  async labels(): Promise<string[]> {
    return (await this.current()).labels;
  }

  /** The label set is LABELS alone (LABELS_FROM_MODEL=false): types cannot be added in the studio. */
  get fixed(): boolean {
    return !this.opts.registry;
  }

  /** Forget the cached set (a type was just added or removed): the next call asks the registry. */
  invalidate(): void {
    this.cached = undefined;
  }
}
