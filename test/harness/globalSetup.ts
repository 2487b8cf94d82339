// Brings up the real infrastructure the integration suites need, in this order of preference:
//   1. KAFKA_BROKERS and DATABASE_URL already set (an external broker and database): use them;
//   2. a Docker engine answers: testcontainers (Kafka in KRaft mode, PostgreSQL);
//   3. otherwise the local launchers (deploy/local/infra.mjs: Kafka from Maven jars, Debian PostgreSQL).
// Under CI=true a service that cannot be reached is a failure, never a skip.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '@zhner/kit';

const repo = path.resolve(__dirname, '..', '..');

function reachable(hostPort: string, timeoutMs = 1500): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function dockerAvailable(): Promise<boolean> {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<{ kafka: string; db: string; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const port = await freePort();
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://localhost:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const pg = await new GenericContainer('postgres:16')
    .withEnvironment({ POSTGRES_USER: 'ner', POSTGRES_PASSWORD: 'ner', POSTGRES_DB: 'ner' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return {
    kafka: `127.0.0.1:${port}`,
    db: `postgres://ner:ner@${pg.getHost()}:${pg.getMappedPort(5432)}/ner`,
    stop: async () => {
      await Promise.allSettled([kafka.stop(), pg.stop()]);
    },
  };
}

function startLocal(): { kafka: string; db: string } {
  const out = execFileSync(process.execPath, [path.join(repo, 'deploy', 'local', 'infra.mjs'), 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
  const kafka = /KAFKA_BROKERS=(\S+)/.exec(out)?.[1];
  const db = /DATABASE_URL=(\S+)/.exec(out)?.[1];
  if (!kafka || !db) throw new Error(`deploy/local/infra.mjs up did not print KAFKA_BROKERS and DATABASE_URL; it printed: ${JSON.stringify(out)}`);
  return { kafka, db };
}

export default async function globalSetup(): Promise<void> {
  const strict = process.env.CI === 'true';
  let kafka = process.env.KAFKA_BROKERS;
  let db = process.env.DATABASE_URL;
  let origin = 'environment';
  if (!kafka || !db) {
    if (process.env.NER_TEST_INFRA !== 'local' && (await dockerAvailable())) {
      const c = await startContainers();
      (globalThis as { __zhnerStopContainers?: () => Promise<void> }).__zhnerStopContainers = c.stop;
      kafka ??= c.kafka;
      db ??= c.db;
      origin = 'testcontainers';
    } else {
      const l = startLocal();
      kafka ??= l.kafka;
      db ??= l.db;
      origin = 'local launchers';
    }
  }
  const firstBroker = kafka.split(',')[0];
  const dbHost = new URL(db);
  const problems: string[] = [];
  if (!(await reachable(firstBroker))) problems.push(`Kafka at ${firstBroker} is not reachable`);
  if (!(await reachable(`${dbHost.hostname}:${dbHost.port || 5432}`))) problems.push(`PostgreSQL at ${dbHost.host} is not reachable`);
  if (problems.length) {
    // integration suites need the real services: fail loudly (always under CI=true)
    throw new Error(`integration infrastructure unavailable (${origin}): ${problems.join('; ')}${strict ? ' [CI=true: this is a failure, not a skip]' : ''}`);
  }
  process.env.KAFKA_BROKERS = kafka;
  process.env.DATABASE_URL = db;
  process.env.ZHNER_TEST_INFRA_ORIGIN = origin;
  process.stderr.write(`\n[harness] Kafka ${kafka}, PostgreSQL ${dbHost.host} (${origin})\n`);
}
