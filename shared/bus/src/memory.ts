// In-process bus for the one-machine default and unit tests. It keeps Kafka's semantics that the
// services rely on: bytes on the wire (every record is Avro-encoded and decoded again), partitions
// by key, consumer groups with committed offsets, at-least-once delivery, dead letters, and
// exactly-once (a batch's output is appended together with its offsets commit, or not at all).
import { createHash } from 'node:crypto';
import type { SchemaName, SchemaTypes, TopicInfo, TopicSpec } from '@zhner/contracts';
import { PlatformError } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { BufferedPublisher, DEFAULT_STALL_TIMEOUT_MS, SubscriptionMonitor } from './health';
import { encodeRecords } from './encode';
import { createBusMetrics, type BusMetrics } from './metrics';
import type { Bus, BusCapabilities, BusHealth, DeliveryMode, OutgoingMessage, RawRecord, Subscription, SubscribeOptions } from './port';
import { BatchProcessor, type RawIncoming } from './runner';

export interface StoredRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
  partition: number;
  offset: number;
}

export class UnknownTopicError extends PlatformError {
  constructor(topic: string) {
    super('UNKNOWN_TOPIC', `topic ${topic} does not exist; create it with ensureTopics()`, { context: { topic } });
  }
}

interface Member {
  id: number;
  groupId: string;
  topics: string[];
  assigned: Array<{ topic: string; partition: number }>;
  monitor: SubscriptionMonitor;
}

export interface MemoryBusOptions {
  logger: Logger;
  metrics?: BusMetrics;
  deadLetterTopic: TopicSpec<'DeadLetter'>;
  /** How long stop() waits for an in-flight batch before aborting it. Default 10 s. */
  stopGraceMs?: number;
  /** Bus.delivery. Default at-least-once. */
  delivery?: DeliveryMode;
  /** Default SubscribeOptions.stallTimeoutMs. */
  stallTimeoutMs?: number;
}

function partitionFor(key: Buffer | null, partitions: number, roundRobin: number): number {
  if (!key) return roundRobin % partitions;
  return createHash('md5').update(key).digest().readUInt32BE(0) % partitions;
}

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  readonly capabilities: BusCapabilities = { exactlyOnce: true };
  private readonly log = new Map<string, StoredRecord[][]>();
  private readonly committed = new Map<string, number>();
  private readonly members = new Map<string, Member[]>();
  private readonly subscriptions = new Set<Subscription>();
  private waiters: Array<() => void> = [];
  private nextMember = 0;
  private rr = 0;
  private closed = false;
  private readonly metrics: BusMetrics;

  readonly delivery: DeliveryMode;

  constructor(private readonly opts: MemoryBusOptions) {
    this.metrics = opts.metrics ?? createBusMetrics();
    this.delivery = opts.delivery ?? 'at-least-once';
  }

  async ensureTopics(topics: readonly TopicInfo[]): Promise<void> {
    for (const t of topics) if (!this.log.has(t.name)) this.log.set(t.name, Array.from({ length: t.partitions }, () => []));
    this.rebalanceAll();
  }

  async publish<N extends SchemaName>(topic: TopicSpec<N>, messages: OutgoingMessage<SchemaTypes[N]>[]): Promise<void> {
    await this.publishRaw(topic.name, encodeRecords(topic, messages));
  }

  async publishRaw(topic: string, records: RawRecord[]): Promise<void> {
    this.append(topic, records);
  }

  /** Synchronous append (so a batch's output and its commit happen in one turn of the event loop). */
  private append(topic: string, records: RawRecord[]): void {
    const parts = this.log.get(topic);
    if (!parts) throw new UnknownTopicError(topic);
    for (const r of records) {
      const key = r.key === null ? null : Buffer.isBuffer(r.key) ? r.key : Buffer.from(r.key);
      const partition = partitionFor(key, parts.length, this.rr++);
      const list = parts[partition];
      list.push({ key, value: r.value, headers: { ...(r.headers ?? {}) }, timestamp: Date.now(), partition, offset: list.length });
    }
    this.metrics.published.inc({ topic }, records.length);
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }

  /** Everything ever published to a topic, in partition then offset order (tests and tools). */
  records(topic: string): StoredRecord[] {
    return (this.log.get(topic) ?? []).flat();
  }

  /** The group's committed offset (next to read) for one partition. */
  committedOffset(groupId: string, topic: string, partition: number): number {
    return this.committed.get(`${groupId}\u0000${topic}\u0000${partition}`) ?? 0;
  }

  health(): BusHealth {
    return { kind: 'memory', subscriptions: [...this.subscriptions].map((s) => s.health()) };
  }

  private rebalanceAll(): void {
    for (const groupId of this.members.keys()) this.rebalance(groupId);
  }

  private rebalance(groupId: string): void {
    const members = this.members.get(groupId) ?? [];
    const all: Array<{ topic: string; partition: number }> = [];
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    for (const t of topics) (this.log.get(t) ?? []).forEach((_p, i) => all.push({ topic: t, partition: i }));
    const tp = (a: { topic: string; partition: number }) => `${a.topic}\u0000${a.partition}`;
    const before = new Map(members.map((m) => [m, m.assigned]));
    for (const m of members) m.assigned = [];
    all.forEach((a, i) => {
      const eligible = members.filter((m) => m.topics.includes(a.topic));
      if (eligible.length > 0) eligible[i % eligible.length].assigned.push(a);
    });
    for (const m of members) {
      const was = before.get(m)!;
      const gained = m.assigned.filter((a) => !was.some((b) => tp(b) === tp(a)));
      const lost = was.filter((a) => !m.assigned.some((b) => tp(b) === tp(a)));
      for (const a of gained) m.monitor.assigned(a.topic, a.partition);
      for (const a of lost) m.monitor.revoked(a.topic, a.partition);
      if (gained.length + lost.length > 0) this.metrics.rebalances.inc({ group: groupId });
    }
  }

  private waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async subscribe<N extends SchemaName>(opts: SubscribeOptions<N>): Promise<Subscription> {
    for (const t of opts.topics) if (!this.log.has(t.name)) throw new UnknownTopicError(t.name);
    const delivery = opts.delivery ?? 'at-least-once';
    const monitor = new SubscriptionMonitor(opts.groupId, opts.topics.map((t) => t.name), delivery, opts.stallTimeoutMs ?? this.opts.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, this.metrics);
    monitor.connected = true;
    monitor.member = true;
    const member: Member = { id: this.nextMember++, groupId: opts.groupId, topics: opts.topics.map((t) => t.name), assigned: [], monitor };
    const group = this.members.get(opts.groupId) ?? [];
    group.push(member);
    this.members.set(opts.groupId, group);
    this.rebalance(opts.groupId);
    const logger = this.opts.logger.child({ group: opts.groupId, member: member.id });
    const processor = new BatchProcessor(opts, { deadLetterTopic: this.opts.deadLetterTopic, logger, metrics: this.metrics, ensureTopic: (t) => this.ensureTopics([t]) });
    const abort = new AbortController();
    const maxBatch = opts.maxBatchSize ?? 500;
    let running = true;
    monitor.state = 'running';

    const loop = (async () => {
      while (running) {
        let progressed = false;
        for (const { topic, partition } of [...member.assigned]) {
          if (!running) break;
          // the assignment may have changed since this round started (a member joined or left)
          if (!member.assigned.some((a) => a.topic === topic && a.partition === partition)) continue;
          const key = `${opts.groupId}\u0000${topic}\u0000${partition}`;
          const from = this.committed.get(key) ?? 0;
          const records = this.log.get(topic)?.[partition] ?? [];
          monitor.setLag(topic, partition, records.length - from);
          if (from >= records.length) {
            monitor.progressed();
            continue;
          }
          const slice = records.slice(from, from + maxBatch);
          const raw: RawIncoming[] = slice.map((r) => ({ topic, partition, offset: String(r.offset), key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp }));
          const tx = delivery === 'exactly-once' ? new BufferedPublisher() : undefined;
          try {
            await processor.process(raw, { groupId: opts.groupId, topic, partition, lag: records.length - from - slice.length, signal: abort.signal, logger, publisher: tx ?? this, delivery });
          } catch (err) {
            if (abort.signal.aborted) return;
            monitor.lastError = String((err as Error)?.message ?? err);
            logger.error({ err, topic, partition, offset: from }, 'batch failed; will be redelivered');
            await new Promise((r) => setTimeout(r, 200));
            continue;
          }
          // a member that lost the partition meanwhile must not commit (nor publish, under exactly-once)
          if (!member.assigned.some((a) => a.topic === topic && a.partition === partition)) continue;
          // exactly-once: the output and the commit in one synchronous step
          if (tx) for (const c of tx.chunks) this.append(c.topic, c.records);
          this.committed.set(key, Math.max(this.committed.get(key) ?? 0, from + slice.length));
          if (tx) this.metrics.transactions.inc({ group: opts.groupId, result: 'committed' });
          monitor.progressed();
          monitor.setLag(topic, partition, records.length - (from + slice.length));
          progressed = true;
        }
        if (!progressed && running) await this.waitForData(50);
      }
    })();

    let stopping: Promise<void> | undefined;
    const sub: Subscription = {
      groupId: opts.groupId,
      health: () => monitor.health(),
      stop: () => {
        if (stopping) return stopping;
        running = false;
        monitor.state = 'stopping';
        stopping = (async () => {
          const grace = setTimeout(() => abort.abort(new Error('subscription stopped')), this.opts.stopGraceMs ?? 10_000);
          await loop;
          clearTimeout(grace);
          const g = this.members.get(opts.groupId) ?? [];
          this.members.set(opts.groupId, g.filter((m) => m !== member));
          this.rebalance(opts.groupId);
          monitor.close();
          this.subscriptions.delete(sub);
        })();
        return stopping;
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }
}
