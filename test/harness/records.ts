// Additive harness helpers for the delivery suites (test/bus, test/chaos): an independent
// read_committed reader (kafkajs, whose aborted-transaction filter follows the Java client's), and
// an own broker on another port for tests that stop and start it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describeConsumerGroup } from '@zhner/bus';
import type { Prediction } from '@zhner/contracts';
import { freePort, portFree } from '@zhner/kit';
import { kafkaBrokers, uniqueName } from './infra';

export interface ReadRecord {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  partition: number;
  offset: number;
}

/**
 * Every record of `topic` (from the beginning) that a read_committed consumer sees, once
 * `until(records)` holds or after `timeoutMs`. Waits for the topic to exist.
 */
export async function readCommitted(topic: string, until: (records: ReadRecord[]) => boolean, timeoutMs = 30_000, brokers = kafkaBrokers()): Promise<ReadRecord[]> {
  const kafka = new Kafka({ brokers, clientId: uniqueName('reader-'), logLevel: logLevel.NOTHING });
  const end = Date.now() + timeoutMs;
  const admin = kafka.admin();
  await admin.connect();
  try {
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > end) return [];
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: uniqueName('reader-'), maxWaitTimeInMs: 50, readUncommitted: false });
  const out: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
        out.push({ key: m.key?.toString('utf8') ?? null, value: m.value, headers, partition: batch.partition, offset: Number(m.offset) });
      }
      if (until(out)) done();
    },
  });
  if (until(out)) done();
  const timer = setTimeout(done, Math.max(0, end - Date.now()));
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return out;
}

/** A port for a broker of a test's own, its neighbour free too (the launcher puts the KRaft controller on port + 1). */
export async function freeBrokerPort(): Promise<number> {
  // the OS picks the port (no two concurrent callers get the same one); retried until port + 1 is free too
  for (;;) {
    const p = await freePort();
    if (p < 65535 && (await portFree(p + 1))) return p;
  }
}

export interface OwnBroker {
  brokers: string;
  port: number;
  stop(): void;
  start(): void;
  /** Stops it and deletes its data. */
  destroy(): void;
}

/**
 * A Kafka broker of the test's own (deploy/local/infra.mjs with NER_KAFKA_PORT and NER_DATA_DIR),
 * for tests that stop and start a broker: never the shared one.
 */
export function ownBroker(port: number): OwnBroker {
  const repo = path.resolve(__dirname, '..', '..');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'zhner-own-kafka-'));
  const env = { ...process.env, NER_KAFKA_PORT: String(port), NER_DATA_DIR: dataDir };
  const infra = (cmd: string) => execFileSync(process.execPath, [path.join(repo, 'deploy', 'local', 'infra.mjs'), cmd, 'kafka'], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  return {
    brokers: `127.0.0.1:${port}`,
    port,
    start: () => void infra('up'),
    stop: () => void infra('down'),
    destroy: () => {
      try {
        infra('down');
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Waits until a group is Stable with `members` members that each hold partitions, whichever
 * protocol it uses (KIP-848 consumer groups, or classic ones through kafkajs).
 */
export async function waitForGroupStable(groupId: string, members: number, timeoutMs = 60_000, brokers = kafkaBrokers()): Promise<void> {
  const end = Date.now() + timeoutMs;
  const kafka = new Kafka({ brokers, clientId: uniqueName('admin-'), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (;;) {
      const modern = await describeConsumerGroup(brokers, groupId);
      if (modern) {
        if (modern.state === 'Stable' && modern.members.length === members && modern.members.every((m) => m.partitions > 0 && m.partitions === m.targetPartitions)) return;
      } else {
        const g = (await admin.describeGroups([groupId])).groups[0];
        if (g && g.state === 'Stable' && g.members.length === members && g.members.every((m) => m.memberAssignment.length > 0)) return;
      }
      if (Date.now() > end) throw new Error(`group ${groupId} not stable with ${members} members: ${JSON.stringify(modern)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * A prediction event of 4 tokens at confidence `conf` (every token's entropy from it), with the
 * given embedding; 李鹏 in the text becomes a PER at that confidence. For sampler and queue suites.
 */
export function predictionAt(docId: string, text: string, conf: number, embedding: number[], modelVersion = 'v1'): Prediction {
  const h = -(conf * Math.log(conf) + (1 - conf) * Math.log(1 - conf));
  const name = text.indexOf('李鹏');
  return {
    docId,
    source: 'it',
    text,
    modelVersion,
    labels: ['O', 'B-PER', 'I-PER'],
    tokenCount: 4,
    tokenEntropy: [h, h, h, h],
    tokenConfidence: [conf, conf, conf, conf],
    meanEntropy: h,
    maxEntropy: h,
    bestPathLogProb: 4 * Math.log(conf),
    entityMinMarginal: name >= 0 ? conf : null,
    entities: name >= 0 ? [{ start: name, end: name + 2, cpStart: name, cpEnd: name + 2, type: 'PER', text: '李鹏', score: conf }] : [],
    embedding,
    predictedAt: Date.now(),
  };
}
