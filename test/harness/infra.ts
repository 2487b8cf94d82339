// Helpers for integration suites: unique names, a fresh database per suite, a Kafka bus on the
// harness broker, and a raw reader for asserting what landed on a topic.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { Client } from 'pg';
import { createTopics, type Topics } from '@zhner/contracts';
import { KafkaBus, createBusMetrics } from '@zhner/bus';
import { createLogger, type Logger, Registry } from '@zhner/kit';

/** A TCP port free on 127.0.0.1 right now (for services a test starts on their own ports). */
export { freePort } from '@zhner/kit';
import { createPostgresClient, migrate, type SqlClient } from '@zhner/store';

export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function kafkaBrokers(): string[] {
  const b = process.env.KAFKA_BROKERS;
  if (!b) throw new Error('KAFKA_BROKERS is not set: the integration globalSetup did not run');
  return b.split(',');
}

export function databaseUrl(): string {
  const u = process.env.DATABASE_URL;
  if (!u) throw new Error('DATABASE_URL is not set: the integration globalSetup did not run');
  return u;
}

export const testLogger: Logger = createLogger('test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Topics with a random prefix, so suites never see each other's messages. */
export function testTopics(): Topics {
  return createTopics({ prefix: `${uniqueName('t')}.`, partitions: 3 });
}

export function kafkaBus(topics: Topics, opts: { clientId?: string; registry?: Registry; logger?: Logger; sessionTimeoutMs?: number } = {}): KafkaBus {
  return new KafkaBus({
    brokers: kafkaBrokers(),
    clientId: opts.clientId ?? uniqueName('test-'),
    logger: opts.logger ?? testLogger,
    deadLetterTopic: topics.deadLetters,
    metrics: createBusMetrics(opts.registry ?? new Registry()),
    sessionTimeoutMs: opts.sessionTimeoutMs ?? 6000,
  });
}

export interface TestDatabase {
  url: string;
  name: string;
  /** A migrated client on the new database. */
  open(): Promise<SqlClient>;
  drop(): Promise<void>;
}

/** Creates an empty database on the harness PostgreSQL. */
export async function freshDatabase(): Promise<TestDatabase> {
  const name = uniqueName('zt_');
  const admin = new Client({ connectionString: databaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(databaseUrl());
  u.pathname = `/${name}`;
  const url = u.toString();
  const clients: SqlClient[] = [];
  return {
    url,
    name,
    async open() {
      const c = createPostgresClient(url, { max: 5 });
      await migrate(c);
      clients.push(c);
      return c;
    },
    async drop() {
      await Promise.allSettled(clients.map((c) => c.close()));
      const a = new Client({ connectionString: databaseUrl() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** Reads every message of `topic` from the beginning until `until(messages)` holds or the timeout. */
export async function readTopic(topic: string, until: (msgs: KafkaMessage[]) => boolean, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const kafka = new Kafka({ brokers: kafkaBrokers(), clientId: uniqueName('reader-'), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('reader-'), maxWaitTimeInMs: 100 });
  const msgs: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  await consumer.run({
    eachMessage: async ({ message }) => {
      msgs.push(message);
      if (until(msgs)) resolveDone();
    },
  });
  let timeout: NodeJS.Timeout | undefined;
  const timer = new Promise<void>((r) => (timeout = setTimeout(r, timeoutMs)));
  await Promise.race([done, timer]);
  clearTimeout(timeout);
  await consumer.disconnect();
  return msgs;
}

/** Committed offsets of a group on a topic, by partition (-1 = none). */
export async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
  const kafka = new Kafka({ brokers: kafkaBrokers(), clientId: uniqueName('admin-'), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const res = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(res[0].partitions.map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Command and leading arguments that run a TypeScript file in ONE process (`node --import tsx`).
 * The `tsx` binary is a wrapper that starts a second node process: a SIGKILL to the wrapper left
 * the real process running (a "crash" that was not one, and orphans after the suite).
 */
export function tsNode(file: string): { cmd: string; args: string[] } {
  return { cmd: process.execPath, args: ['--import', 'tsx', file] };
}
