// Helpers of the tagger's integration suites: tiny real models built by the trainer, tagger
// replicas on the harness broker, a background reader of a topic, the shared corpora.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import type { Topics } from '@zhner/contracts';
import { loadConfig, sha256Hex } from '@zhner/core';
import { createLogger, createMetricsRegistry } from '@zhner/kit';
import type { SqlClient } from '@zhner/store';
import { configSpec, startTagger, type RunningTagger } from '@zhner/tagger';
import { kafkaBrokers, kafkaBus, uniqueName, waitForGroupStable } from '@zhner/test';

const run = promisify(execFile);
export const REPO = path.resolve(__dirname, '..', '..');
export const DATA_ROOT = process.env.ZHNER_DATA_ROOT ?? path.resolve(REPO, '..', 'shared', 'data');

/** The trainer's Python (creating the environment with scripts/setup-python.sh when missing). */
export async function trainerPython(): Promise<string> {
  const py = path.join(REPO, '.venv', 'bin', 'python');
  if (existsSync(py)) return py;
  const { stdout } = await run('bash', [path.join(REPO, 'scripts', 'setup-python.sh')], { maxBuffer: 16 * 1024 * 1024, timeout: 1_200_000 });
  return stdout.trim().split('\n').pop()!;
}

export interface BuiltModel {
  dir: string;
  version: string;
  manifestSha256: string;
}

/**
 * Trains a tiny real model (configs/tiny.cfg, a few seconds of CPU) into a temp directory. `sets`
 * are trainer overrides (`section.key=value`), e.g. a different seed for a second version.
 */
export async function buildTinyModel(sets: string[] = []): Promise<BuiltModel> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tagger-it-model-'));
  const py = await trainerPython();
  const args = ['-m', 'zhner_trainer', 'train', '--config', path.join(REPO, 'services', 'trainer-orchestrator', 'trainer', 'configs', 'tiny.cfg'), '--out', dir];
  for (const s of sets) args.push('--set', s);
  try {
    await run(py, args, { cwd: REPO, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  } catch (err) {
    const e = err as { stderr?: string };
    throw new Error(`training a tiny model failed: ${e.stderr?.slice(-3000) ?? String(err)}`);
  }
  const manifestBytes = readFileSync(path.join(dir, 'manifest.json'));
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { version: string };
  return { dir, version: manifest.version, manifestSha256: sha256Hex(manifestBytes) };
}

export function removeModel(m: BuiltModel | undefined): void {
  if (m) rmSync(m.dir, { recursive: true, force: true });
}

/** Texts (with gold entities, code-point offsets) from one of the shared corpora. */
export function corpusTexts(file: string, limit: number): Array<{ id: string; text: string }> {
  const lines = readFileSync(path.join(DATA_ROOT, file), 'utf8').split('\n').filter((l) => l.trim());
  return lines.slice(0, limit).map((l) => {
    const j = JSON.parse(l) as { id: string; text: string };
    return { id: j.id, text: j.text };
  });
}

export interface KafkaReplica {
  tagger: RunningTagger;
  close(): Promise<void>;
}

/** One tagger replica on the harness broker with its own Kafka clients. */
export async function startKafkaReplica(topics: Topics, env: Record<string, string>): Promise<KafkaReplica> {
  const logger = createLogger('tagger-it', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const registry = createMetricsRegistry('tagger', { defaultMetrics: false });
  const bus = kafkaBus(topics, { registry, logger, clientId: uniqueName('tagger-') });
  const tagger = await startTagger(loadConfig(configSpec, { TAGGER_HEARTBEAT_INTERVAL: '1s', ...env }), { logger, registry, bus, topics, db: {} as SqlClient });
  return {
    tagger,
    async close() {
      await tagger.close();
      await bus.close();
    },
  };
}

export type CollectedMessage = KafkaMessage & { partition: number };

export interface TopicCollector {
  messages: CollectedMessage[];
  stop(): Promise<void>;
}

/** Reads `topic` from the beginning in the background, collecting every message, until stop(). Resolves once the reader has joined. */
export async function collectTopic(topic: string): Promise<TopicCollector> {
  const kafka = new Kafka({ brokers: kafkaBrokers(), clientId: uniqueName('collector-'), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('collector-'), maxWaitTimeInMs: 50 });
  const messages: CollectedMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) messages.push({ ...m, partition: batch.partition });
    },
  });
  await joined;
  return { messages, stop: () => consumer.disconnect() };
}

/** Members of a consumer group once it is Stable with `members` members. */
export async function waitForStableGroup(groupId: string, members: number, timeoutMs = 60_000): Promise<void> {
  // the harness's check sees KIP-848 (consumer protocol) groups too, which kafkajs' describeGroups cannot
  return waitForGroupStable(groupId, members, timeoutMs);
}
