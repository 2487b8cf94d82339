import { createTopics, TOPIC_NAMES, type TopicKey, type Topics } from '@zhner/contracts';
import { ConfigError, env, type ConfigOf } from '@zhner/core';
import { type Logger, type Registry } from '@zhner/kit';
import { KAFKA_CLIENTS, KafkaBus } from './kafka';
import { MemoryBus } from './memory';
import { createBusMetrics } from './metrics';
import type { Bus } from './port';

/** Environment variables shared by every service that talks to the bus. */
export const busConfigSpec = {
  bus: env.oneOf('BUS', ['kafka', 'memory'] as const, { default: 'kafka', doc: 'kafka, or memory for the in-process bus (one-machine default, tests)' }),
  kafkaBrokers: env.list('KAFKA_BROKERS', { default: ['127.0.0.1:19092'], doc: 'Kafka bootstrap servers, comma-separated' }),
  kafkaClientId: env.string('KAFKA_CLIENT_ID', { default: 'zhner', doc: 'Client id prefix reported to the broker' }),
  kafkaSsl: env.bool('KAFKA_SSL', { default: false, doc: 'TLS to the brokers' }),
  kafkaSaslMechanism: env.optional(env.oneOf('KAFKA_SASL_MECHANISM', ['plain', 'scram-sha-256', 'scram-sha-512'] as const, { doc: 'SASL mechanism (with KAFKA_SASL_USERNAME/PASSWORD)' })),
  kafkaSaslUsername: env.optional(env.string('KAFKA_SASL_USERNAME')),
  kafkaSaslPassword: env.optional(env.string('KAFKA_SASL_PASSWORD')),
  kafkaCompression: env.oneOf('KAFKA_COMPRESSION', ['none', 'gzip'] as const, { default: 'none', doc: 'Producer compression' }),
  kafkaClient: env.oneOf('KAFKA_CLIENT', KAFKA_CLIENTS, {
    default: 'platformatic',
    doc: 'Kafka client library: platformatic (@platformatic/kafka: KIP-848 consumer groups, transactions) or kafkajs (unmaintained; classic eager rebalancing, at-least-once only)',
  }),
  kafkaDelivery: env.oneOf('KAFKA_DELIVERY', ['exactly-once', 'at-least-once'] as const, {
    default: 'exactly-once',
    doc: 'Delivery of consume-transform-produce consumers (the tagger): exactly-once commits their output and offsets in one Kafka transaction; at-least-once may redeliver after a crash or rebalance',
  }),
  kafkaGroupProtocol: env.oneOf('KAFKA_GROUP_PROTOCOL', ['consumer', 'classic'] as const, {
    default: 'consumer',
    doc: 'Consumer-group protocol with KAFKA_CLIENT=platformatic: consumer (KIP-848, broker-side incremental assignment, Kafka >= 4.0) or classic',
  }),
  kafkaStallTimeoutMs: env.durationMs('KAFKA_STALL_TIMEOUT', { default: '60s', min: 1000, doc: 'A consumer with lag that commits nothing for this long is stalled: /readyz answers 503 and zhner_bus_consumer_stalled is 1' }),
  kafkaTransactionTimeoutMs: env.durationMs('KAFKA_TRANSACTION_TIMEOUT', { default: '10s', min: 1000, doc: 'Timeout of exactly-once transactions: the broker aborts the open transaction of a killed replica after it' }),
  topicPrefix: env.string('TOPIC_PREFIX', { default: '', doc: 'Prepended to every topic name (per-environment isolation)' }),
  topicPartitions: env.int('TOPIC_PARTITIONS', { default: 6, min: 1, max: 1000, doc: 'Partitions of the high-volume topics when created' }),
  wireFormat: env.oneOf('WIRE_FORMAT', ['avro', 'confluent'] as const, { default: 'avro', doc: 'Plain Avro binary, or Confluent framing (magic byte + schema id)' }),
  confluentSchemaIds: env.string('CONFLUENT_SCHEMA_IDS', {
    default: '',
    doc: `Schema ids for Confluent framing, e.g. rawText=1,entities=2 (keys: ${Object.keys(TOPIC_NAMES).join(', ')})`,
  }),
};
export type BusConfig = ConfigOf<typeof busConfigSpec>;

function parseSchemaIds(text: string): Partial<Record<TopicKey, number>> {
  const out: Partial<Record<TopicKey, number>> = {};
  if (!text.trim()) return out;
  const problems: string[] = [];
  for (const part of text.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (!(k in TOPIC_NAMES)) problems.push(`CONFLUENT_SCHEMA_IDS: unknown topic key ${JSON.stringify(k)}`);
    else if (!/^\d+$/.test(v ?? '')) problems.push(`CONFLUENT_SCHEMA_IDS: id for ${k} must be an integer, got ${JSON.stringify(v)}`);
    else out[k as TopicKey] = Number(v);
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

export function topicsFromConfig(cfg: BusConfig): Topics {
  const schemaIds = parseSchemaIds(cfg.confluentSchemaIds);
  if (cfg.wireFormat === 'confluent') {
    const missing = (Object.keys(TOPIC_NAMES) as TopicKey[]).filter((k) => schemaIds[k] === undefined);
    if (missing.length) throw new ConfigError([`WIRE_FORMAT=confluent needs CONFLUENT_SCHEMA_IDS for: ${missing.join(', ')}`]);
  }
  return createTopics({ prefix: cfg.topicPrefix, partitions: cfg.topicPartitions, schemaIds });
}

export interface CreateBusOptions {
  logger: Logger;
  registry?: Registry;
  /** Client id suffix, e.g. the service name. */
  service: string;
  /** Share one in-process bus between services of one process (the one-machine default). */
  memoryBus?: MemoryBus;
}

export function createBus(cfg: BusConfig, topics: Topics, opts: CreateBusOptions): Bus {
  const metrics = createBusMetrics(opts.registry);
  if (cfg.bus === 'memory') {
    return opts.memoryBus ?? new MemoryBus({ logger: opts.logger, metrics, deadLetterTopic: topics.deadLetters, delivery: cfg.kafkaDelivery, stallTimeoutMs: cfg.kafkaStallTimeoutMs });
  }
  if (cfg.kafkaSaslMechanism && (!cfg.kafkaSaslUsername || !cfg.kafkaSaslPassword)) {
    throw new ConfigError(['KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required']);
  }
  return new KafkaBus({
    brokers: cfg.kafkaBrokers,
    clientId: `${cfg.kafkaClientId}-${opts.service}`,
    logger: opts.logger,
    metrics,
    deadLetterTopic: topics.deadLetters,
    ssl: cfg.kafkaSsl,
    sasl: cfg.kafkaSaslMechanism ? { mechanism: cfg.kafkaSaslMechanism, username: cfg.kafkaSaslUsername!, password: cfg.kafkaSaslPassword! } : undefined,
    compression: cfg.kafkaCompression,
    client: cfg.kafkaClient,
    delivery: cfg.kafkaDelivery,
    groupProtocol: cfg.kafkaGroupProtocol,
    stallTimeoutMs: cfg.kafkaStallTimeoutMs,
    transactionTimeoutMs: cfg.kafkaTransactionTimeoutMs,
  });
}
