#!/usr/bin/env node
// Local launchers for machines without Docker: a single-node Apache Kafka (KRaft) run from Maven
// Central jars with `java`, and a PostgreSQL cluster from Debian's binaries. Both keep their data
// under one directory (NER_DATA_DIR, default <repo>/.data) that can simply be deleted.
//
//   node deploy/local/infra.mjs up [kafka|postgres]     start (idempotent) and wait until ready
//   node deploy/local/infra.mjs down [kafka|postgres]   stop
//   node deploy/local/infra.mjs status                  print state and connection settings
//   node deploy/local/infra.mjs env                     print KAFKA_BROKERS=... DATABASE_URL=... lines
//
// No npm dependency: this runs before `npm ci` has necessarily happened.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, openSync, readdirSync, chownSync, statSync } from 'node:fs';
import net from 'node:net';

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const dataDir = path.resolve(process.env.NER_DATA_DIR ?? path.join(repo, '.data'));
const kafkaPort = Number(process.env.NER_KAFKA_PORT ?? 19092);
const controllerPort = kafkaPort + 1;
const pgPort = Number(process.env.NER_PG_PORT ?? 55432);
const PG_USER = 'ner';
const PG_PASSWORD = 'ner';
const PG_DB = 'ner';

export const settings = {
  kafkaBrokers: `127.0.0.1:${kafkaPort}`,
  databaseUrl: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${pgPort}/${PG_DB}`,
};

const log = (msg) => process.stderr.write(`[infra] ${msg}\n`);

function fail(msg) {
  log(`error: ${msg}`);
  process.exit(1);
}

function portOpen(port, host = '127.0.0.1', timeoutMs = 500) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function aptInstall(pkgs) {
  if (!isRoot || !have('apt-get')) {
    fail(`missing ${pkgs.join(', ')}; install them (e.g. sudo apt-get install -y ${pkgs.join(' ')}) and run again`);
  }
  log(`installing ${pkgs.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 2, 2], env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: ['ignore', 2, 2], env });
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 2, 2], env });
  }
  if (r.status !== 0) fail(`apt-get install ${pkgs.join(' ')} failed`);
}

// ---------------------------------------------------------------- Kafka

const kafkaDir = path.join(dataDir, 'kafka');
const kafkaPidFile = path.join(kafkaDir, 'kafka.pid');
const kafkaLogDir = path.join(kafkaDir, 'logs');

function kafkaClasspath() {
  const pom = path.join(here, 'kafka', 'pom.xml');
  const cpFile = path.join(kafkaDir, 'classpath.txt');
  const pomStamp = statSync(pom).mtimeMs;
  if (existsSync(cpFile)) {
    const cp = readFileSync(cpFile, 'utf8').trim();
    const stampFile = `${cpFile}.stamp`;
    const fresh = existsSync(stampFile) && Number(readFileSync(stampFile, 'utf8')) === pomStamp;
    if (fresh && cp.split(':').every((j) => existsSync(j))) return cp;
  }
  if (!have('java')) aptInstall(['openjdk-17-jre-headless']);
  if (!have('mvn')) aptInstall(['maven']);
  log('resolving Kafka jars from Maven Central (cached in ~/.m2)');
  const r = spawnSync('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`], {
    // stdout is reserved for the KEY=value lines callers parse: the children's chatter goes to stderr
    stdio: ['ignore', 2, 2],
  });
  if (r.status !== 0) fail('maven could not resolve org.apache.kafka:kafka_2.13 (see output above)');
  writeFileSync(`${cpFile}.stamp`, String(pomStamp));
  return readFileSync(cpFile, 'utf8').trim();
}

function kafkaRunningPid() {
  if (!existsSync(kafkaPidFile)) return null;
  const pid = Number(readFileSync(kafkaPidFile, 'utf8'));
  return pid && pidAlive(pid) ? pid : null;
}

async function kafkaUp() {
  mkdirSync(kafkaLogDir, { recursive: true });
  const running = kafkaRunningPid();
  if (running && (await portOpen(kafkaPort))) {
    log(`kafka already running (pid ${running}) on ${settings.kafkaBrokers}`);
    return;
  }
  if (!running && (await portOpen(kafkaPort))) {
    fail(`port ${kafkaPort} is taken by another process; set NER_KAFKA_PORT or KAFKA_BROKERS to use it`);
  }
  const cp = kafkaClasspath();
  const props = path.join(kafkaDir, 'server.properties');
  const metaDir = path.join(kafkaDir, 'kraft-data');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${kafkaPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${kafkaPort}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${metaDir}`,
      // single node: every internal topic has one replica
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=10',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'num.partitions=3',
      // services create their topics explicitly; a typo must fail, not create a topic
      'auto.create.topics.enable=false',
      'group.initial.rebalance.delay.ms=0',
      // consumer groups of the broker-side protocol (KIP-848, the default of KAFKA_GROUP_PROTOCOL):
      // a killed member's partitions move once its session times out (Kafka's default and floor are
      // 45 s), and members learn of new assignments on their heartbeat (default every 5 s); locally
      // both are shortened so a killed or added tagger replica is noticed within seconds
      'group.consumer.session.timeout.ms=10000',
      'group.consumer.min.session.timeout.ms=6000',
      'group.consumer.heartbeat.interval.ms=1000',
      'group.consumer.min.heartbeat.interval.ms=500',
      // exactly-once tagging: the open transaction of a killed replica is aborted after its
      // timeout (KAFKA_TRANSACTION_TIMEOUT); the broker looks for timed-out ones this often
      'transaction.abort.timed.out.transaction.cleanup.interval.ms=2000',
      'log.retention.hours=168',
      'log.segment.bytes=104857600',
      '',
    ].join('\n'),
  );
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const jvm = [
    '-Xms256m',
    '-Xmx768m',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${kafkaLogDir}`,
    `-Dlog4j2.configurationFile=${path.join(here, 'kafka', 'log4j2.properties')}`,
    '-cp',
    cp,
  ];
  if (!existsSync(path.join(metaDir, 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    log(`formatting KRaft storage in ${metaDir}`);
    const r = spawnSync(java, [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props], {
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    if (r.status !== 0) fail(`kafka storage format failed:\n${r.stdout}\n${r.stderr}`);
  }
  const out = openSync(path.join(kafkaLogDir, 'stdout.log'), 'a');
  const child = spawn(java, [...jvm, 'kafka.Kafka', props], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  writeFileSync(kafkaPidFile, String(child.pid));
  log(`starting kafka (pid ${child.pid}), logs in ${kafkaLogDir}`);
  const serverLog = path.join(kafkaLogDir, 'server.log');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (!pidAlive(child.pid)) fail(`kafka exited during start-up; see ${kafkaLogDir}/stdout.log and server.log`);
    const started = existsSync(serverLog) && /Kafka Server started|\[KafkaRaftServer nodeId=1\] Kafka Server started/.test(readFileSync(serverLog, 'utf8').slice(-200_000));
    if (started && (await portOpen(kafkaPort))) {
      log(`kafka ready on ${settings.kafkaBrokers}`);
      return;
    }
    await sleep(500);
  }
  fail(`kafka did not become ready within 120 s; see ${serverLog}`);
}

async function kafkaDown() {
  const pid = kafkaRunningPid();
  if (!pid) {
    log('kafka is not running');
    return;
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 60 && pidAlive(pid); i++) await sleep(500);
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(kafkaPidFile, { force: true });
  log('kafka stopped');
}

// ---------------------------------------------------------------- PostgreSQL

const pgDir = path.join(dataDir, 'postgres');
const pgData = path.join(pgDir, 'data');

function pgBinDir() {
  const base = '/usr/lib/postgresql';
  const find = () =>
    existsSync(base)
      ? readdirSync(base)
          .filter((v) => existsSync(path.join(base, v, 'bin', 'initdb')))
          .sort((a, b) => Number(b) - Number(a))
      : [];
  let versions = find();
  if (versions.length === 0) {
    aptInstall(['postgresql']);
    versions = find();
  }
  if (versions.length === 0) fail('PostgreSQL binaries not found under /usr/lib/postgresql after install');
  return path.join(base, versions[0], 'bin');
}

// As root the server must run as an unprivileged user: Debian's `postgres`.
function pgExec(bin, args, opts = {}) {
  const cmd = isRoot ? 'runuser' : bin;
  const full = isRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
  return spawnSync(cmd, full, { encoding: 'utf8', ...opts });
}

async function pgReady(bin) {
  const r = pgExec(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(pgPort)]);
  return r.status === 0;
}

async function postgresUp() {
  const bin = pgBinDir();
  mkdirSync(pgDir, { recursive: true });
  if (isRoot) {
    const pw = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(pgDir, Number(pw), Number(gid));
  }
  if (await pgReady(bin)) {
    log(`postgres already running on 127.0.0.1:${pgPort}`);
  } else {
    if (await portOpen(pgPort)) fail(`port ${pgPort} is taken by another process; set NER_PG_PORT or DATABASE_URL`);
    if (!existsSync(path.join(pgData, 'PG_VERSION'))) {
      log(`initialising a cluster in ${pgData}`);
      const pwFile = path.join(pgDir, 'pwfile');
      writeFileSync(pwFile, `${PG_PASSWORD}\n`, { mode: 0o644 });
      const r = pgExec(path.join(bin, 'initdb'), [
        '-D', pgData, '-U', PG_USER, '--pwfile', pwFile, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8',
      ]);
      rmSync(pwFile, { force: true });
      if (r.status !== 0) fail(`initdb failed:\n${r.stdout}\n${r.stderr}`);
    }
    const opts = `-p ${pgPort} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${pgDir} -c max_connections=200 -c fsync=off -c shared_buffers=128MB`;
    const r = pgExec(path.join(bin, 'pg_ctl'), ['-D', pgData, '-l', path.join(pgDir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
    if (r.status !== 0) fail(`pg_ctl start failed:\n${r.stdout}\n${r.stderr}\nsee ${path.join(pgDir, 'server.log')}`);
    for (let i = 0; i < 60 && !(await pgReady(bin)); i++) await sleep(500);
    if (!(await pgReady(bin))) fail('postgres did not become ready');
    log(`postgres ready on 127.0.0.1:${pgPort}`);
  }
  // the initdb superuser owns database `postgres`; create ours once
  const psql = pgExec(path.join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', PG_USER, '-d', 'postgres', '-tAc', `SELECT 1 FROM pg_database WHERE datname='${PG_DB}'`], {
    env: { ...process.env, PGPASSWORD: PG_PASSWORD },
  });
  if (psql.status !== 0) fail(`cannot connect to postgres as ${PG_USER}: ${psql.stderr}`);
  if (psql.stdout.trim() !== '1') {
    const c = pgExec(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', PG_USER, PG_DB], {
      env: { ...process.env, PGPASSWORD: PG_PASSWORD },
    });
    if (c.status !== 0) fail(`createdb ${PG_DB} failed: ${c.stderr}`);
  }
}

async function postgresDown() {
  const bin = pgBinDir();
  if (!(await pgReady(bin))) {
    log('postgres is not running');
    return;
  }
  const r = pgExec(path.join(bin, 'pg_ctl'), ['-D', pgData, '-m', 'fast', '-w', 'stop']);
  if (r.status !== 0) fail(`pg_ctl stop failed: ${r.stderr}`);
  log('postgres stopped');
}

// ---------------------------------------------------------------- CLI

async function main() {
  const [cmd = 'status', which] = process.argv.slice(2);
  const wantKafka = !which || which === 'kafka';
  const wantPg = !which || which === 'postgres';
  if (which && !['kafka', 'postgres'].includes(which)) fail(`unknown service "${which}": use kafka or postgres`);
  switch (cmd) {
    case 'up':
      if (wantPg) await postgresUp();
      if (wantKafka) await kafkaUp();
      log(`data under ${dataDir}; stop with: node deploy/local/infra.mjs down (delete ${dataDir} to wipe)`);
      if (wantKafka) process.stdout.write(`KAFKA_BROKERS=${settings.kafkaBrokers}\n`);
      if (wantPg) process.stdout.write(`DATABASE_URL=${settings.databaseUrl}\n`);
      break;
    case 'down':
      if (wantKafka) await kafkaDown();
      if (wantPg) await postgresDown();
      break;
    case 'status': {
      const k = (await portOpen(kafkaPort)) ? 'up' : 'down';
      const p = (await portOpen(pgPort)) ? 'up' : 'down';
      process.stdout.write(`kafka ${k} ${settings.kafkaBrokers}\npostgres ${p} ${settings.databaseUrl}\ndata ${dataDir}\n`);
      break;
    }
    case 'env':
      process.stdout.write(`KAFKA_BROKERS=${settings.kafkaBrokers}\nDATABASE_URL=${settings.databaseUrl}\n`);
      break;
    default:
      fail(`unknown command "${cmd}": use up, down, status or env`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => fail(err?.stack ?? String(err)));
}

