import { Codec, type CodecOptions, type SchemaName, type SchemaTypes } from './codec';
import {
  validateCorrection,
  validateEntityEvent,
  validatePrediction,
  validateRawText,
  validateReviewCandidate,
} from './validate';

/** What it takes to create a topic. */
export interface TopicInfo {
  readonly name: string;
  /** Suggested partitions when a launcher or test creates the topic. */
  readonly partitions: number;
  /** Compacted topics keep the latest value per key (heartbeats). */
  readonly compacted?: boolean;
}

/** A topic: its name, record schema, key and the semantic check applied after decoding. */
export interface TopicSpec<N extends SchemaName = SchemaName> extends TopicInfo {
  readonly codec: Codec<N>;
  readonly key: (value: SchemaTypes[N]) => string;
  readonly validate: (value: SchemaTypes[N]) => void;
}

export type ValueOf<T> = T extends TopicSpec<infer N> ? SchemaTypes[N] : never;

/** Base names; versioned so that an incompatible schema change gets a new topic. */
export const TOPIC_NAMES = {
  rawText: 'ner.raw-text.v1',
  entities: 'ner.entities.v1',
  predictions: 'ner.predictions.v1',
  reviewCandidates: 'ner.review-candidates.v1',
  corrections: 'ner.corrections.v1',
  modelEvents: 'ner.model-events.v1',
  replicaCommands: 'ner.replica-commands.v1',
  replicaHeartbeats: 'ner.replica-heartbeats.v1',
  deadLetters: 'ner.dead-letters.v1',
} as const;

export type TopicKey = keyof typeof TOPIC_NAMES;

const none = () => undefined;

export interface Topics {
  rawText: TopicSpec<'RawText'>;
  entities: TopicSpec<'EntityEvent'>;
  predictions: TopicSpec<'Prediction'>;
  reviewCandidates: TopicSpec<'ReviewCandidate'>;
  corrections: TopicSpec<'Correction'>;
  modelEvents: TopicSpec<'ModelEvent'>;
  replicaCommands: TopicSpec<'ReplicaCommand'>;
  replicaHeartbeats: TopicSpec<'ReplicaHeartbeat'>;
  deadLetters: TopicSpec<'DeadLetter'>;
}

export interface TopicsOptions extends CodecOptions {
  /** Prepended to every name (tests use a random prefix; deployments may use an environment name). */
  prefix?: string;
  /** Confluent schema ids by base topic name, when the Confluent wire format is used. */
  schemaIds?: Partial<Record<TopicKey, number>>;
  /** Partitions for the high-volume topics (raw text, entities, predictions). Default 6. */
  partitions?: number;
}

/**
 * The consumer group `name` in the environment of `topics`: the topic prefix (TOPIC_PREFIX) goes
 * in front, so two environments sharing a cluster never share a group (a group whose members
 * subscribe to different topics gets partitions assigned to nobody).
 */
export function consumerGroup(topics: Pick<Topics, 'rawText'>, name: string): string {
  return topics.rawText.name.slice(0, topics.rawText.name.length - TOPIC_NAMES.rawText.length) + name;
}

/** The platform's topics. Every service builds them the same way from config. */
export function createTopics(opts: TopicsOptions = {}): Topics {
  const prefix = opts.prefix ?? '';
  const p = opts.partitions ?? 6;
  const codec = <N extends SchemaName>(schema: N, key: TopicKey) => {
    const id = opts.schemaIds?.[key];
    const wireFormat = opts.wireFormat?.kind === 'confluent' || id !== undefined ? { kind: 'confluent' as const, schemaId: id ?? 0 } : opts.wireFormat;
    return new Codec(schema, { ...opts, wireFormat });
  };
  return {
    rawText: { name: prefix + TOPIC_NAMES.rawText, codec: codec('RawText', 'rawText'), key: (v) => v.id, validate: validateRawText, partitions: p },
    entities: { name: prefix + TOPIC_NAMES.entities, codec: codec('EntityEvent', 'entities'), key: (v) => v.docId, validate: validateEntityEvent, partitions: p },
    predictions: { name: prefix + TOPIC_NAMES.predictions, codec: codec('Prediction', 'predictions'), key: (v) => v.docId, validate: validatePrediction, partitions: p },
    reviewCandidates: {
      name: prefix + TOPIC_NAMES.reviewCandidates,
      codec: codec('ReviewCandidate', 'reviewCandidates'),
      key: (v) => v.candidateId,
      validate: validateReviewCandidate,
      partitions: 3,
    },
    corrections: { name: prefix + TOPIC_NAMES.corrections, codec: codec('Correction', 'corrections'), key: (v) => v.correctionId, validate: (v) => validateCorrection(v), partitions: 3 },
    modelEvents: { name: prefix + TOPIC_NAMES.modelEvents, codec: codec('ModelEvent', 'modelEvents'), key: (v) => v.modelVersion, validate: none, partitions: 1 },
    replicaCommands: { name: prefix + TOPIC_NAMES.replicaCommands, codec: codec('ReplicaCommand', 'replicaCommands'), key: (v) => v.replicaId, validate: none, partitions: 1 },
    replicaHeartbeats: {
      name: prefix + TOPIC_NAMES.replicaHeartbeats,
      codec: codec('ReplicaHeartbeat', 'replicaHeartbeats'),
      key: (v) => v.replicaId,
      validate: none,
      partitions: 1,
      compacted: true,
    },
    deadLetters: { name: prefix + TOPIC_NAMES.deadLetters, codec: codec('DeadLetter', 'deadLetters'), key: (v) => `${v.originalTopic}/${v.partition}/${v.offset}`, validate: none, partitions: 3 },
  };
}
