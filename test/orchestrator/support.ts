// Shared set-up of the orchestrator suites: a fresh database, random topics on the harness Kafka,
// a temporary models directory with a bundled-model stand-in, and the service started in-process.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KafkaBus } from '@zhner/bus';
import type { Topics } from '@zhner/contracts';
import { loadConfig } from '@zhner/core';
import { createMetricsRegistry } from '@zhner/kit';
import type { SqlClient } from '@zhner/store';
import { configSpec, startOrchestrator, type OrchestratorOverrides, type RunningOrchestrator } from '@zhner/trainer-orchestrator';
import { freshDatabase, kafkaBus, testLogger, testTopics, type TestDatabase } from '@zhner/test';

export interface OrchestratorFixture {
  dir: string;
  topics: Topics;
  bus: KafkaBus;
  database: TestDatabase;
  db: SqlClient;
  service: RunningOrchestrator;
  stop(): Promise<void>;
}

/** Writes `n` corpus lines (code-point offsets) to `file`. */
export async function writeCorpus(file: string, n: number, prefix: string): Promise<void> {
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${prefix}-${i}`, text: `${prefix}第${i}句：新华社北京电`, entities: [{ start: `${prefix}第${i}句：新华社`.length, end: `${prefix}第${i}句：新华社北京`.length, type: 'LOC', text: '北京' }] }));
  await writeFile(file, lines.join('\n') + '\n');
}

export async function startOrchestratorFixture(opts: { env: (dir: string) => Record<string, string>; overrides?: OrchestratorOverrides; prepare?: (dir: string) => Promise<void> }): Promise<OrchestratorFixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-it-'));
  await opts.prepare?.(dir);
  const topics = testTopics();
  const bus = kafkaBus(topics);
  const database = await freshDatabase();
  const db = await database.open();
  const config = loadConfig(configSpec, { MODELS_DIR: path.join(dir, 'models'), TRAIN_CRON: '', TRAIN_BACKLOG_THRESHOLD: '0', ...opts.env(dir) });
  const service = await startOrchestrator(config, { logger: testLogger, registry: createMetricsRegistry('trainer-orchestrator', { defaultMetrics: false }), bus, topics, db }, opts.overrides);
  return {
    dir,
    topics,
    bus,
    database,
    db,
    service,
    async stop() {
      await service.close().catch(() => undefined);
      await bus.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
