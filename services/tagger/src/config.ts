// The tagger's own environment variables (bus, store and HTTP variables come from the platform's
// shared specs). `describeConfig(configSpec)` renders the README table.
import os from 'node:os';
import path from 'node:path';
import { adminConfigSpec } from '@zhner/kit';
import { env, type ConfigOf } from '@zhner/core';

/** The repository root (model paths in config and commands are relative to it). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export const configSpec = {
  registryUrl: env.optional(
    env.url('REGISTRY_URL', {
      doc: "The model registry (the trainer-orchestrator's base URL): LOAD_MODEL commands and POST /admin/model name a version that is resolved there, and a starting replica serves the promoted version before it consumes anything. Unset: MODEL_DIR only, swaps refused",
    }),
  ),
  modelDir: env.string('MODEL_DIR', {
    default: 'models/zh-ner-default',
    doc: 'Model directory loaded at start when REGISTRY_URL is unset or the registry has no promoted version (absolute, or relative to the repository root; operator configuration, never an API input). When it cannot be loaded the replica stays up, not ready, and waits for a LOAD_MODEL command',
  }),
  precision: env.oneOf('MODEL_PRECISION', ['int8', 'fp32'] as const, { default: 'int8', doc: 'int8 uses model.int8.onnx when the directory has it (else fp32); fp32 forces model.onnx' }),
  inferenceWorkers: env.int('TAGGER_INFERENCE_WORKERS', {
    default: 1,
    min: 0,
    max: 64,
    doc: 'Worker threads running the model (each holds a copy); 0 runs it on the main thread. onnxruntime-node runs synchronously on its calling thread, so a worker keeps Kafka and HTTP responsive',
  }),
  intraOpThreads: env.int('ORT_INTRA_OP_THREADS', { default: 1, min: 0, max: 256, doc: 'ONNX Runtime threads inside one operator (0 = runtime default: all cores)' }),
  interOpThreads: env.int('ORT_INTER_OP_THREADS', { default: 1, min: 0, max: 256, doc: 'ONNX Runtime threads across operators (0 = runtime default)' }),
  convention: env.optional(env.string('TAGGER_CONVENTION', { doc: "Annotation convention to serve, one of the model's (npm run eval -- --list-conventions: msra, weibo, resume, cluener for the bundled model); unset = the model's default (msra). A model without it is refused (MODEL_CONVENTION_UNKNOWN)" })),
  batchSize: env.int('TAGGER_BATCH_SIZE', { default: 32, min: 1, max: 4096, doc: 'Most segments per model run (1 = no batching)' }),
  maxWaitMs: env.durationMs('TAGGER_MAX_WAIT', { default: '2ms', doc: 'How long the oldest queued document waits for a fuller batch' }),
  maxTokensPerBatch: env.int('TAGGER_MAX_TOKENS_PER_BATCH', { default: 4096, min: 1, doc: 'Most padded tokens (segments × longest segment) per model run' }),
  bucketWindow: env.int('TAGGER_BUCKET_WINDOW', { default: 32, min: 1, max: 1024, doc: 'With a backlog, batches planned per flush: the queued segments of that many batches are sorted by length together (bucketing)' }),
  maxInflightBatches: env.int('TAGGER_INFLIGHT_BATCHES', { default: 2, min: 1, max: 64, doc: 'Model runs in flight at once (2: the next batch waits in the worker while the main thread handles the last results)' }),
  httpMaxTextLength: env.int('TAGGER_HTTP_MAX_TEXT_LENGTH', { default: 10_000, min: 1, doc: 'Longest text POST /ner accepts, in UTF-16 code units (longer: 400 TEXT_TOO_LONG)' }),
  httpMaxQueuedChars: env.int('TAGGER_HTTP_MAX_QUEUED_CHARS', { default: 1_000_000, min: 1, doc: 'Characters of POST /ner requests waiting for the model at once; counted until done; a request beyond it is refused 429 with Retry-After (Kafka keeps its half of the model time either way: deficit round robin)' }),
  httpMaxTexts: env.int('TAGGER_HTTP_MAX_TEXTS', { default: 64, min: 1, doc: 'Most texts in one POST /ner (more: 400 TOO_MANY_TEXTS)' }),
  maxTextLength: env.int('TAGGER_MAX_TEXT_LENGTH', { default: 100_000, min: 1, doc: 'Hard limit for a Kafka document, UTF-16 code units; longer ones are dead-lettered with TEXT_TOO_LONG' }),
  cacheSize: env.int('TAGGER_CACHE_SIZE', { default: 2000, min: 0, doc: 'Results kept in the in-process LRU (by model version + text sha256); 0 disables it' }),
  groupId: env.string('TAGGER_GROUP', { default: 'tagger', doc: 'Consumer group of the raw-text consumer (replicas of one group split the partitions)' }),
  extraTopics: env.optional(env.list('TAGGER_EXTRA_TOPICS', { doc: 'More raw-text topics (same RawText schema) to consume, comma-separated, besides the platform raw-text topic' })),
  partitionsConcurrently: env.int('TAGGER_PARTITIONS_CONCURRENTLY', { default: 6, min: 1, max: 256, doc: 'Partitions one replica processes at once; they all feed the one batching queue' }),
  consumerBatchSize: env.int('TAGGER_CONSUMER_BATCH', { default: 256, min: 1, max: 10_000, doc: 'Largest chunk of one partition handed to the handler at once' }),
  replicaId: env.string('REPLICA_ID', { default: `${os.hostname()}-${process.pid}`, defaultDoc: 'hostname-pid', doc: "This replica's id in commands and heartbeats" }),
  heartbeatIntervalMs: env.durationMs('TAGGER_HEARTBEAT_INTERVAL', { default: '5s', min: 100, doc: 'Period of the ReplicaHeartbeat events (one is also sent after every command)' }),
  commandGraceMs: env.durationMs('TAGGER_COMMAND_GRACE', { default: '30s', doc: 'Replica commands issued up to this long before the replica started are still applied; older ones are skipped' }),
  // ADMIN_TOKEN, INSECURE_OPEN_ADMIN: admin routes are closed unless a token is set (kit)
  ...adminConfigSpec,
};

export type TaggerConfig = ConfigOf<typeof configSpec>;
