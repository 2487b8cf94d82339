// Kafka adapter (kafkajs). At-least-once: offsets are committed explicitly, per chunk, only after
// the handler has produced its output and dead letters are published.
import { CompressionTypes, Kafka, Partitioners, logLevel, type Consumer, type IHeaders, type Producer, type SASLOptions, type Admin, type LogEntry } from 'kafkajs';
import type { SchemaName, SchemaTypes, TopicInfo, TopicSpec } from '@zhner/contracts';
import { PlatformError, TransientError } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { createBusMetrics, type BusMetrics } from './metrics';
import type { Bus, OutgoingMessage, RawRecord, Subscription, SubscribeOptions } from './port';
import { BatchProcessor, type RawIncoming } from './runner';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  deadLetterTopic: TopicSpec<'DeadLetter'>;
  metrics?: BusMetrics;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  compression?: 'none' | 'gzip';
  /** How long stop() waits for an in-flight batch before aborting it. Default 15 s. */
  stopGraceMs?: number;
  /** Consumer session timeout; a killed member's partitions move after this. Default 10 s. */
  sessionTimeoutMs?: number;
  /** Connection timeout per broker. Default 3 s. */
  connectionTimeoutMs?: number;
}

function headersToStrings(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
  }
  return out;
}

function kafkaLogger(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const child = { kafkajs: extra.logger ?? true, ...extra };
      if (level === logLevel.ERROR) logger.error(child, message);
      else if (level === logLevel.WARN) logger.warn(child, message);
      else if (level === logLevel.INFO) logger.debug(child, message);
    };
}

export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private producerReady: Promise<Producer> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private readonly metrics: BusMetrics;
  private closed: Promise<void> | undefined;

  constructor(private readonly opts: KafkaBusOptions) {
    this.metrics = opts.metrics ?? createBusMetrics();
    const sasl: SASLOptions | undefined = opts.sasl ? ({ mechanism: opts.sasl.mechanism, username: opts.sasl.username, password: opts.sasl.password } as SASLOptions) : undefined;
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      ssl: opts.ssl,
      sasl,
      connectionTimeout: opts.connectionTimeoutMs ?? 3000,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogger(opts.logger),
      retry: { initialRetryTime: 200, retries: 8 },
    });
  }

  private async getProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    if (!this.producerReady) {
      const p = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 5 });
      this.producerReady = p.connect().then(
        () => {
          this.producer = p;
          return p;
        },
        (err: unknown) => {
          this.producerReady = undefined;
          throw new TransientError(`cannot connect producer to ${this.opts.brokers.join(',')}`, { cause: err, code: 'BROKER_UNAVAILABLE' });
        },
      );
    }
    return this.producerReady;
  }

  private async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  async ensureTopics(topics: readonly TopicInfo[]): Promise<void> {
    await this.withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.name));
      if (missing.length === 0) return;
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            replicationFactor: -1,
            configEntries: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
          })),
        });
      } catch (err) {
        // a concurrent creator won the race: fine
        if (!/already exists/i.test(String((err as Error).message)) && !(err as { type?: string }).type?.includes('TOPIC_ALREADY_EXISTS')) throw err;
      }
    });
  }

  /** Topic metadata and committed offsets, for tools and tests. */
  admin(): Admin {
    return this.kafka.admin();
  }

  async publish<N extends SchemaName>(topic: TopicSpec<N>, messages: OutgoingMessage<SchemaTypes[N]>[]): Promise<void> {
    if (messages.length === 0) return;
    await this.publishRaw(
      topic.name,
      messages.map((m) => ({ key: m.key ?? topic.key(m.value), value: topic.codec.encode(m.value), headers: { ...topic.codec.headers, ...m.headers } })),
    );
  }

  async publishRaw(topic: string, records: RawRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.getProducer();
    try {
      await producer.send({
        topic,
        acks: -1,
        compression: this.opts.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      });
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable !== false;
      throw new PlatformError('PUBLISH_FAILED', `publishing ${records.length} record(s) to ${topic} failed: ${(err as Error).message}`, { retriable, cause: err, context: { topic } });
    }
    this.metrics.published.inc({ topic }, records.length);
  }

  async subscribe<N extends SchemaName>(opts: SubscribeOptions<N>): Promise<Subscription> {
    const logger = this.opts.logger.child({ group: opts.groupId });
    const consumer: Consumer = this.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.opts.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 100,
      retry: { initialRetryTime: 200, retries: 10 },
    });
    consumer.on(consumer.events.CRASH, (e) => logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed'));
    const processor = new BatchProcessor(opts, { publisher: this, deadLetterTopic: this.opts.deadLetterTopic, logger, metrics: this.metrics });
    const abort = new AbortController();
    const maxBatch = opts.maxBatchSize ?? 500;
    await consumer.connect();
    for (const t of opts.topics) await consumer.subscribe({ topic: t.name, fromBeginning: opts.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        const { topic, partition } = batch;
        for (let i = 0; i < batch.messages.length; i += maxBatch) {
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(i, i + maxBatch);
          const raw: RawIncoming[] = chunk.map((m) => ({
            topic,
            partition,
            offset: m.offset,
            key: m.key ?? null,
            value: m.value ?? null,
            headers: headersToStrings(m.headers),
            timestamp: Number(m.timestamp),
          }));
          const last = chunk[chunk.length - 1].offset;
          const lag = Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n));
          await processor.process(raw, { groupId: opts.groupId, topic, partition, lag, signal: abort.signal, logger });
          resolveOffset(last);
          await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] }] });
          await heartbeat();
        }
      },
    });

    let stopping: Promise<void> | undefined;
    const sub: Subscription = {
      groupId: opts.groupId,
      stop: () => {
        if (stopping) return stopping;
        stopping = (async () => {
          const grace = setTimeout(() => abort.abort(new Error('subscription stopped')), this.opts.stopGraceMs ?? 15_000);
          try {
            // kafkajs waits for the batch in flight, then leaves the group
            await consumer.disconnect();
          } finally {
            clearTimeout(grace);
            this.subscriptions.delete(sub);
          }
        })();
        return stopping;
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closed = (async () => {
      await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
      if (this.producer) await this.producer.disconnect().catch((err: unknown) => this.opts.logger.warn({ err }, 'producer disconnect failed'));
    })();
    return this.closed;
  }
}
