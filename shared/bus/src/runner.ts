// The one consumer path shared by the Kafka and in-memory adapters: decode → validate → handle →
// dead-letter what cannot succeed → (caller commits). Offsets are never committed before the
// handler's output and the dead letters have been published.
import type { SchemaName, SchemaTypes, TopicSpec, DeadLetter } from '@zhner/contracts';
import { errorCode, errorMessage, isPlatformError, isProgrammingError, retry, type RetryOptions } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import type { BusMetrics } from './metrics';
import { DLT_HEADERS, type BatchContext, type Envelope, type Publisher, type SubscribeOptions } from './port';

/** A message as fetched, before decoding. */
export interface RawIncoming {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

export interface ProcessorDeps {
  publisher: Publisher;
  deadLetterTopic: TopicSpec<'DeadLetter'>;
  logger: Logger;
  metrics: BusMetrics;
  /** Back-off for retriable handler and dead-letter failures. Attempts are unbounded until stop. */
  retry?: RetryOptions;
}

interface Failure {
  raw: RawIncoming;
  error: unknown;
}

/** Retriable errors (and unknown non-programming errors from I/O libraries) are retried. */
function isRetriable(err: unknown): boolean {
  if (isProgrammingError(err)) return false;
  if (isPlatformError(err)) return err.retriable;
  // kafkajs and pg errors: kafkajs marks `retriable`; connection errors carry `code` like ECONNREFUSED
  const e = err as { retriable?: boolean; code?: string; name?: string } | null;
  if (e && typeof e.retriable === 'boolean') return e.retriable;
  if (e && typeof e.code === 'string' && /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|57P01|08)/.test(e.code)) return true;
  return false;
}

export class BatchProcessor<N extends SchemaName> {
  private readonly specs: Map<string, TopicSpec<N>>;
  private readonly raws = new WeakMap<object, RawIncoming>();

  constructor(
    private readonly opts: SubscribeOptions<N>,
    private readonly deps: ProcessorDeps,
  ) {
    this.specs = new Map(opts.topics.map((t) => [t.name, t]));
  }

  decode(raw: RawIncoming): Envelope<SchemaTypes[N]> {
    const spec = this.specs.get(raw.topic);
    if (!spec) throw new Error(`no topic spec for ${raw.topic}`);
    const value = spec.codec.decode(raw.value);
    spec.validate(value);
    const env: Envelope<SchemaTypes[N]> = {
      topic: raw.topic,
      partition: raw.partition,
      offset: raw.offset,
      key: raw.key ? raw.key.toString('utf8') : null,
      value,
      headers: raw.headers,
      timestamp: raw.timestamp,
    };
    this.opts.validate?.(value, env);
    this.raws.set(env, raw);
    return env;
  }

  /** Processes one partition's batch. Resolves when output and dead letters are published; rejects on stop or a persistent failure. */
  async process(batch: RawIncoming[], ctx: BatchContext): Promise<void> {
    const started = process.hrtime.bigint();
    const good: Envelope<SchemaTypes[N]>[] = [];
    const failures: Failure[] = [];
    for (const raw of batch) {
      try {
        good.push(this.decode(raw));
      } catch (error) {
        failures.push({ raw, error });
      }
    }
    if (good.length > 0) {
      const rejected = await this.handle(good, ctx);
      for (const r of rejected) failures.push({ raw: this.raws.get(r.envelope) ?? this.toRaw(r.envelope), error: r.error });
    }
    if (failures.length > 0) await this.deadLetter(failures, ctx);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.deps.metrics.consumed.inc({ topic: ctx.topic, group: ctx.groupId }, batch.length);
    this.deps.metrics.batchSeconds.observe({ topic: ctx.topic, group: ctx.groupId }, seconds);
    if (ctx.lag !== null) this.deps.metrics.lag.set({ topic: ctx.topic, partition: String(ctx.partition), group: ctx.groupId }, ctx.lag);
  }

  private async handle(batch: Envelope<SchemaTypes[N]>[], ctx: BatchContext): Promise<Array<{ envelope: Envelope<SchemaTypes[N]>; error: unknown }>> {
    try {
      const outcome = await retry(() => this.opts.handler(batch, ctx), {
        retries: Number.MAX_SAFE_INTEGER,
        initialDelayMs: 100,
        maxDelayMs: 15_000,
        ...this.deps.retry,
        isRetriable,
        signal: ctx.signal,
        onRetry: (err, attempt, delayMs) =>
          ctx.logger.warn({ err: errorMessage(err), attempt, delayMs, topic: ctx.topic, partition: ctx.partition, firstOffset: batch[0]?.offset }, 'batch failed, retrying'),
      });
      return outcome?.rejected ?? [];
    } catch (err) {
      if (ctx.signal.aborted || isRetriable(err)) throw err;
      if (batch.length === 1) return [{ envelope: batch[0], error: err }];
      // A non-retriable failure of the whole batch: find the culprit(s) one message at a time.
      ctx.logger.warn({ err: errorMessage(err), size: batch.length }, 'batch failed permanently; retrying messages one by one');
      const out: Array<{ envelope: Envelope<SchemaTypes[N]>; error: unknown }> = [];
      for (const env of batch) out.push(...(await this.handle([env], ctx)));
      return out;
    }
  }

  private toRaw(env: Envelope<SchemaTypes[N]>): RawIncoming {
    const spec = this.specs.get(env.topic)!;
    return { topic: env.topic, partition: env.partition, offset: env.offset, key: env.key === null ? null : Buffer.from(env.key), value: spec.codec.encode(env.value), headers: env.headers, timestamp: env.timestamp };
  }

  private async deadLetter(failures: Failure[], ctx: BatchContext): Promise<void> {
    const dlt = this.opts.deadLetterTopic ?? this.deps.deadLetterTopic;
    const now = Date.now();
    const messages = failures.map(({ raw, error }) => {
      const code = errorCode(error);
      const reason = errorMessage(error).slice(0, 4000);
      const letter: DeadLetter = {
        originalTopic: raw.topic,
        partition: raw.partition,
        offset: raw.offset,
        key: raw.key,
        payload: raw.value,
        headers: raw.headers,
        errorCode: code,
        reason,
        consumerGroup: ctx.groupId,
        failedAt: now,
      };
      this.deps.metrics.deadLetters.inc({ topic: raw.topic, group: ctx.groupId, code });
      ctx.logger.warn({ topic: raw.topic, partition: raw.partition, offset: raw.offset, key: raw.key?.toString('utf8'), code, reason }, 'dead-lettered message');
      return {
        value: letter,
        key: raw.key?.toString('utf8') ?? `${raw.topic}/${raw.partition}/${raw.offset}`,
        headers: {
          [DLT_HEADERS.errorCode]: code,
          [DLT_HEADERS.reason]: reason.slice(0, 1000),
          [DLT_HEADERS.originalTopic]: raw.topic,
          [DLT_HEADERS.partition]: String(raw.partition),
          [DLT_HEADERS.offset]: raw.offset,
          [DLT_HEADERS.consumerGroup]: ctx.groupId,
          [DLT_HEADERS.failedAt]: String(now),
        },
      };
    });
    await retry(() => this.deps.publisher.publish(dlt, messages), {
      retries: Number.MAX_SAFE_INTEGER,
      initialDelayMs: 100,
      maxDelayMs: 15_000,
      ...this.deps.retry,
      isRetriable: (e) => !isProgrammingError(e),
      signal: ctx.signal,
    });
  }
}
