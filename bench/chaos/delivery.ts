// `npm run chaos:delivery -- [--docs N] [--kills K] [--scale 1,3,1] [--delivery exactly-once|at-least-once]`
//
// Streams N documents of the shared corpus through real tagger processes (services/tagger/src/main.ts,
// one process per replica, one consumer group) on the broker at KAFKA_BROKERS, SIGKILLs a replica K
// times (each killed replica is restarted at once with the same REPLICA_ID) and scales the group as
// given, while a read_committed consumer of its own (kafkajs: an independent implementation of the
// aborted-transaction filter) reads ner.entities.v1. Events happen one every --spacing (default:
// the broker's consumer-group session timeout + 3 heartbeats + 5 s, so the group settles between
// two), documents are produced at a steady rate over that whole time.
//
// The LAST line on stdout is one JSON object:
//   docs, delivered, missing, duplicates     what the reader saw (distinct document ids)
//   max_gap_ms                               longest pause between two entity events in the windows of
//                                            the scale steps (from each step to one spacing later)
//   max_gap_ms_kills, max_gap_ms_overall     the same around the kills, and over the whole stream
//   kills, rebalances                        kills done; group epoch bumps (KIP-848) or assignment
//                                            changes the replicas reported (classic)
//   client, delivery, docs_per_s             KAFKA_CLIENT, KAFKA_DELIVERY, delivered / elapsed
// and the settings and machine. Exit code 1 when a document is missing, or duplicated under exactly-once.
//
// Other options: --client platformatic|kafkajs, --group-protocol consumer|classic, --partitions P (6),
// --spacing S (seconds), --seed N (1), --model DIR, --timeout S (600), --brokers host:port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describeConsumerGroup, KafkaBus, loadPlatformaticKafka } from '@zhner/bus';
import { consumerGroup, createTopics, type RawText } from '@zhner/contracts';
import { describeMachine, machineInfo } from '@zhner/core';
import { createLogger, freePort } from '@zhner/kit';
import { deliveryStats, planChaos, type Arrival } from './plan';

const REPO = path.resolve(__dirname, '..', '..');
const say = (msg: string) => process.stderr.write(`[chaos] ${new Date().toISOString().slice(11, 23)} ${msg}\n`);

interface Options {
  docs: number;
  kills: number;
  scale: number[];
  delivery: 'exactly-once' | 'at-least-once';
  client: 'platformatic' | 'kafkajs';
  groupProtocol: 'consumer' | 'classic';
  partitions: number;
  spacingMs: number | null;
  seed: number;
  model: string | null;
  timeoutMs: number;
  brokers: string[];
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, def: number, min = 0) => {
    const v = get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], def: T): T => {
    const v = get(name) ?? def;
    if (!allowed.includes(v as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got ${v}`);
    return v as T;
  };
  return {
    docs: int('docs', 10_000, 1),
    kills: int('kills', 3),
    scale: (get('scale') ?? '1,3,1').split(',').map(Number),
    delivery: oneOf('delivery', ['exactly-once', 'at-least-once'] as const, 'exactly-once'),
    client: oneOf('client', ['platformatic', 'kafkajs'] as const, 'platformatic'),
    groupProtocol: oneOf('group-protocol', ['consumer', 'classic'] as const, 'consumer'),
    partitions: int('partitions', 6, 1),
    spacingMs: get('spacing') === undefined ? null : int('spacing', 15, 1) * 1000,
    seed: int('seed', 1),
    model: get('model') ?? null,
    timeoutMs: int('timeout', 600, 10) * 1000,
    brokers: (get('brokers') ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
  };
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
  });
}

/** The broker's consumer-group session timeout and heartbeat interval (KIP-848 groups), in ms. */
async function groupTimings(brokers: string[]): Promise<{ sessionMs: number; heartbeatMs: number }> {
  const pk = await loadPlatformaticKafka();
  const admin = new pk.Admin({ clientId: 'chaos-admin', bootstrapBrokers: brokers });
  try {
    const md = await admin.metadata({ topics: [] });
    const node = [...md.brokers.keys()][0];
    const [desc] = await admin.describeConfigs({ resources: [{ resourceType: 4, resourceName: String(node), configurationKeys: ['group.consumer.session.timeout.ms', 'group.consumer.heartbeat.interval.ms'] }] } as never);
    const value = (k: string, def: number) => Number(desc?.configs.find((c) => c.name === k)?.value ?? def);
    return { sessionMs: value('group.consumer.session.timeout.ms', 45_000), heartbeatMs: value('group.consumer.heartbeat.interval.ms', 5000) };
  } catch {
    return { sessionMs: 45_000, heartbeatMs: 5000 };
  } finally {
    await admin.close();
  }
}

class Replica {
  child: ChildProcess | undefined;
  port = 0;
  exited: Promise<void> = Promise.resolve();
  /** Last zhner_bus_rebalances_total and transactions aborted scraped from this process. */
  rebalances = 0;
  aborted = 0;
  private stopping = false;

  constructor(
    readonly id: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    /** Called when the process exits without being told to. */
    private readonly onCrash: (r: Replica, code: number | null) => void,
  ) {}

  async start(incarnation: number): Promise<void> {
    this.port = await freePort();
    const log = createWriteStream(path.join(this.logDir, `${this.id}-${incarnation}.log`));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'services', 'tagger', 'src', 'main.ts')], {
      cwd: REPO,
      env: { ...process.env, ...this.env, REPLICA_ID: this.id, PORT: String(this.port), HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
    this.exited = new Promise((r) =>
      child.once('exit', (code) => {
        if (!this.stopping) this.onCrash(this, code);
        r();
      }),
    );
  }

  /** Resolves true once /readyz answers 200, false when the replica was stopped first. */
  async ready(timeoutMs = 180_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.stopping) return false;
      if (this.child?.exitCode !== null) throw new Error(`replica ${this.id} exited during start (see its log)`);
      if ((await get(`http://127.0.0.1:${this.port}/readyz`)).status === 200) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`replica ${this.id} not ready within ${timeoutMs} ms`);
  }

  async scrape(group: string): Promise<void> {
    const { status, body } = await get(`http://127.0.0.1:${this.port}/metrics`);
    if (status !== 200) return;
    const sum = (name: string, filter: RegExp) =>
      body
        .split('\n')
        .filter((l) => l.startsWith(name) && filter.test(l))
        .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const g = new RegExp(`group="${group.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`);
    this.rebalances = sum('zhner_bus_rebalances_total', g);
    this.aborted = sum('zhner_bus_transactions_total', /result="aborted"/);
  }

  /** Whether the last SIGTERM had to be followed by a SIGKILL (the replica did not stop within 60 s). */
  unclean = false;

  async kill(signal: NodeJS.Signals): Promise<void> {
    this.stopping = true;
    this.child?.kill(signal);
    if (signal !== 'SIGTERM') return this.exited;
    const t = setTimeout(() => {
      this.unclean = true;
      this.child?.kill('SIGKILL');
    }, 60_000);
    await this.exited;
    clearTimeout(t);
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const logger = createLogger('chaos', { level: process.env.LOG_LEVEL ?? 'warn' });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logDir = path.join(REPO, 'artifacts', 'chaos', stamp);
  mkdirSync(logDir, { recursive: true });
  const timings = await groupTimings(o.brokers);
  const spacingMs = o.spacingMs ?? timings.sessionMs + 3 * timings.heartbeatMs + 5000;
  const { events, durationMs } = planChaos({ scale: o.scale, kills: o.kills, spacingMs, seed: o.seed });
  say(`machine: ${describeMachine()}`);
  say(`${o.docs} docs over ${durationMs / 1000} s, scale ${o.scale.join('→')}, ${o.kills} kills, one event every ${spacingMs / 1000} s (broker session timeout ${timings.sessionMs} ms, heartbeat ${timings.heartbeatMs} ms); ${o.client}, ${o.delivery}; logs in ${path.relative(REPO, logDir)}`);

  const prefix = `chaos${Date.now().toString(36)}.`;
  const topics = createTopics({ prefix, partitions: o.partitions });
  const group = consumerGroup(topics, 'tagger');
  const bus = new KafkaBus({ brokers: o.brokers, clientId: `chaos-producer-${process.pid}`, logger, deadLetterTopic: topics.deadLetters });
  await bus.ensureTopics([topics.rawText, topics.entities, topics.predictions, topics.deadLetters, topics.replicaCommands, topics.replicaHeartbeats]);

  // the documents: the corpus cycled, unique ids
  const corpus = path.join(process.env.ZHNER_DATA_ROOT ?? path.resolve(REPO, '..', 'shared', 'data'), 'peoples_daily', 'dev.jsonl');
  if (!existsSync(corpus)) throw new Error(`corpus ${corpus} not found (set ZHNER_DATA_ROOT)`);
  const texts = readFileSync(corpus, 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { text: string }).text).filter((t) => t.length > 0);
  const docs: RawText[] = Array.from({ length: o.docs }, (_, i) => ({ id: `chaos-${i}`, text: texts[i % texts.length], source: 'chaos', publishedAt: null, metadata: {} }));
  const expected = new Set(docs.map((d) => d.id));

  // the read_committed reader of ner.entities.v1, joined before anything is produced
  const arrivals: Arrival[] = [];
  const kafka = new Kafka({ brokers: o.brokers, clientId: `chaos-reader-${process.pid}`, logLevel: logLevel.NOTHING });
  const reader = kafka.consumer({ groupId: `${prefix}reader`, maxWaitTimeInMs: 50, readUncommitted: false });
  await reader.connect();
  await reader.subscribe({ topic: topics.entities.name, fromBeginning: true });
  const joined = new Promise<void>((r) => reader.on(reader.events.GROUP_JOIN, () => r()));
  await reader.run({
    eachBatch: async ({ batch }) => {
      const at = Date.now();
      for (const m of batch.messages) arrivals.push({ docId: m.key!.toString(), atMs: at });
    },
  });
  await joined;

  const env: Record<string, string> = {
    BUS: 'kafka',
    KAFKA_BROKERS: o.brokers.join(','),
    KAFKA_CLIENT: o.client,
    KAFKA_DELIVERY: o.delivery,
    KAFKA_GROUP_PROTOCOL: o.groupProtocol,
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: String(o.partitions),
    PGLITE_DIR: 'memory',
    LOG_LEVEL: process.env.REPLICA_LOG_LEVEL ?? 'warn',
    TAGGER_CACHE_SIZE: '0',
    TAGGER_HEARTBEAT_INTERVAL: '5s',
    ...(o.model ? { MODEL_DIR: path.resolve(o.model) } : {}),
  };
  const replicas: Replica[] = [];
  const incarnations = new Map<string, number>();
  let nextId = 0;
  let crashes = 0;
  const onCrash = (r: Replica, code: number | null) => {
    // not part of the plan: the replica is replaced, and the run says so
    crashes++;
    say(`${r.id} exited by itself (code ${code}); restarting it (see its log in ${path.relative(REPO, logDir)})`);
    const i = replicas.indexOf(r);
    if (i >= 0) replicas.splice(i, 1);
    void new Promise((w) => setTimeout(w, 1000))
      .then(() => startReplica(r.id))
      .then((again) => again.ready())
      .catch((err: unknown) => say(String(err)));
  };
  const startReplica = async (id = `chaos-r${nextId++}`): Promise<Replica> => {
    const r = new Replica(id, env, logDir, onCrash);
    const n = (incarnations.get(id) ?? 0) + 1;
    incarnations.set(id, n);
    await r.start(n);
    replicas.push(r);
    return r;
  };
  const scraper = setInterval(() => void Promise.all(replicas.map((r) => r.scrape(group))), 2000);

  say(`starting ${o.scale[0]} replica(s)`);
  const first = await Promise.all(Array.from({ length: o.scale[0] }, () => startReplica()));
  await Promise.all(first.map((r) => r.ready()));
  const epochAtStart = (await describeConsumerGroup(o.brokers, group))?.epoch ?? null;
  let rebalancesGone = 0; // counters of processes that are gone
  let abortedGone = 0;
  let uncleanStops = 0;
  const retire = async (r: Replica, signal: NodeJS.Signals) => {
    await r.scrape(group);
    rebalancesGone += r.rebalances;
    abortedGone += r.aborted;
    replicas.splice(replicas.indexOf(r), 1);
    await r.kill(signal);
    if (r.unclean) {
      uncleanStops++;
      say(`${r.id} did not stop within 60 s of SIGTERM: killed (see its log)`);
    }
  };

  // produce at a steady rate over the planned duration; the events fire on schedule meanwhile
  const started = Date.now();
  const tickMs = 100;
  let produced = 0;
  let producedAt = started;
  const producing = (async () => {
    while (produced < docs.length) {
      // evenly over the planned duration: the last document goes out as the last window closes
      const due = Math.min(docs.length, Math.floor((docs.length * (Date.now() - started + tickMs)) / durationMs));
      if (due > produced) {
        await bus.publish(topics.rawText, docs.slice(produced, due).map((value) => ({ value })));
        produced = due;
        producedAt = Date.now();
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
  })();
  let kills = 0;
  const timeline: string[] = [];
  const windows = { scale: [] as Array<{ fromMs: number; toMs: number }>, kill: [] as Array<{ fromMs: number; toMs: number }> };
  const running = async () => {
    for (const e of events) {
      const wait = started + e.atMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const at = Date.now();
      timeline.push(`${Math.round((at - started) / 100) / 10}s ${e.kind === 'kill' ? 'kill' : `scale→${e.to}`}`);
      if (e.kind === 'kill') {
        const victim = replicas[Math.min(replicas.length - 1, Math.floor(e.pick * replicas.length))];
        say(`SIGKILL ${victim.id} (${replicas.length} running)`);
        await retire(victim, 'SIGKILL');
        kills++;
        windows.kill.push({ fromMs: at, toMs: at + spacingMs });
        const again = await startReplica(victim.id);
        void again.ready().then((ok) => ok && say(`${again.id} back`), (err: unknown) => say(String(err)));
      } else {
        windows.scale.push({ fromMs: at, toMs: at + spacingMs });
        if (e.to > replicas.length) {
          say(`scale ${replicas.length} → ${e.to}`);
          const added = await Promise.all(Array.from({ length: e.to - replicas.length }, () => startReplica()));
          void Promise.all(added.map((r) => r.ready())).then((ok) => ok.every(Boolean) && say(`${added.map((r) => r.id).join(', ')} ready`), (err: unknown) => say(String(err)));
        } else if (e.to < replicas.length) {
          say(`scale ${replicas.length} → ${e.to}`);
          await Promise.all(replicas.slice(e.to).map((r) => retire(r, 'SIGTERM')));
        }
      }
    }
  };
  await Promise.all([producing, running()]);
  say(`all ${docs.length} produced; waiting for every entity event`);
  const deadline = Date.now() + o.timeoutMs;
  const distinct = () => new Set(arrivals.map((a) => a.docId)).size;
  while (distinct() < expected.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  await new Promise((r) => setTimeout(r, 3000)); // a late duplicate would arrive here
  const finished = arrivals.length ? Math.max(...arrivals.map((a) => a.atMs)) : Date.now();
  const epochAtEnd = (await describeConsumerGroup(o.brokers, group))?.epoch ?? null;
  clearInterval(scraper);
  await Promise.all(replicas.map((r) => r.scrape(group)));
  const aborted = abortedGone + replicas.reduce((n, r) => n + r.aborted, 0);
  const reported = rebalancesGone + replicas.reduce((n, r) => n + r.rebalances, 0);
  await Promise.all([...replicas].map((r) => r.kill('SIGTERM')));
  await reader.disconnect();
  await bus.close();

  // pauses count while documents are still being produced (after the last one, arrivals stop by design)
  const clip = (ws: Array<{ fromMs: number; toMs: number }>) => ws.map((w) => ({ fromMs: w.fromMs, toMs: Math.min(w.toMs, producedAt) })).filter((w) => w.toMs > w.fromMs);
  const overall = deliveryStats(expected, arrivals, clip([{ fromMs: started + 1000, toMs: started + durationMs }]));
  const scaleStats = deliveryStats(expected, arrivals, clip(windows.scale));
  const killStats = deliveryStats(expected, arrivals, clip(windows.kill));
  const result = {
    docs: o.docs,
    delivered: overall.delivered,
    missing: overall.missing,
    duplicates: overall.duplicates,
    max_gap_ms: scaleStats.maxGapMs,
    max_gap_ms_kills: killStats.maxGapMs,
    max_gap_ms_overall: overall.maxGapMs,
    // when the longest pauses began (seconds after the first document), beside the events
    max_gap_at_s: scaleStats.maxGapAtMs === null ? null : Math.round((scaleStats.maxGapAtMs - started) / 100) / 10,
    max_gap_overall_at_s: overall.maxGapAtMs === null ? null : Math.round((overall.maxGapAtMs - started) / 100) / 10,
    events: timeline,
    kills,
    rebalances: epochAtStart !== null && epochAtEnd !== null ? epochAtEnd - epochAtStart : reported,
    rebalances_source: epochAtStart !== null && epochAtEnd !== null ? 'group epoch (KIP-848)' : 'zhner_bus_rebalances_total of the replicas',
    transactions_aborted: aborted,
    unplanned_crashes: crashes,
    unclean_stops: uncleanStops,
    client: o.client,
    delivery: o.delivery,
    group_protocol: o.groupProtocol,
    docs_per_s: Math.round((overall.delivered / Math.max(1, finished - started)) * 1000 * 10) / 10,
    produce_rate_docs_per_s: Math.round((o.docs / durationMs) * 1000 * 10) / 10,
    scale: o.scale,
    partitions: o.partitions,
    spacing_ms: spacingMs,
    broker_session_timeout_ms: timings.sessionMs,
    duration_s: Math.round((finished - started) / 100) / 10,
    machine: machineInfo(),
  };
  say(`delivered ${result.delivered}/${result.docs}, missing ${result.missing}, duplicates ${result.duplicates}, max gap (scale steps) ${result.max_gap_ms} ms, after kills ${result.max_gap_ms_kills} ms`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = result.missing > 0 || (o.delivery === 'exactly-once' && result.duplicates > 0) ? 1 : 0;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`[chaos] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
