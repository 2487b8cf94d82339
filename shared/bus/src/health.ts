// What every adapter's subscription tracks about itself (SubscriptionHealth), and the buffer that
// collects a batch's output under exactly-once until its transaction commits.
import type { SchemaName, SchemaTypes, TopicSpec } from '@zhner/contracts';
import { encodeRecords } from './encode';
import type { BusMetrics } from './metrics';
import type { DeliveryMode, OutgoingMessage, Publisher, RawRecord, SubscriptionHealth } from './port';

/** Default stall timeout (SubscribeOptions.stallTimeoutMs). */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

export class SubscriptionMonitor {
  state: SubscriptionHealth['state'] = 'starting';
  connected = false;
  member = false;
  lastError: string | null = null;
  private readonly lags = new Map<string, { topic: string; partition: number; lag: number }>();
  private lastProgressAt: number | null = null;
  private readonly startedAt = Date.now();
  private readonly source = () => this.health();

  constructor(
    readonly groupId: string,
    readonly topics: readonly string[],
    readonly delivery: DeliveryMode,
    private readonly stallTimeoutMs: number,
    private readonly metrics: BusMetrics,
  ) {
    metrics.health.add(this.source);
  }

  /** Lag of an owned partition (also exported as kafka_consumergroup_lag). */
  setLag(topic: string, partition: number, lag: number): void {
    const v = Math.max(0, lag);
    this.lags.set(`${topic}\u0000${partition}`, { topic, partition, lag: v });
    this.metrics.lag.set({ consumergroup: this.groupId, topic, partition: String(partition) }, v);
  }

  /** A partition gained: the stall clock starts now for it. */
  assigned(topic: string, partition: number): void {
    this.lags.set(`${topic}\u0000${partition}`, { topic, partition, lag: this.lags.get(`${topic}\u0000${partition}`)?.lag ?? 0 });
    this.progressed();
  }

  /** A partition lost: its lag is reported by its new owner now. */
  revoked(topic: string, partition: number): void {
    this.lags.delete(`${topic}\u0000${partition}`);
    this.metrics.lag.remove({ consumergroup: this.groupId, topic, partition: String(partition) });
  }

  /** Offsets were committed (or there was nothing to commit). */
  progressed(at = Date.now()): void {
    this.lastProgressAt = at;
  }

  get partitions(): number {
    return this.lags.size;
  }

  health(): SubscriptionHealth {
    let lag: number | null = null;
    for (const l of this.lags.values()) lag = (lag ?? 0) + l.lag;
    const since = this.lastProgressAt ?? this.startedAt;
    const stalled = this.state === 'running' && lag !== null && lag > 0 && Date.now() - since > this.stallTimeoutMs;
    return {
      groupId: this.groupId,
      topics: this.topics,
      state: this.state,
      connected: this.connected,
      member: this.member,
      partitions: this.lags.size,
      lag,
      lastProgressAt: this.lastProgressAt,
      stalled,
      delivery: this.delivery,
      lastError: this.lastError,
    };
  }

  /** Stops reporting (the subscription has stopped). */
  close(): void {
    this.state = 'stopped';
    for (const l of [...this.lags.values()]) this.revoked(l.topic, l.partition);
    this.metrics.health.delete(this.source);
  }
}

/** One publish() call's worth of records. */
export interface BufferedChunk {
  topic: string;
  records: RawRecord[];
}

/**
 * Collects a batch's output (encoded, as publish() would send it) instead of sending it: under
 * exactly-once the adapter sends it inside the batch's transaction; under the in-process bus it is
 * appended together with the offsets commit. Encoding errors throw at publish time, as on the bus.
 */
export class BufferedPublisher implements Publisher {
  readonly chunks: BufferedChunk[] = [];

  async publish<N extends SchemaName>(topic: TopicSpec<N>, messages: OutgoingMessage<SchemaTypes[N]>[]): Promise<void> {
    if (messages.length === 0) return;
    this.chunks.push({ topic: topic.name, records: encodeRecords(topic, messages) });
  }

  async publishRaw(topic: string, records: RawRecord[]): Promise<void> {
    if (records.length > 0) this.chunks.push({ topic, records: [...records] });
  }

  get records(): number {
    return this.chunks.reduce((n, c) => n + c.records.length, 0);
  }
}
