// The consumer use case: one batch of raw texts from one partition → one entity event and one
// prediction event per document. Both are published (through the batch's publisher) before the
// handler resolves, so the bus commits the offsets only after both are produced; under
// exactly-once delivery the batch's publisher is its Kafka transaction, and the events become
// visible together with the offsets commit, or not at all. Documents the runtime cannot tag for good are
// returned as rejected (the bus dead-letters them); a retriable failure (no model yet, a runtime
// hiccup) fails the whole batch so it is retried and nothing is committed. A document that keeps
// failing with a "retriable" error is dead-lettered after `maxAttempts` tries (a deterministic
// failure must not stall its partition forever).
import type { EntityEvent, Prediction, RawText, Topics } from '@zhner/contracts';
import type { BatchContext, BatchOutcome, Envelope, OutgoingMessage, Publisher } from '@zhner/bus';
import { errorCode } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { chunkBySize, entityEventOf, predictionEventOf, predictionSizeEstimate } from '../domain/events';
import { isRetriable, type TaggerMetrics } from './ports';
import type { TagService } from './tagService';

/** Estimated bytes of prediction events per produce request. */
const MAX_PUBLISH_BYTES = 256 * 1024;

export class StreamTagger {
  /** Retriable failures per message (topic/partition/offset), forgotten on success. */
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly tags: TagService,
    /** Used only when a batch context brings no publisher of its own. */
    private readonly publisher: Publisher,
    private readonly topics: Pick<Topics, 'entities' | 'predictions'>,
    private readonly opts: { replicaId: string; maxAttempts?: number },
    private readonly deps: { logger: Logger; metrics: TaggerMetrics },
  ) {}

  readonly handle = async (batch: Envelope<RawText>[], ctx: BatchContext): Promise<BatchOutcome<RawText>> => {
    const receivedAt = Date.now();
    const settled = await Promise.allSettled(batch.map((e) => this.tags.tag(e.value.text, 'kafka')));
    const maxAttempts = this.opts.maxAttempts ?? 5;
    let retry: unknown;
    settled.forEach((s, i) => {
      const key = `${batch[i].topic}/${batch[i].partition}/${batch[i].offset}`;
      if (s.status === 'rejected' && isRetriable(s.reason)) {
        const n = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, n);
        if (n < maxAttempts) retry ??= s.reason;
      } else this.attempts.delete(key);
    });
    if (retry !== undefined) throw retry;
    for (const e of batch) this.attempts.delete(`${e.topic}/${e.partition}/${e.offset}`);

    const now = Date.now();
    const entities: OutgoingMessage<EntityEvent>[] = [];
    const predictions: Array<OutgoingMessage<Prediction> & { bytes: number }> = [];
    const rejected: NonNullable<BatchOutcome<RawText>['rejected']> = [];
    settled.forEach((s, i) => {
      const env = batch[i];
      const doc = env.value;
      if (s.status === 'rejected') {
        rejected.push({ envelope: env, error: s.reason });
        this.deps.metrics.rejected(errorCode(s.reason), 'kafka');
        ctx.logger.warn({ docId: doc.id, err: s.reason, partition: env.partition, offset: env.offset }, 'document could not be tagged');
        return;
      }
      const t = s.value;
      entities.push({ value: entityEventOf(doc, t, { replicaId: this.opts.replicaId, receivedAtMs: receivedAt, nowMs: now }), key: doc.id });
      predictions.push({ value: predictionEventOf(doc, t, now), key: doc.id, bytes: predictionSizeEstimate(doc.text.length, t) });
      if (this.deps.logger.isLevelEnabled('debug')) {
        this.deps.logger.debug({ docId: doc.id, modelVersion: t.modelVersion, entities: t.prediction.entities.length, cached: t.cached, partition: env.partition, offset: env.offset }, 'document tagged');
      }
    });
    // prediction events are large (embedding, per-token arrays): several produce requests, each far
    // below the broker's message size limit, sent concurrently
    const predictionChunks = chunkBySize(predictions, (m) => m.bytes, MAX_PUBLISH_BYTES).map((c) => c.map(({ value, key }) => ({ value, key })));
    // entity events are small, but a large batch of entity-dense texts adds up: sized the same way
    const entityChunks = chunkBySize(entities, (m) => 256 + m.value.docId.length + m.value.source.length + m.value.entities.reduce((n, e) => n + 48 + 3 * e.text.length + e.type.length, 0), MAX_PUBLISH_BYTES);
    const out = ctx.publisher ?? this.publisher;
    await Promise.all([...entityChunks.map((c) => out.publish(this.topics.entities, c)), ...predictionChunks.map((c) => out.publish(this.topics.predictions, c))]);
    return { rejected };
  };
}
