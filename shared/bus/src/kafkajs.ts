// Kafka adapter on kafkajs, the alternative client (KAFKA_CLIENT=kafkajs). At-least-once: offsets
// are committed explicitly, per chunk, only after the handler has produced its output and dead
// letters are published. kafkajs speaks only the classic group protocol with eager rebalancing
// (every member stops while one joins or leaves) and has no group-epoch fencing for transactional
// offset commits (KIP-447), so exactly-once is refused here; kafkajs 2.2.4 (2023) is unmaintained.
import { CompressionTypes, Kafka, Partitioners, logLevel, type Admin, type Consumer, type IHeaders, type LogEntry, type Producer, type SASLOptions } from 'kafkajs';
import type { SchemaName, SchemaTypes, TopicInfo, TopicSpec } from '@zhner/contracts';
import { PlatformError, TransientError } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { encodeRecords, type KafkaClientOptions } from './encode';
import { DEFAULT_STALL_TIMEOUT_MS, SubscriptionMonitor } from './health';
import { createBusMetrics, type BusMetrics } from './metrics';
import type { Bus, BusCapabilities, BusHealth, OutgoingMessage, RawRecord, Subscription, SubscribeOptions } from './port';
import { BatchProcessor, type RawIncoming } from './runner';

export type KafkaJsBusOptions = KafkaClientOptions;

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

export class KafkaJsBus implements Bus {
  readonly kind = 'kafka' as const;
  readonly client = 'kafkajs' as const;
  readonly capabilities: BusCapabilities = { exactlyOnce: false };
  readonly delivery = 'at-least-once' as const;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private producerReady: Promise<Producer> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private readonly metrics: BusMetrics;
  private closed: Promise<void> | undefined;

  constructor(private readonly opts: KafkaJsBusOptions) {
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

  async publish<N extends SchemaName>(topic: TopicSpec<N>, messages: OutgoingMessage<SchemaTypes[N]>[]): Promise<void> {
    if (messages.length === 0) return;
    await this.publishRaw(topic.name, encodeRecords(topic, messages));
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

  health(): BusHealth {
    return { kind: 'kafka', client: this.client, subscriptions: [...this.subscriptions].map((s) => s.health()) };
  }

  async subscribe<N extends SchemaName>(opts: SubscribeOptions<N>): Promise<Subscription> {
    if ((opts.delivery ?? 'at-least-once') === 'exactly-once') {
      throw new PlatformError('UNSUPPORTED', 'KAFKA_CLIENT=kafkajs cannot deliver exactly-once: it has no group-epoch fencing of transactional offset commits (KIP-447); use KAFKA_CLIENT=platformatic or KAFKA_DELIVERY=at-least-once');
    }
    const logger = this.opts.logger.child({ group: opts.groupId });
    const monitor = new SubscriptionMonitor(opts.groupId, opts.topics.map((t) => t.name), 'at-least-once', opts.stallTimeoutMs ?? this.opts.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, this.metrics);
    const consumer: Consumer = this.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.opts.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 100,
      readUncommitted: opts.isolation === 'read_uncommitted',
      retry: { initialRetryTime: 200, retries: 10 },
    });
    const owned = new Map<string, { topic: string; partition: number }>();
    consumer.on(consumer.events.CRASH, (e) => {
      monitor.member = false;
      monitor.lastError = `consumer crashed: ${String(e.payload.error?.message ?? e.payload.error)}`;
      logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
    });
    consumer.on(consumer.events.HEARTBEAT, () => (monitor.connected = true));
    consumer.on(consumer.events.REQUEST_TIMEOUT, () => (monitor.connected = false));
    consumer.on(consumer.events.DISCONNECT, () => ((monitor.connected = false), (monitor.member = false)));
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      monitor.connected = true;
      monitor.member = true;
      const now = new Map<string, { topic: string; partition: number }>();
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) for (const p of partitions) now.set(`${topic}\u0000${p}`, { topic, partition: p });
      for (const [k, v] of owned) if (!now.has(k)) (monitor.revoked(v.topic, v.partition), owned.delete(k));
      for (const [k, v] of now) if (!owned.has(k)) (monitor.assigned(v.topic, v.partition), owned.set(k, v));
      this.metrics.rebalances.inc({ group: opts.groupId });
    });
    const processor = new BatchProcessor(opts, { deadLetterTopic: this.opts.deadLetterTopic, logger, metrics: this.metrics, ensureTopic: (t) => this.ensureTopics([t]) });
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
        const end = BigInt(batch.highWatermark);
        if (batch.messages.length === 0) monitor.progressed();
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
          const next = BigInt(last) + 1n;
          const lag = Math.max(0, Number(end - next));
          monitor.setLag(topic, partition, Number(end - BigInt(chunk[0].offset)));
          await processor.process(raw, { groupId: opts.groupId, topic, partition, lag, signal: abort.signal, logger, publisher: this, delivery: 'at-least-once' });
          resolveOffset(last);
          const t0 = process.hrtime.bigint();
          await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next.toString() }] }] });
          this.metrics.commitSeconds.observe({ group: opts.groupId, delivery: 'at-least-once' }, Number(process.hrtime.bigint() - t0) / 1e9);
          monitor.progressed();
          monitor.setLag(topic, partition, lag);
          await heartbeat();
        }
      },
    });
    monitor.state = 'running';

    let stopping: Promise<void> | undefined;
    const sub: Subscription = {
      groupId: opts.groupId,
      health: () => monitor.health(),
      stop: () => {
        if (stopping) return stopping;
        monitor.state = 'stopping';
        stopping = (async () => {
          const grace = setTimeout(() => abort.abort(new Error('subscription stopped')), this.opts.stopGraceMs ?? 15_000);
          try {
            // kafkajs waits for the batch in flight, then leaves the group
            await consumer.disconnect();
          } finally {
            clearTimeout(grace);
            monitor.close();
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
