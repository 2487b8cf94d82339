// Tagging one text, shared by the Kafka consumer and the HTTP API: an in-process LRU of recent
// results (keyed by model version and the text's sha256, so a new version never answers from an
// old one's results), then the dynamic batcher.
import { sha256Hex } from '@zhner/core';
import { LruCache } from '../domain/lru';
import { countByType, type DocPrediction } from '../domain/prediction';
import type { TaggedDoc } from '../domain/events';
import { LatencyWindow } from '../domain/latencyWindow';
import type { DynamicBatcher } from './batcher';
import type { DocOrigin, TaggerMetrics } from './ports';

interface Cached {
  prediction: DocPrediction;
  modelVersion: string;
  labels: readonly string[];
}

export interface TagStats {
  docsTagged: number;
  errors: number;
  p99LatencyMs: number | null;
}

export class TagService {
  private readonly cache: LruCache<string, Cached>;
  private docs = 0;
  private errors = 0;
  private readonly latency = new LatencyWindow(4096);

  constructor(
    private readonly batcher: DynamicBatcher,
    private readonly currentVersion: () => string | undefined,
    private readonly metrics: TaggerMetrics,
    opts: { cacheSize: number },
  ) {
    this.cache = new LruCache(opts.cacheSize);
  }

  /** Tags one (already validated) text. Rejects with the batcher's or the runtime's error. */
  async tag(text: string, origin: DocOrigin): Promise<TaggedDoc> {
    const started = performance.now();
    const textSha256 = sha256Hex(text);
    const version = this.currentVersion();
    if (version !== undefined && this.cache.capacity > 0) {
      const hit = this.cache.get(`${version}\u0000${textSha256}`);
      this.metrics.cacheLookup(hit !== undefined);
      if (hit) {
        this.done(origin, started, hit.prediction, true);
        return { ...hit, textSha256, queueMs: 0, inferenceMs: 0, cached: true };
      }
    }
    try {
      const r = await this.batcher.submit(text, origin);
      this.cache.set(`${r.modelVersion}\u0000${textSha256}`, { prediction: r.prediction, modelVersion: r.modelVersion, labels: r.labels });
      this.done(origin, started, r.prediction, false);
      return { prediction: r.prediction, modelVersion: r.modelVersion, labels: r.labels, textSha256, queueMs: r.queueMs, inferenceMs: r.inferenceMs, cached: false };
    } catch (err) {
      this.errors++;
      throw err;
    }
  }

  /**
   * Whether an HTTP request of `chars` characters is admitted now (the HTTP lane is bounded; the
   * Kafka lane is bounded by the consumer's batch size instead).
   * @throws TOO_MANY_REQUESTS (429, src/errors.ts) when the lane is full.
   */
  admitHttp(chars: number): void {
    this.batcher.admitHttp(chars);
  }

  /** Counts a document refused before tagging (dead-lettered or answered 400). */
  countRejected(): void {
    this.errors++;
  }

  stats(): TagStats {
    return { docsTagged: this.docs, errors: this.errors, p99LatencyMs: this.latency.percentile(0.99) };
  }

  private done(origin: DocOrigin, started: number, p: DocPrediction, cached: boolean): void {
    const ms = performance.now() - started;
    this.docs++;
    this.latency.add(ms);
    this.metrics.documentDone({ origin, seconds: ms / 1000, entitiesByType: countByType(p.entities), cached });
  }
}
