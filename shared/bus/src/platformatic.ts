// Kafka adapter on @platformatic/kafka, the default client (KAFKA_CLIENT=platformatic).
//
// Group membership uses the broker-side consumer-group protocol (KIP-848, Kafka ≥ 4.0): the broker
// assigns partitions and moves them incrementally, so a member joining or leaving never stops the
// others (no stop-the-world rebalance). The library keeps the membership (heartbeats, assignment);
// this adapter runs its own fetch loop over the assigned partitions with Consumer.fetch(), because
// it needs what the library's message stream does not give: a position per partition that can go
// back (a failed or aborted batch is redelivered), the broker's end offsets for the lag gauges,
// records of a revoked partition dropped at once, and a correct read_committed filter.
//
// Delivery:
//   at-least-once  the handler publishes on the bus; its offsets are committed after it resolves.
//   exactly-once   the handler's output (and dead letters) are collected per batch and sent, with
//                  the batch's offsets, in one transaction of this member's transactional producer.
//                  Offsets are committed with the member epoch in force when the records were
//                  fetched (KIP-447 fencing): a member that lost the partition meanwhile is refused
//                  by the group coordinator and its transaction aborted. A member that gains a
//                  partition reads its committed offset with requireStable, i.e. after the previous
//                  owner's pending transaction has completed.
import { tracingChannel } from 'node:diagnostics_channel';
import type { Consumer, ConnectionPool, MessagesStream, Producer } from '@platformatic/kafka';
import type { SchemaName, SchemaTypes, TopicInfo, TopicSpec } from '@zhner/contracts';
import { PlatformError, TransientError, errorMessage, isRetriable } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { encodeRecords, type KafkaClientOptions } from './encode';
import { readableRecords, type FetchedPartition } from './fetched';
import { BufferedPublisher, DEFAULT_STALL_TIMEOUT_MS, SubscriptionMonitor, type BufferedChunk } from './health';
import { createBusMetrics, type BusMetrics } from './metrics';
import type { Bus, BusCapabilities, BusHealth, DeliveryMode, OutgoingMessage, RawRecord, Subscription, SubscribeOptions } from './port';
import { BatchProcessor, type RawIncoming } from './runner';

type PlatformaticKafka = typeof import('@platformatic/kafka');

// The package is ESM-only. A dynamic import loads it from our CommonJS modules, in Node and in
// Jest's module runtime alike (Jest on Node < 24.9 has no require(esm)); `new Function` keeps the
// TypeScript/SWC CommonJS transform from turning the import() into a require(). The source is made
// unique per module instance: V8 caches compiled functions by source, and a cached one would keep
// the dynamic-import hook of the (Jest) context that compiled it first.
const importEsm = new Function('specifier', `return import(specifier); // ${process.pid}-${Date.now()}-${Math.random()}`) as (specifier: string) => Promise<unknown>;
let loaded: Promise<PlatformaticKafka> | undefined;
export function loadPlatformaticKafka(): Promise<PlatformaticKafka> {
  loaded ??= (importEsm('@platformatic/kafka') as Promise<PlatformaticKafka>).catch((err: unknown) => {
    loaded = undefined;
    throw err;
  });
  return loaded;
}

export interface PlatformaticBusOptions extends KafkaClientOptions {
  /** consumer (KIP-848, default) or classic (the JoinGroup/SyncGroup protocol, eager). */
  groupProtocol?: 'consumer' | 'classic';
  /** Transaction timeout of exactly-once producers (a killed member's open transaction is aborted after it). Default 10 s. */
  transactionTimeoutMs?: number;
  /** Long-poll wait of a fetch. Default 100 ms. */
  maxWaitMs?: number;
  /** Bus.delivery (KAFKA_DELIVERY). Default at-least-once. */
  delivery?: DeliveryMode;
}

// -------------------------------------------------------------------------------------------
// Member epochs. The library keeps a consumer's member epoch private; the group coordinator needs
// it in every transactional offset commit. Every API response passes the library's diagnostics
// channel; ConsumerGroupHeartbeat responses (API key 68) carry the epoch. Connections of a
// consumer's own pool carry the `context` object it was created with, which identifies it.

const CONSUMER_GROUP_HEARTBEAT = 68;
const epochListeners = new Map<object, (epoch: number) => void>();
let epochChannelReady = false;

function trackMemberEpoch(token: object, onEpoch: (epoch: number) => void): () => void {
  if (!epochChannelReady) {
    epochChannelReady = true;
    type Ctx = { apiKey?: number; connection?: { context?: unknown }; result?: { errorCode?: number; memberEpoch?: number }; error?: unknown };
    const ch = tracingChannel<string, Ctx>('plt:kafka:connections:api');
    ch.subscribe({
      start: () => undefined,
      end: () => undefined,
      asyncEnd: () => undefined,
      error: () => undefined,
      asyncStart: (ctx: Ctx) => {
        if (ctx.apiKey !== CONSUMER_GROUP_HEARTBEAT) return;
        const listener = epochListeners.get(ctx.connection?.context as object);
        if (!listener) return;
        if (ctx.result && ctx.result.errorCode === 0 && typeof ctx.result.memberEpoch === 'number') listener(ctx.result.memberEpoch);
        else listener(-1);
      },
    });
  }
  epochListeners.set(token, onEpoch);
  return () => epochListeners.delete(token);
}

// -------------------------------------------------------------------------------------------

const ERR_OFFSET_OUT_OF_RANGE = 1;
const ERR_UNSTABLE_OFFSET_COMMIT = 88;
/** Partition errors after which metadata is refreshed (leadership moved). */
const LEADERSHIP_ERRORS = new Set([3, 5, 6, 74, 76]);

/**
 * InitProducerId as a new producer (id and epoch -1). The library's default (0, 0) claims to be
 * producer 0 of an existing transactional id: the coordinator answers PRODUCER_FENCED to a replica
 * restarted with the same transactional id, which could then never commit again.
 */
const NEW_PRODUCER = { producerId: -1n, producerEpoch: -1 };

class RevokedError extends PlatformError {
  constructor(topic: string, partition: number) {
    super('PARTITION_REVOKED', `partition ${topic}/${partition} was revoked before its batch committed; its new owner redelivers it`, { retriable: true, context: { topic, partition } });
  }
}

interface PartitionState {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  status: 'starting' | 'ready';
  /** Next offset to fetch. */
  position: bigint;
  /** Next offset to read for the group (committed). */
  committed: bigint;
  /** End of the partition for this consumer (last stable offset under read_committed). */
  end: bigint | null;
  buffer: Array<RawIncoming & { epoch: number }>;
  busy: boolean;
  failures: number;
  retryAt: number;
}

interface PendingCommit {
  st: PartitionState;
  chunks: BufferedChunk[];
  /** Next offset to read, committed with the transaction. */
  offset: bigint;
  /** Member epoch when the batch's first record was fetched. */
  epoch: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

/** The response carried by a failed request (partition-level errors fail the whole call). */
function responseOf<T>(err: unknown): T | undefined {
  const e = err as { response?: T; errors?: Array<{ response?: T }> };
  return e?.response ?? e?.errors?.map((x) => x?.response).filter(Boolean).pop();
}

export class PlatformaticBus implements Bus {
  readonly kind = 'kafka' as const;
  readonly client = 'platformatic' as const;
  readonly capabilities: BusCapabilities = { exactlyOnce: true };
  readonly delivery: DeliveryMode;
  private readonly metrics: BusMetrics;
  private producer: Promise<Producer<Buffer, Buffer, string, string>> | undefined;
  private readonly subscriptions = new Set<PlatformaticSubscription<SchemaName>>();
  private closed: Promise<void> | undefined;
  private readonly ensured = new Set<string>();

  constructor(readonly opts: PlatformaticBusOptions) {
    this.metrics = opts.metrics ?? createBusMetrics();
    this.delivery = opts.delivery ?? 'at-least-once';
  }

  /** Options every client of this bus shares. */
  baseOptions(clientId: string) {
    const sasl = this.opts.sasl ? { mechanism: this.opts.sasl.mechanism.toUpperCase() as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username: this.opts.sasl.username, password: this.opts.sasl.password } : undefined;
    return {
      clientId,
      bootstrapBrokers: this.opts.brokers,
      connectTimeout: this.opts.connectionTimeoutMs ?? 3000,
      timeout: 10_000,
      retries: 3,
      retryDelay: 250,
      ...(this.opts.ssl ? { tls: {} } : {}),
      ...(sasl ? { sasl } : {}),
    };
  }

  /** A producer for this bus's clients (plain or transactional). */
  async createProducer(opts: { transactionalId?: string } = {}): Promise<Producer<Buffer, Buffer, string, string>> {
    const pk = await loadPlatformaticKafka();
    const base = this.baseOptions(opts.transactionalId ? `${this.opts.clientId}-tx` : this.opts.clientId);
    return new pk.Producer<Buffer, Buffer, string, string>({
      ...base,
      // a transaction's timeout is the client timeout the library sends with InitProducerId
      ...(opts.transactionalId
        ? {
            idempotent: true,
            transactionalId: opts.transactionalId,
            timeout: this.opts.transactionTimeoutMs ?? 10_000,
            // a transaction started right after the previous one committed meets CONCURRENT_TRANSACTIONS
            // while the coordinator writes the markers: retried within milliseconds (the Java client
            // does the same), not after the general back-off, which would add it to every batch's latency
            retries: 20,
            retryDelay: (_client: unknown, _op: string, attempt: number, _retries: number, err: Error) =>
              (err as { findBy?: (k: string, v: unknown) => unknown }).findBy?.('apiId', 'CONCURRENT_TRANSACTIONS') ? Math.min(100, 5 * attempt) : 250,
          }
        : { idempotent: false }),
      compression: this.opts.compression === 'gzip' ? 'gzip' : 'none',
      // the Java client's (and kafkajs') partitioner: the same key lands on the same partition whoever produces it
      partitioner: pk.compatibilityPartitioner,
      serializers: { headerKey: pk.stringSerializer, headerValue: pk.stringSerializer },
    } as ConstructorParameters<typeof pk.Producer<Buffer, Buffer, string, string>>[0]);
  }

  private getProducer(): Promise<Producer<Buffer, Buffer, string, string>> {
    this.producer ??= this.createProducer().catch((err: unknown) => {
      this.producer = undefined;
      throw new TransientError(`cannot create a producer for ${this.opts.brokers.join(',')}`, { cause: err, code: 'BROKER_UNAVAILABLE' });
    });
    return this.producer;
  }

  async ensureTopics(topics: readonly TopicInfo[]): Promise<void> {
    const pk = await loadPlatformaticKafka();
    const admin = new pk.Admin(this.baseOptions(`${this.opts.clientId}-admin`));
    try {
      const existing = new Set(await admin.listTopics());
      for (const t of topics) {
        if (existing.has(t.name)) continue;
        try {
          await admin.createTopics({ topics: [t.name], partitions: t.partitions, replicas: -1, configs: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [] });
        } catch (err) {
          // a concurrent creator won the race: fine
          const e = err as { findBy?: (k: string, v: unknown) => unknown };
          if (!e.findBy?.('apiId', 'TOPIC_ALREADY_EXISTS') && !/already exists/i.test(JSON.stringify(err, Object.getOwnPropertyNames(err as object)))) throw err;
        }
      }
      for (const t of topics) this.ensured.add(t.name);
    } finally {
      await admin.close();
    }
  }

  async publish<N extends SchemaName>(topic: TopicSpec<N>, messages: OutgoingMessage<SchemaTypes[N]>[]): Promise<void> {
    if (messages.length === 0) return;
    await this.publishRaw(topic.name, encodeRecords(topic, messages));
  }

  async publishRaw(topic: string, records: RawRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.getProducer();
    try {
      await producer.send({ acks: -1, messages: records.map((r) => toProduced(topic, r)) });
    } catch (err) {
      throw new PlatformError('PUBLISH_FAILED', `publishing ${records.length} record(s) to ${topic} failed: ${errorMessage(err)}`, { retriable: isRetriable(err), cause: err, context: { topic } });
    }
    this.metrics.published.inc({ topic }, records.length);
  }

  async subscribe<N extends SchemaName>(opts: SubscribeOptions<N>): Promise<Subscription> {
    const sub = new PlatformaticSubscription<N>(this, opts, this.metrics, () => this.subscriptions.delete(sub as unknown as PlatformaticSubscription<SchemaName>));
    this.subscriptions.add(sub as unknown as PlatformaticSubscription<SchemaName>);
    try {
      await sub.start();
    } catch (err) {
      await sub.stop().catch(() => undefined);
      throw err;
    }
    return sub;
  }

  health(): BusHealth {
    return { kind: 'kafka', client: this.client, subscriptions: [...this.subscriptions].map((s) => s.health()) };
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
      const p = await this.producer?.catch(() => undefined);
      // bounded: a close never keeps a process from exiting
      if (p) await Promise.race([p.close().catch((err: unknown) => this.opts.logger.warn({ err: errorMessage(err) }, 'producer close failed')), sleep(5000)]);
    })();
    return this.closed;
  }
}

function toProduced(topic: string, r: RawRecord) {
  return {
    topic,
    key: r.key === null ? undefined : Buffer.isBuffer(r.key) ? r.key : Buffer.from(r.key),
    value: r.value ?? undefined,
    headers: r.headers ?? {},
  };
}

class PlatformaticSubscription<N extends SchemaName> implements Subscription {
  readonly groupId: string;
  private readonly logger: Logger;
  private readonly monitor: SubscriptionMonitor;
  private readonly processor: BatchProcessor<N>;
  private readonly delivery: DeliveryMode;
  private readonly readCommitted: boolean;
  private readonly topics: string[];
  private readonly maxBatch: number;
  private readonly concurrency: number;
  private readonly token = {};
  private pk!: PlatformaticKafka;
  private consumer!: Consumer;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private fetchPool!: ConnectionPool;
  private committer: TransactionCommitter | undefined;
  private untrack: (() => void) | undefined;
  private readonly parts = new Map<string, PartitionState>();
  private memberEpoch = -1;
  private active = 0;
  private rr = 0;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly idle = new AbortController();
  private wakeup: (() => void) | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private lastLoggedError = 0;

  constructor(
    private readonly bus: PlatformaticBus,
    private readonly opts: SubscribeOptions<N>,
    private readonly metrics: BusMetrics,
    private readonly onStopped: () => void,
  ) {
    this.groupId = opts.groupId;
    this.logger = bus.opts.logger.child({ group: opts.groupId });
    this.delivery = opts.delivery ?? 'at-least-once';
    this.readCommitted = (opts.isolation ?? 'read_committed') === 'read_committed';
    this.topics = opts.topics.map((t) => t.name);
    this.maxBatch = opts.maxBatchSize ?? 500;
    this.concurrency = Math.max(1, opts.partitionsConsumedConcurrently ?? 1);
    this.monitor = new SubscriptionMonitor(opts.groupId, this.topics, this.delivery, opts.stallTimeoutMs ?? bus.opts.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, metrics);
    this.processor = new BatchProcessor(opts, { deadLetterTopic: bus.opts.deadLetterTopic, logger: this.logger, metrics, ensureTopic: (t) => bus.ensureTopics([t]) });
  }

  async start(): Promise<void> {
    this.pk = await loadPlatformaticKafka();
    const pk = this.pk;
    const base = this.bus.baseOptions(`${this.bus.opts.clientId}-${this.groupId}`);
    const classic = this.bus.opts.groupProtocol === 'classic';
    this.untrack = trackMemberEpoch(this.token, (e) => (this.memberEpoch = e));
    this.consumer = new pk.Consumer<Buffer, Buffer, Buffer, Buffer>({
      ...base,
      groupId: this.groupId,
      context: this.token,
      autocommit: false,
      isolationLevel: this.readCommitted ? pk.FetchIsolationLevels.READ_COMMITTED : pk.FetchIsolationLevels.READ_UNCOMMITTED,
      maxWaitTime: this.bus.opts.maxWaitMs ?? 100,
      ...(classic
        ? { groupProtocol: 'classic', sessionTimeout: this.bus.opts.sessionTimeoutMs ?? 10_000, heartbeatInterval: 1000, rebalanceTimeout: 30_000 }
        : { groupProtocol: 'consumer', rebalanceTimeout: 60_000 }),
    } as ConstructorParameters<typeof pk.Consumer<Buffer, Buffer, Buffer, Buffer>>[0]);
    this.consumer.on('consumer:heartbeat:end', () => (this.monitor.connected = true));
    this.consumer.on('consumer:heartbeat:error', ({ error }) => {
      this.monitor.connected = false;
      this.noteError(error, 'group heartbeat failed');
    });
    if (this.delivery === 'exactly-once') {
      const producer = await this.bus.createProducer({ transactionalId: this.opts.transactionalId ?? `${this.bus.opts.clientId}.${this.groupId}` });
      // InitProducerId now, not at the first commit: it fences a previous incarnation of this
      // replica and aborts the transaction it left open, which would otherwise hold back every
      // read_committed consumer of the output partitions until the transaction times out
      await (await producer.beginTransaction(NEW_PRODUCER)).cancel();
      this.committer = new TransactionCommitter((st) => this.owns(st), producer, this.consumer, this.metrics, this.logger);
    }
    this.fetchPool = new pk.ConnectionPool(`${base.clientId}-fetch`, { ...base });
    await this.join();
    this.monitor.state = 'running';
    this.loop = this.run();
  }

  /**
   * Joins the group. The library joins when a message stream is created; the stream itself is
   * never read (this adapter fetches on its own) and is kept paused: the library pauses and resumes
   * streams around revocations, and a resumed stream would start fetching into the void.
   */
  private async join(): Promise<void> {
    const stream = await this.consumer.consume({ topics: this.topics, autocommit: false, mode: 'committed', fallbackMode: this.opts.fromBeginning === false ? 'latest' : 'earliest' });
    stream.pause();
    (stream as unknown as { resume: () => unknown }).resume = () => stream;
    stream.on('error', (err) => this.noteError(err, 'membership stream failed'));
    stream.once('close', () => {
      if (this.stopping || this.stream !== stream) return;
      // the library closed it (e.g. an offsets refresh failed): without it the topics are no longer subscribed
      this.logger.warn('membership stream closed by the client library; joining again');
      this.stream = undefined;
      void this.rejoin();
    });
    this.stream = stream;
  }

  private async rejoin(): Promise<void> {
    for (let attempt = 1; !this.stopping && !this.stream; attempt++) {
      try {
        await this.join();
      } catch (err) {
        this.noteError(err, 'joining the group failed; retrying');
        await sleep(Math.min(10_000, 250 * 2 ** attempt), this.abort.signal);
      }
    }
  }

  /** The epoch stamped on fetched records: the member epoch (KIP-848), or the generation id (classic protocol). */
  private currentEpoch(): number {
    return this.bus.opts.groupProtocol === 'classic' ? (this.consumer.memberId ? this.consumer.generationId : -1) : this.memberEpoch;
  }

  /** True while `st` is still this member's partition. */
  owns(st: PartitionState): boolean {
    return this.parts.get(st.key) === st;
  }

  health() {
    if (this.consumer) this.monitor.member = !!this.consumer.memberId && this.currentEpoch() >= 0;
    return this.monitor.health();
  }

  private noteError(err: unknown, what: string): void {
    this.monitor.lastError = `${what}: ${errorMessage(err)}`;
    if (this.stopping) return;
    const now = Date.now();
    if (now - this.lastLoggedError > 5000) {
      this.lastLoggedError = now;
      this.logger.warn({ err: errorMessage(err) }, what);
    }
  }

  private wake(): void {
    const w = this.wakeup;
    this.wakeup = undefined;
    w?.();
  }

  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wakeup = undefined;
        resolve();
      }, ms);
      this.wakeup = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  // ----------------------------------------------------------------------------- the fetch loop

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      this.syncAssignment();
      const now = Date.now();
      const cap = this.maxBatch * 2;
      const fetchable = [...this.parts.values()].filter((p) => p.status === 'ready' && p.buffer.length < cap && now >= p.retryAt);
      if (fetchable.length === 0) {
        await this.nap(this.parts.size === 0 ? 250 : 50);
        continue;
      }
      try {
        await this.fetchOnce(fetchable);
        failures = 0;
        this.monitor.connected = true;
      } catch (err) {
        if (this.stopping) break;
        failures++;
        this.monitor.connected = false;
        this.noteError(err, 'fetch failed');
        this.consumer.clearMetadata();
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)), this.abort.signal);
      }
      this.pump();
    }
  }

  private syncAssignment(): void {
    const assigned = new Set<string>();
    for (const a of this.consumer.assignments ?? []) if (this.topics.includes(a.topic)) for (const p of a.partitions) assigned.add(`${a.topic}\u0000${p}`);
    let changed = false;
    for (const [key, st] of this.parts) {
      if (assigned.has(key)) continue;
      this.parts.delete(key);
      this.monitor.revoked(st.topic, st.partition);
      changed = true;
    }
    const gained: PartitionState[] = [];
    for (const key of assigned) {
      if (this.parts.has(key)) continue;
      const [topic, p] = key.split('\u0000');
      const st: PartitionState = { key, topic, partition: Number(p), status: 'starting', position: -1n, committed: -1n, end: null, buffer: [], busy: false, failures: 0, retryAt: 0 };
      this.parts.set(key, st);
      this.monitor.assigned(topic, st.partition);
      gained.push(st);
      changed = true;
    }
    this.monitor.member = !!this.consumer.memberId && this.currentEpoch() >= 0;
    if (!changed) return;
    this.metrics.rebalances.inc({ group: this.groupId });
    this.logger.info({ partitions: [...this.parts.values()].map((s) => `${s.topic}/${s.partition}`), epoch: this.currentEpoch() }, 'assignment changed');
    if (gained.length > 0) void this.startPartitions(gained);
  }

  /** Reads where the group stands on newly assigned partitions (waiting for pending transactions). */
  private async startPartitions(states: PartitionState[]): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      const pending = states.filter((s) => this.parts.get(s.key) === s && s.status === 'starting');
      if (pending.length === 0) return;
      try {
        const committed = await this.committedOffsets(pending);
        const fallback = pending.filter((s) => (committed.get(s.key) ?? -1n) < 0n);
        const ends = fallback.length ? await this.fallbackOffsets(fallback) : new Map<string, bigint>();
        for (const s of pending) {
          if (this.parts.get(s.key) !== s) continue;
          const c = committed.get(s.key) ?? -1n;
          s.position = s.committed = c >= 0n ? c : ends.get(s.key)!;
          s.status = 'ready';
        }
        this.wake();
        return;
      } catch (err) {
        this.noteError(err, 'reading committed offsets failed; retrying');
        await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)), this.abort.signal);
      }
    }
  }

  /** OffsetFetch with requireStable: the coordinator answers UNSTABLE_OFFSET_COMMIT while a transaction holding offsets of the partition is pending. */
  private async committedOffsets(states: PartitionState[]): Promise<Map<string, bigint>> {
    const pk = this.pk;
    const c = this.consumer as unknown as Record<symbol, (...a: unknown[]) => void>;
    const coordinatorId = await this.consumer.findGroupCoordinator();
    const md = await this.consumer.metadata({ topics: this.topics });
    const broker = md.brokers.get(coordinatorId);
    if (!broker) throw new TransientError(`group coordinator ${coordinatorId} not in the metadata`);
    const connection = await new Promise<unknown>((resolve, reject) => c[pk.kGetConnection](broker, (e: Error | null, conn: unknown) => (e ? reject(e) : resolve(conn))));
    const api = await new Promise<{ async: (...a: unknown[]) => Promise<{ groups: Array<{ topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: bigint; errorCode: number }> }> }> }> }>((resolve, reject) =>
      c[pk.kGetApi]('OffsetFetch', (e: Error | null, a: unknown) => (e ? reject(e) : resolve(a as never))),
    );
    const byTopic = new Map<string, number[]>();
    for (const s of states) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s.partition]);
    const request = [{ groupId: this.groupId, memberId: null, memberEpoch: -1, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }];
    for (;;) {
      let res;
      try {
        res = await api.async(connection, request, true);
      } catch (err) {
        res = responseOf<Awaited<ReturnType<typeof api.async>>>(err);
        const unstable = res?.groups.some((g) => g.topics.some((t) => t.partitions.some((p) => p.errorCode === ERR_UNSTABLE_OFFSET_COMMIT)));
        if (!unstable || this.stopping) throw err;
        // a previous owner's transaction is still open: its outcome decides where we start
        await sleep(100, this.abort.signal);
        continue;
      }
      const out = new Map<string, bigint>();
      for (const g of res.groups) for (const t of g.topics) for (const p of t.partitions) out.set(`${t.name}\u0000${p.partitionIndex}`, p.committedOffset);
      return out;
    }
  }

  /** Where a partition without a committed offset starts: earliest (fromBeginning, default) or latest. */
  private async fallbackOffsets(states: PartitionState[]): Promise<Map<string, bigint>> {
    const partitions: Record<string, number[]> = {};
    for (const s of states) (partitions[s.topic] ??= []).push(s.partition);
    const offsets = await this.consumer.listOffsets({
      topics: Object.keys(partitions),
      partitions,
      timestamp: this.opts.fromBeginning === false ? -1n : -2n,
      isolationLevel: this.readCommitted ? this.pk.FetchIsolationLevels.READ_COMMITTED : this.pk.FetchIsolationLevels.READ_UNCOMMITTED,
    });
    const out = new Map<string, bigint>();
    for (const s of states) out.set(s.key, offsets.get(s.topic)?.[s.partition] ?? 0n);
    return out;
  }

  private async fetchOnce(states: PartitionState[]): Promise<void> {
    const md = await this.consumer.metadata({ topics: this.topics });
    const byLeader = new Map<number, PartitionState[]>();
    for (const s of states) {
      const leader = md.topics.get(s.topic)?.partitions[s.partition]?.leader;
      if (leader === undefined || leader < 0) continue;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), s]);
    }
    await Promise.all([...byLeader].map(([leader, list]) => this.fetchFrom(leader, list, md)));
  }

  private async fetchFrom(leader: number, states: PartitionState[], md: Awaited<ReturnType<Consumer['metadata']>>): Promise<void> {
    const snapshot = new Map(states.map((s) => [s.key, { st: s, position: s.position }]));
    const topicsReq = new Map<string, { topicId: string; partitions: Array<{ partition: number; fetchOffset: bigint; partitionMaxBytes: number; currentLeaderEpoch: number; lastFetchedEpoch: number }> }>();
    const idToName = new Map<string, string>();
    for (const s of states) {
      const id = md.topics.get(s.topic)!.id;
      idToName.set(id, s.topic);
      const t = topicsReq.get(id) ?? { topicId: id, partitions: [] };
      t.partitions.push({ partition: s.partition, fetchOffset: s.position, partitionMaxBytes: 2 * 1024 * 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1 });
      topicsReq.set(id, t);
    }
    type Fetched = Awaited<ReturnType<Consumer['fetch']>>;
    let res: Fetched | undefined;
    try {
      res = await this.consumer.fetch({
        node: leader,
        topics: [...topicsReq.values()],
        maxWaitTime: this.bus.opts.maxWaitMs ?? 100,
        minBytes: 1,
        maxBytes: 16 * 1024 * 1024,
        isolationLevel: this.readCommitted ? this.pk.FetchIsolationLevels.READ_COMMITTED : this.pk.FetchIsolationLevels.READ_UNCOMMITTED,
        connectionPool: this.fetchPool,
      });
    } catch (err) {
      // partition-level errors fail the whole request; the partitions that answered still count
      res = responseOf<Fetched>(err);
      if (!res) throw err;
    }
    const epoch = this.currentEpoch();
    for (const t of res.responses) {
      const topic = idToName.get(t.topicId);
      if (!topic) continue;
      for (const pr of t.partitions) {
        const snap = snapshot.get(`${topic}\u0000${pr.partitionIndex}`);
        if (!snap) continue;
        const st = snap.st;
        // revoked, reassigned or reset meanwhile: these records belong to no one here
        if (this.parts.get(st.key) !== st || st.position !== snap.position) continue;
        if (pr.errorCode !== 0) {
          if (pr.errorCode === ERR_OFFSET_OUT_OF_RANGE) {
            const [from] = [...(await this.fallbackOffsets([st])).values()];
            this.logger.warn({ topic, partition: st.partition, position: String(st.position), resetTo: String(from) }, 'offset out of range; resetting');
            if (this.parts.get(st.key) === st) st.position = from;
          } else if (LEADERSHIP_ERRORS.has(pr.errorCode)) this.consumer.clearMetadata();
          else this.noteError(new Error(`fetch error code ${pr.errorCode} on ${topic}/${st.partition}`), 'fetch failed for a partition');
          continue;
        }
        const end = this.readCommitted && pr.lastStableOffset >= 0n ? pr.lastStableOffset : pr.highWatermark;
        st.end = end;
        const next = this.take(st, pr, epoch);
        st.position = next;
        this.monitor.setLag(topic, st.partition, Number(end - st.committed));
      }
    }
  }

  /** Appends the usable records of one partition's fetch response to its buffer; returns the next position. */
  private take(st: PartitionState, pr: FetchedPartition, epoch: number): bigint {
    const { records, next } = readableRecords(pr, st.position, this.readCommitted);
    for (const r of records) st.buffer.push({ topic: st.topic, partition: st.partition, offset: r.offset.toString(), key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, epoch });
    return next;
  }

  // ----------------------------------------------------------------------------- batches

  private pump(): void {
    if (this.stopping) return;
    const list = [...this.parts.values()];
    const now = Date.now();
    for (let i = 0; i < list.length && this.active < this.concurrency; i++) {
      const st = list[(this.rr + i) % list.length];
      if (st.busy || st.status !== 'ready' || st.buffer.length === 0 || now < st.retryAt) continue;
      st.busy = true;
      this.active++;
      const batch = st.buffer.splice(0, this.maxBatch);
      const p = this.runBatch(st, batch).finally(() => {
        st.busy = false;
        this.active--;
        this.inflight.delete(p);
        this.wake();
        this.pump();
      });
      this.inflight.add(p);
    }
    this.rr++;
  }

  private async runBatch(st: PartitionState, batch: Array<RawIncoming & { epoch: number }>): Promise<void> {
    const first = BigInt(batch[0].offset);
    const next = BigInt(batch[batch.length - 1].offset) + 1n;
    const epoch = batch.reduce((m, r) => Math.min(m, r.epoch), Number.MAX_SAFE_INTEGER);
    const tx = this.delivery === 'exactly-once' ? new BufferedPublisher() : undefined;
    try {
      await this.processor.process(batch, {
        groupId: this.groupId,
        topic: st.topic,
        partition: st.partition,
        lag: st.end === null ? null : Math.max(0, Number(st.end - next)),
        signal: this.abort.signal,
        logger: this.logger,
        publisher: tx ?? this.bus,
        delivery: this.delivery,
      });
      if (this.parts.get(st.key) !== st) throw new RevokedError(st.topic, st.partition);
      const started = process.hrtime.bigint();
      if (tx) await this.committer!.commit({ st, chunks: tx.chunks, offset: next, epoch });
      else await this.commitOffsets(st, next);
      this.metrics.commitSeconds.observe({ group: this.groupId, delivery: this.delivery }, Number(process.hrtime.bigint() - started) / 1e9);
      st.committed = next > st.committed ? next : st.committed;
      st.failures = 0;
      this.monitor.progressed();
      if (st.end !== null) this.monitor.setLag(st.topic, st.partition, Number(st.end - st.committed));
    } catch (err) {
      if (this.abort.signal.aborted) return;
      if (this.parts.get(st.key) !== st) {
        this.logger.info({ topic: st.topic, partition: st.partition, firstOffset: String(first) }, 'partition revoked during its batch; not committed (the new owner redelivers it)');
        return;
      }
      // redeliver from the first offset of this batch; what was fetched after it is fetched again
      st.failures++;
      st.buffer = [];
      st.position = first;
      st.retryAt = Date.now() + Math.min(10_000, 100 * 2 ** Math.min(st.failures, 7));
      this.noteError(err, `batch at ${st.topic}/${st.partition}@${first} not committed; redelivering`);
    }
  }

  /** at-least-once commit (OffsetCommit with the current member epoch). */
  private async commitOffsets(st: PartitionState, next: bigint): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.parts.get(st.key) !== st) throw new RevokedError(st.topic, st.partition);
      try {
        await this.consumer.commit({ offsets: [{ topic: st.topic, partition: st.partition, offset: next, leaderEpoch: -1 }] });
        return;
      } catch (err) {
        if (attempt >= 5 || this.stopping || !isRetriable(err)) throw err;
        await sleep(100 * attempt, this.abort.signal);
      }
    }
  }

  /**
   * Finishes the batches in flight (their commits included; aborted after stopGraceMs), leaves the
   * group, closes the clients. Every step is bounded in time and runs even if an earlier one
   * failed, so a stop always ends. Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.monitor.state = 'stopping';
      this.wake();
      const graceMs = this.bus.opts.stopGraceMs ?? 15_000;
      const step = async (what: string, ms: number, fn: () => Promise<unknown> | undefined) => {
        let timer: NodeJS.Timeout | undefined;
        const started = Date.now();
        try {
          const timedOut = await Promise.race([
            Promise.resolve(fn()).then(
              () => false,
              (err: unknown) => void this.logger.warn({ err: errorMessage(err), step: what }, 'stop step failed'),
            ),
            new Promise<boolean>((r) => (timer = setTimeout(() => r(true), ms))),
          ]);
          if (timedOut) this.logger.warn({ step: what, ms }, 'stop step timed out; going on');
          else if (Date.now() - started > 1000) this.logger.info({ step: what, ms: Date.now() - started }, 'slow stop step');
        } finally {
          clearTimeout(timer);
        }
      };
      const grace = setTimeout(() => this.abort.abort(new Error('subscription stopped')), graceMs);
      // the batches in flight finish and commit before the member leaves (no redelivery after a clean stop)
      await step('batches in flight', graceMs + 5000, () => Promise.allSettled([...this.inflight]));
      clearTimeout(grace);
      this.abort.abort(new Error('subscription stopped'));
      this.wake();
      await step('fetch loop', 5000, () => this.loop);
      const stream = this.stream;
      this.stream = undefined;
      if (stream) {
        delete (stream as unknown as { resume?: unknown }).resume;
        await step('membership stream', 2000, () => stream.close());
      }
      const consumer = this.consumer;
      if (consumer) await step('leaving the group', 10_000, () => new Promise<void>((resolve, reject) => consumer.close(true, (err) => (err ? reject(err) : resolve()))));
      await step('transactional producer', 5000, () => this.committer?.close());
      await step('fetch connections', 2000, () => this.fetchPool?.close());
      this.untrack?.();
      this.monitor.close();
      this.onStopped();
    })();
    return this.stopped;
  }
}

/**
 * Commits exactly-once batches: their output and offsets in one transaction of this member's
 * transactional producer. Batches that finish while a transaction is running wait for the next one
 * (group commit), so one transaction usually carries several partitions' batches.
 */
class TransactionCommitter {
  private queue: PendingCommit[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly owns: (st: PartitionState) => boolean,
    private readonly producer: Producer<Buffer, Buffer, string, string>,
    private readonly consumer: Consumer,
    private readonly metrics: BusMetrics,
    private readonly logger: Logger,
  ) {}

  commit(p: Omit<PendingCommit, 'resolve' | 'reject'>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...p, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const items = this.queue.splice(0, this.queue.length);
      const live = items.filter((i) => {
        if (this.owns(i.st)) return true;
        i.reject(new RevokedError(i.st.topic, i.st.partition));
        return false;
      });
      if (live.length === 0) continue;
      try {
        await this.transact(live);
        this.metrics.transactions.inc({ group: this.consumer.groupId, result: 'committed' });
        for (const i of live) i.resolve();
      } catch (err) {
        this.metrics.transactions.inc({ group: this.consumer.groupId, result: 'aborted' });
        this.logger.warn({ err: errorMessage(err), batches: live.length }, 'transaction aborted; its batches are redelivered');
        for (const i of live) i.reject(err);
      }
    }
  }

  private async transact(items: PendingCommit[]): Promise<void> {
    const tx = await this.producer.beginTransaction(NEW_PRODUCER);
    try {
      // one send per publish() call of the handlers, in order: each stays one produce request far
      // below the broker's limits (the handlers size them), and sends within a transaction must not
      // overlap (the library adds partitions to the transaction per send)
      for (const i of items) for (const c of i.chunks) await tx.send({ acks: -1, messages: c.records.map((r) => toProduced(c.topic, r)) });
      await tx.addConsumer({ groupId: this.consumer.groupId } as Consumer);
      const memberId = this.consumer.memberId;
      const coordinatorId = await this.consumer.findGroupCoordinator();
      if (!memberId) throw new TransientError('not a member of the group: nothing can be committed');
      for (const i of items) {
        if (!this.owns(i.st)) throw new RevokedError(i.st.topic, i.st.partition);
        // the epoch of the fetch: if the member lost (or regained) the partition since, the
        // coordinator refuses it and the whole transaction aborts
        await tx.addOffset({
          topic: i.st.topic,
          partition: i.st.partition,
          offset: i.offset - 1n,
          metadata: { consumer: { groupId: this.consumer.groupId, generationId: i.epoch, memberId, coordinatorId } },
        } as unknown as Parameters<typeof tx.addOffset>[0]);
      }
      await tx.commit();
    } catch (err) {
      if (!tx.completed) await tx.abort().catch(() => tx.cancel());
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.producer.close().catch(() => undefined);
  }
}
