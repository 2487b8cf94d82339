import type { SchemaName, SchemaTypes, TopicInfo, TopicSpec } from '@zhner/contracts';
import type { Logger } from '@zhner/kit';

/** A record to publish. `key` defaults to the topic's key function. */
export interface OutgoingMessage<T> {
  value: T;
  key?: string;
  headers?: Record<string, string>;
}

/** Bytes as they travel, for the dead-letter path and for tests that need to publish poison. */
export interface RawRecord {
  key: Buffer | string | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

/** A decoded, validated message handed to a handler. */
export interface Envelope<T> {
  topic: string;
  partition: number;
  /** int64 offset as a decimal string. */
  offset: string;
  key: string | null;
  value: T;
  headers: Record<string, string>;
  /** Broker (or append) timestamp, epoch ms. */
  timestamp: number;
}

export interface BatchContext {
  groupId: string;
  topic: string;
  partition: number;
  /** Messages behind the end of the partition after this batch (consumer lag), when known. */
  lag: number | null;
  /** Aborted when the subscription stops: long work should give up and let the batch be redelivered. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * Where the handler publishes its output. Under `delivery: 'exactly-once'` it is the batch's
   * transaction: what is published here becomes visible to read_committed consumers together with
   * the commit of the batch's offsets, or not at all. Under at-least-once it is the bus itself.
   * Handlers should always publish their output here.
   */
  publisher: Publisher;
  /** How this batch is delivered (see SubscribeOptions.delivery). */
  delivery: DeliveryMode;
}

/**
 * at-least-once: offsets are committed after the handler's output is published; a crash between
 *   the two redelivers the batch (consumers dedupe on ids).
 * exactly-once: the output published through BatchContext.publisher, the dead letters and the
 *   consumed offsets commit in one Kafka transaction, fenced by the group's member epoch (KIP-447),
 *   so read_committed consumers see each result once, even across crashes and rebalances.
 */
export type DeliveryMode = 'at-least-once' | 'exactly-once';

/** Which records a consumer sees of transactional producers: only committed ones (default), or all. */
export type IsolationLevel = 'read_committed' | 'read_uncommitted';

/** Per-message failures the handler detected; those messages go to the dead-letter topic. */
export interface BatchOutcome<T> {
  rejected?: Array<{ envelope: Envelope<T>; error: unknown }>;
}

/**
 * Processes one batch (messages of one partition, in order). It must finish its own output (await
 * its publishes / writes) before resolving: offsets are committed only after it resolves. Throwing
 * a retriable error retries the batch; a non-retriable one is narrowed to the failing message(s),
 * which are dead-lettered.
 */
export type BatchHandler<T> = (batch: Envelope<T>[], ctx: BatchContext) => Promise<BatchOutcome<T> | void>;

export interface SubscribeOptions<N extends SchemaName> {
  groupId: string;
  /** One or more topics of the same schema. */
  topics: TopicSpec<N>[];
  handler: BatchHandler<SchemaTypes[N]>;
  /** Extra check after decoding + the topic's own validation (throw ValidationError to dead-letter). */
  validate?: (value: SchemaTypes[N], envelope: Omit<Envelope<SchemaTypes[N]>, 'value'>) => void;
  /** Where poison goes. Default: the bus's dead-letter topic. */
  deadLetterTopic?: TopicSpec<'DeadLetter'>;
  /** Start from the earliest offset when the group has none. Default true (no document is skipped). */
  fromBeginning?: boolean;
  /** Largest batch handed to the handler. Default 500. */
  maxBatchSize?: number;
  /** Partitions processed concurrently by this member. Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Default at-least-once. exactly-once needs an adapter with transactions (Bus.capabilities). */
  delivery?: DeliveryMode;
  /** Default read_committed. */
  isolation?: IsolationLevel;
  /**
   * Transactional id of this member's producer under exactly-once: stable per replica (a restarted
   * replica with the same id fences its previous incarnation and aborts its open transaction at
   * once). Default `<client id>.<group id>`.
   */
  transactionalId?: string;
  /**
   * Largest payload (value bytes) handed to decoding; larger records are dead-lettered with
   * PAYLOAD_TOO_LARGE before any work (their dead letter is truncated to fit the broker's limit).
   * Default 1 MiB.
   */
  maxPayloadBytes?: number;
  /** No commit for this long while lag > 0 marks the subscription stalled (health, readiness, metric). Default 60 s. */
  stallTimeoutMs?: number;
}

/** What a subscription knows about itself, for /readyz and /metrics. */
export interface SubscriptionHealth {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly state: 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';
  /** The last round trip to the broker (fetch, heartbeat) succeeded. */
  readonly connected: boolean;
  /** A member of its consumer group (possibly with no partitions: more members than partitions). */
  readonly member: boolean;
  /** Partitions assigned to this member now. */
  readonly partitions: number;
  /** Messages behind the end of the assigned partitions (sum), when known. */
  readonly lag: number | null;
  /** Epoch ms of the last offset commit (or of the assignment, before any commit). */
  readonly lastProgressAt: number | null;
  /** lag > 0 and no commit for stallTimeoutMs. */
  readonly stalled: boolean;
  readonly delivery: DeliveryMode;
  readonly lastError: string | null;
}

export interface BusHealth {
  readonly kind: 'kafka' | 'memory';
  /** Client library behind a Kafka bus. */
  readonly client?: string;
  readonly subscriptions: readonly SubscriptionHealth[];
}

export interface Subscription {
  readonly groupId: string;
  /** Finishes the in-flight batch, commits, leaves the group. Idempotent. */
  stop(): Promise<void>;
  health(): SubscriptionHealth;
}

export interface Publisher {
  publish<N extends SchemaName>(topic: TopicSpec<N>, messages: OutgoingMessage<SchemaTypes[N]>[]): Promise<void>;
  /** Publishes bytes as they are (no encoding, no validation). */
  publishRaw(topic: string, records: RawRecord[]): Promise<void>;
}

export interface BusCapabilities {
  /** Supports `delivery: 'exactly-once'` (transactions with group-epoch fencing). */
  readonly exactlyOnce: boolean;
}

export interface Bus extends Publisher {
  readonly kind: 'kafka' | 'memory';
  readonly capabilities: BusCapabilities;
  /**
   * The delivery configured for consume-transform-produce subscriptions (KAFKA_DELIVERY): a
   * subscriber whose handler publishes what it consumed passes `delivery: bus.delivery`.
   */
  readonly delivery: DeliveryMode;
  /** Health of every live subscription (see SubscriptionHealth). */
  health(): BusHealth;
  /** Creates missing topics (partitions and compaction from the specs). */
  ensureTopics(topics: readonly TopicInfo[]): Promise<void>;
  subscribe<N extends SchemaName>(opts: SubscribeOptions<N>): Promise<Subscription>;
  /** Stops every subscription, then disconnects. Idempotent. */
  close(): Promise<void>;
}

/** Header names on dead-lettered records. */
export const DLT_HEADERS = {
  errorCode: 'x-dlt-error-code',
  reason: 'x-dlt-reason',
  originalTopic: 'x-dlt-original-topic',
  partition: 'x-dlt-partition',
  offset: 'x-dlt-offset',
  consumerGroup: 'x-dlt-consumer-group',
  failedAt: 'x-dlt-failed-at',
  /** Set when the payload was cut to fit the broker's message limit: the original's size in bytes... */
  originalSize: 'x-dlt-original-size',
  /** ...and its sha256 (hex), so the original can be found and verified at its topic/partition/offset. */
  originalSha256: 'x-dlt-original-sha256',
  truncated: 'x-dlt-truncated',
} as const;
