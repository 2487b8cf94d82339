// What both Kafka adapters and the in-process bus share: how a typed message becomes the record on
// the wire, and the connection options of a Kafka client.
import type { SchemaName, SchemaTypes, TopicSpec } from '@zhner/contracts';
import type { Logger } from '@zhner/kit';
import type { BusMetrics } from './metrics';
import type { OutgoingMessage, RawRecord } from './port';

/** The records of `messages` on `topic`: key from the topic's key function unless given, Avro value, codec headers. */
export function encodeRecords<N extends SchemaName>(topic: TopicSpec<N>, messages: readonly OutgoingMessage<SchemaTypes[N]>[]): RawRecord[] {
  return messages.map((m) => ({ key: m.key ?? topic.key(m.value), value: topic.codec.encode(m.value), headers: { ...topic.codec.headers, ...m.headers } }));
}

/** Options every Kafka adapter takes. */
export interface KafkaClientOptions {
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
  /** Consumer session timeout of the classic group protocol (KIP-848 session timeouts are the broker's group.consumer.session.timeout.ms). Default 10 s. */
  sessionTimeoutMs?: number;
  /** Connection timeout per broker. Default 3 s. */
  connectionTimeoutMs?: number;
  /** Default SubscribeOptions.stallTimeoutMs. */
  stallTimeoutMs?: number;
}
