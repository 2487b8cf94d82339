// What fills and ages the review queue, which the studio owns: the sampler's review-candidate
// events open items (or re-open expired ones); a PROMOTED model event expires the open items of
// older versions (claimed ones are kept: someone is working on them). Both are idempotent, so
// redelivered events change nothing.
import type { ModelEvent, ReviewCandidate } from '@zhner/contracts';
import type { Logger } from '@zhner/kit';
import type { QueueRepository } from './ports';

export interface QueueFeedMetrics {
  ingested(opened: number, ignored: number): void;
  expired(n: number): void;
}

export class QueueFeed {
  constructor(
    private readonly deps: { queue: Pick<QueueRepository, 'ingest' | 'expireOlderThan'>; metrics: QueueFeedMetrics; logger: Logger; onChange?: () => void },
  ) {}

  async onCandidates(candidates: readonly ReviewCandidate[]): Promise<number> {
    const opened = await this.deps.queue.ingest(candidates);
    this.deps.metrics.ingested(opened, candidates.length - opened);
    if (opened > 0) this.deps.onChange?.();
    return opened;
  }

  async onModelEvents(events: readonly ModelEvent[]): Promise<number> {
    let expired = 0;
    for (const e of events) {
      if (e.type !== 'PROMOTED') continue;
      const n = await this.deps.queue.expireOlderThan(e.modelVersion, e.at);
      expired += n;
      if (n > 0) this.deps.logger.info({ modelVersion: e.modelVersion, expired: n }, 'model promoted: open queue items of older versions expired');
    }
    this.deps.metrics.expired(expired);
    if (expired > 0) this.deps.onChange?.();
    return expired;
  }
}
