import { createTopics, TOPIC_NAMES, type TopicKey, type Topics } from '@zhner/contracts';
import { ConfigError, env, type ConfigOf } from '@zhner/core';
import { type Logger, type Registry } from '@zhner/kit';
import { KafkaBus } from './kafka';
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
    return opts.memoryBus ?? new MemoryBus({ logger: opts.logger, metrics, deadLetterTopic: topics.deadLetters });
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
  });
}
