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
}

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
}

export interface Subscription {
  readonly groupId: string;
  /** Finishes the in-flight batch, commits, leaves the group. Idempotent. */
  stop(): Promise<void>;
}

export interface Publisher {
  publish<N extends SchemaName>(topic: TopicSpec<N>, messages: OutgoingMessage<SchemaTypes[N]>[]): Promise<void>;
  /** Publishes bytes as they are (no encoding, no validation). */
  publishRaw(topic: string, records: RawRecord[]): Promise<void>;
}

export interface Bus extends Publisher {
  readonly kind: 'kafka' | 'memory';
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
} as const;
