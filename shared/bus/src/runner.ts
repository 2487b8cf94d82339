// The one consumer path shared by every adapter: size check → decode (headers checked) → validate →
// handle → dead-letter what cannot succeed (park what cannot even be dead-lettered) → (the adapter
// commits). Offsets are never committed before the handler's output and the dead letters are
// published — under exactly-once they go into the same transaction as the offsets.
import { createHash } from 'node:crypto';
import type { DeadLetter, SchemaName, SchemaTypes, TopicInfo, TopicSpec } from '@zhner/contracts';
import { PlatformError, errorCode, errorMessage, isPlatformError, isProgrammingError, isRetriable, retry, type RetryOptions } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { BufferedPublisher } from './health';
import type { BusMetrics } from './metrics';
import { DLT_HEADERS, type BatchContext, type Envelope, type OutgoingMessage, type Publisher, type SubscribeOptions } from './port';

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

/** Default largest payload handed to decoding (SubscribeOptions.maxPayloadBytes). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
/**
 * A dead letter keeps at most this many bytes of the original payload (and 64 KiB of its headers):
 * with the reason and coordinates it stays far below the broker's default message limit
 * (message.max.bytes 1,048,588), so dead-lettering a message that barely fit never fails for size.
 * A cut payload carries x-dlt-original-size, x-dlt-original-sha256 and x-dlt-truncated.
 */
export const DEAD_LETTER_MAX_PAYLOAD_BYTES = 512 * 1024;
const DEAD_LETTER_MAX_HEADER_BYTES = 64 * 1024;

/** Attempts to publish dead letters (then to park them) before giving up on a non-retriable error. */
const DEAD_LETTER_ATTEMPTS = 5;

export interface ProcessorDeps {
  deadLetterTopic: TopicSpec<'DeadLetter'>;
  logger: Logger;
  metrics: BusMetrics;
  /** Creates a topic when it is missing (the parking topic is created on first use). */
  ensureTopic?: (topic: TopicInfo) => Promise<void>;
  /** Back-off for retriable handler and dead-letter failures. */
  retry?: RetryOptions;
}

interface Failure {
  raw: RawIncoming;
  error: unknown;
}

/**
 * Whether a failed handler (or a failed dead-letter publish) is tried again. The platform's rule
 * (`isRetriable` in @zhner/core) decides for errors that say so (PlatformError, kafkajs'
 * `retriable`, @platformatic/kafka's `canRetry`) and for connection errors; an error that says
 * nothing — a handler's own `Error` — is not retried here but dead-lettered: the handler contract
 * asks for a TransientError to retry.
 */
export function retriableInBatch(err: unknown): boolean {
  if (isProgrammingError(err)) return false;
  if (isPlatformError(err)) return err.retriable;
  const e = err as { retriable?: unknown; canRetry?: unknown; code?: unknown; errors?: unknown } | null;
  if (e && typeof e === 'object') {
    if (typeof e.retriable === 'boolean' || typeof e.canRetry === 'boolean' || (Array.isArray(e.errors) && e.errors.length > 0)) return isRetriable(err);
    if (typeof e.code === 'string' && /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|57P01|08)/.test(e.code)) return true;
  }
  return false;
}

/** The parking topic beside a dead-letter topic: `<prefix>ner.parked.v1` for `<prefix>ner.dead-letters.v1`. */
export function parkingTopicOf(deadLetters: TopicSpec<'DeadLetter'>): TopicSpec<'DeadLetter'> {
  const name = /dead-letters(\.v\d+)$/.test(deadLetters.name) ? deadLetters.name.replace(/dead-letters(\.v\d+)$/, 'parked$1') : `${deadLetters.name}.parked`;
  return { ...deadLetters, name, partitions: 1 };
}

export class PayloadTooLargeError extends PlatformError {
  constructor(bytes: number, limit: number) {
    super('PAYLOAD_TOO_LARGE', `payload is ${bytes} bytes; the limit for this topic is ${limit} bytes`, { context: { bytes, limit } });
  }
}

function cutHeaders(headers: Record<string, string>): { headers: Record<string, string>; cut: boolean } {
  let size = 0;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
    if (size > DEAD_LETTER_MAX_HEADER_BYTES) return { headers: out, cut: true };
    out[k] = v;
  }
  return { headers: out, cut: false };
}

export class BatchProcessor<N extends SchemaName> {
  private readonly specs: Map<string, TopicSpec<N>>;
  private readonly raws = new WeakMap<object, RawIncoming>();
  private readonly maxPayload: number;
  private parkingReady: Promise<void> | undefined;

  constructor(
    private readonly opts: SubscribeOptions<N>,
    private readonly deps: ProcessorDeps,
  ) {
    this.specs = new Map(opts.topics.map((t) => [t.name, t]));
    this.maxPayload = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  }

  decode(raw: RawIncoming): Envelope<SchemaTypes[N]> {
    const spec = this.specs.get(raw.topic);
    if (!spec) throw new Error(`no topic spec for ${raw.topic}`);
    // size first: nothing is decoded (or allocated for it) for a record over the limit
    if (raw.value && raw.value.length > this.maxPayload) throw new PayloadTooLargeError(raw.value.length, this.maxPayload);
    const value = spec.codec.decode(raw.value, raw.headers);
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

  /**
   * Processes one partition's batch. Resolves when output and dead letters are published (handed to
   * the batch's transaction under exactly-once); rejects on stop or a persistent retriable failure
   * (the adapter must not commit, and redelivers).
   */
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
  }

  /**
   * Runs the handler, retrying retriable failures. Under exactly-once each attempt publishes into
   * a buffer of its own, kept only when the attempt succeeds: a failed attempt's output never
   * reaches the transaction.
   */
  private async attempt(batch: Envelope<SchemaTypes[N]>[], ctx: BatchContext) {
    if (!(ctx.publisher instanceof BufferedPublisher)) return this.opts.handler(batch, ctx);
    const own = new BufferedPublisher();
    const outcome = await this.opts.handler(batch, { ...ctx, publisher: own });
    ctx.publisher.chunks.push(...own.chunks);
    return outcome;
  }

  private async handle(batch: Envelope<SchemaTypes[N]>[], ctx: BatchContext): Promise<Array<{ envelope: Envelope<SchemaTypes[N]>; error: unknown }>> {
    try {
      const outcome = await retry(() => this.attempt(batch, ctx), {
        retries: Number.MAX_SAFE_INTEGER,
        initialDelayMs: 100,
        maxDelayMs: 15_000,
        ...this.deps.retry,
        isRetriable: retriableInBatch,
        signal: ctx.signal,
        onRetry: (err, attempt, delayMs) =>
          ctx.logger.warn({ err: errorMessage(err), attempt, delayMs, topic: ctx.topic, partition: ctx.partition, firstOffset: batch[0]?.offset }, 'batch failed, retrying'),
      });
      return outcome?.rejected ?? [];
    } catch (err) {
      if (ctx.signal.aborted || retriableInBatch(err)) throw err;
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

  /** The dead letter of one failure, cut to fit the broker's message limit. */
  private letterOf({ raw, error }: Failure, ctx: BatchContext, now: number): OutgoingMessage<DeadLetter> & { code: string } {
    const code = errorCode(error);
    const reason = errorMessage(error).slice(0, 4000);
    const extra: Record<string, string> = {};
    let payload = raw.value;
    if (payload && payload.length > DEAD_LETTER_MAX_PAYLOAD_BYTES) {
      extra[DLT_HEADERS.originalSize] = String(payload.length);
      extra[DLT_HEADERS.originalSha256] = createHash('sha256').update(payload).digest('hex');
      extra[DLT_HEADERS.truncated] = 'payload';
      payload = payload.subarray(0, DEAD_LETTER_MAX_PAYLOAD_BYTES);
    }
    const { headers, cut } = cutHeaders(raw.headers);
    if (cut) extra[DLT_HEADERS.truncated] = extra[DLT_HEADERS.truncated] ? 'payload,headers' : 'headers';
    const letter: DeadLetter = {
      originalTopic: raw.topic,
      partition: raw.partition,
      offset: raw.offset,
      key: raw.key && raw.key.length > 4096 ? raw.key.subarray(0, 4096) : raw.key,
      payload,
      headers: { ...headers, ...extra },
      errorCode: code,
      reason,
      consumerGroup: ctx.groupId,
      failedAt: now,
    };
    return {
      code,
      value: letter,
      key: raw.key && raw.key.length <= 4096 ? raw.key.toString('utf8') : `${raw.topic}/${raw.partition}/${raw.offset}`,
      headers: {
        [DLT_HEADERS.errorCode]: code,
        [DLT_HEADERS.reason]: reason.slice(0, 1000),
        [DLT_HEADERS.originalTopic]: raw.topic,
        [DLT_HEADERS.partition]: String(raw.partition),
        [DLT_HEADERS.offset]: raw.offset,
        [DLT_HEADERS.consumerGroup]: ctx.groupId,
        [DLT_HEADERS.failedAt]: String(now),
        ...extra,
      },
    };
  }

  private async publishBounded(publisher: Publisher, topic: TopicSpec<'DeadLetter'>, messages: OutgoingMessage<DeadLetter>[], ctx: BatchContext): Promise<void> {
    await retry(() => publisher.publish(topic, messages), {
      retries: DEAD_LETTER_ATTEMPTS,
      initialDelayMs: 200,
      maxDelayMs: 5_000,
      ...this.deps.retry,
      isRetriable: retriableInBatch,
      signal: ctx.signal,
    });
  }

  /**
   * Dead letters go out in bounded attempts. When they cannot (a non-retriable error, or attempts
   * exhausted), each message is parked: a slim record (no payload; coordinates, size, sha256 and
   * why) on the parking topic, and the partition moves on. A parking failure that is retriable
   * (the broker is down) fails the batch: nothing can be committed then anyway, and the batch is
   * redelivered; one that is not is logged with the coordinates and counted (UNPARKABLE).
   */
  private async deadLetter(failures: Failure[], ctx: BatchContext): Promise<void> {
    const dlt = this.opts.deadLetterTopic ?? this.deps.deadLetterTopic;
    const now = Date.now();
    const letters = failures.map((f) => {
      const l = this.letterOf(f, ctx, now);
      ctx.logger.warn({ topic: f.raw.topic, partition: f.raw.partition, offset: f.raw.offset, key: f.raw.key?.subarray(0, 200).toString('utf8'), code: l.code, reason: l.value.reason.slice(0, 500) }, 'dead-lettered message');
      return l;
    });
    try {
      await this.publishBounded(ctx.publisher, dlt, letters.map(({ code: _c, ...m }) => m), ctx);
      for (const l of letters) this.deps.metrics.deadLetters.inc({ topic: l.value.originalTopic, group: ctx.groupId, code: l.code });
      return;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      ctx.logger.error({ err: errorMessage(err), topic: ctx.topic, partition: ctx.partition, count: letters.length }, 'dead letters could not be published; parking them');
      await this.park(failures, letters, err, ctx);
    }
  }

  private async park(failures: Failure[], letters: Array<OutgoingMessage<DeadLetter> & { code: string }>, cause: unknown, ctx: BatchContext): Promise<void> {
    // the bus's own dead-letter codec: parking must work even when the subscriber's dead-letter topic does not
    const parking = { ...parkingTopicOf(this.opts.deadLetterTopic ?? this.deps.deadLetterTopic), codec: this.deps.deadLetterTopic.codec };
    const why = `not dead-lettered (${errorCode(cause)}: ${errorMessage(cause).slice(0, 500)})`;
    const slims = letters.map((l, i) => {
      const raw = failures[i].raw;
      const headers: Record<string, string> = {
        [DLT_HEADERS.originalSize]: String(raw.value?.length ?? 0),
        [DLT_HEADERS.originalSha256]: raw.value ? createHash('sha256').update(raw.value).digest('hex') : '',
        [DLT_HEADERS.truncated]: 'payload,headers',
      };
      return { ...l, value: { ...l.value, payload: null, headers, reason: `${l.value.reason.slice(0, 1000)}; ${why}` }, headers: { ...l.headers, ...headers, [DLT_HEADERS.reason]: why } };
    });
    try {
      this.parkingReady ??= (this.deps.ensureTopic?.(parking) ?? Promise.resolve()).catch((e: unknown) => {
        this.parkingReady = undefined;
        throw e;
      });
      await this.parkingReady;
      await this.publishBounded(ctx.publisher, parking, slims.map(({ code: _c, ...m }) => m), ctx);
      for (const s of slims) this.deps.metrics.parked.inc({ topic: s.value.originalTopic, group: ctx.groupId, code: s.code });
      ctx.logger.error({ parking: parking.name, count: slims.length, partition: ctx.partition }, 'messages parked; the partition moves on');
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const root = (err as { cause?: unknown }).cause ?? err;
      if (retriableInBatch(root)) throw err;
      for (const s of slims) {
        this.deps.metrics.parked.inc({ topic: s.value.originalTopic, group: ctx.groupId, code: 'UNPARKABLE' });
        ctx.logger.error({ topic: s.value.originalTopic, partition: s.value.partition, offset: s.value.offset, code: s.code, err: errorMessage(err) }, 'message could neither be dead-lettered nor parked; only this log line records it');
      }
    }
  }
}
