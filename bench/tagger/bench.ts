// Tagger benchmark: `npm run bench:tagger [-- --model DIR --docs 2000 --http-seconds 10 ...]`.
//
// Measures on this machine, in one run, with one model directory (default models/zh-ner-default):
//   raw        the runtime alone (no service, no Kafka), on one thread: every text cut into pieces,
//              pieces sorted by length and run TAGGER_BATCH_SIZE at a time (the best an offline
//              batch job can do); INT8 and FP32, plus strict span F1 of both on the dev corpus;
//   batching   the tagger's queue (DynamicBatcher) fed a backlog of the corpus: batching on
//              (TAGGER_BATCH_SIZE, bucketing) vs off (batch size 1);
//   http       the service (in-process bus, inference worker) answering POST /ner with 100-character
//              texts, closed loop at a fixed concurrency from a worker thread: docs/s, p50/p95/p99;
//   kafka      end to end on the broker at KAFKA_BROKERS (one replica, fresh topics, 6 partitions):
//              produce N docs, time until every entity event has been read (read_committed); per
//              Kafka client and delivery mode (--kafka-modes, default platformatic:at-least-once,
//              platformatic:exactly-once, kafkajs:at-least-once), in rounds that alternate with raw
//              runs so all see the same machine load; kafka_docs_per_s / kafka_vs_raw are those of
//              the default mode (KAFKA_CLIENT / KAFKA_DELIVERY defaults), eos_cost = 1 - EOS / ALO;
//   mixed      Kafka latency while POST /ner load runs on the same replica: documents produced at
//              --mixed-kafka-rate docs/s, each timed from its produce to its entity event, with and
//              without the HTTP load (fair sharing between the two origins);
//   pytorch    the same model served like the seed system (PyTorch eager, one request at a time) in
//              the trainer's Python environment (.venv), for ort_vs_pytorch.
// Measurements are medians of --rounds runs (the machine is shared). Human-readable lines go to
// stderr; the LAST line on stdout is one JSON object with every figure.
// Options: --model DIR, --docs N (2000), --dev-docs N (1000), --rounds N (3), --http-seconds S (10),
// --concurrency C (8), --http-text-length L (100), --kafka-docs N (10000), --kafka-rounds N (3),
// --kafka-modes client:delivery,... , --mixed-kafka-rate R (200), --skip-mixed,
// --batch-size B, --threads T, --skip-kafka, --skip-pytorch, --corpus FILE, --dev FILE.
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_CLIENTS, KafkaBus, MemoryBus, busConfigSpec, createBusMetrics, type DeliveryMode, type KafkaClientName } from '@zhner/bus';
import { createTopics, type RawText } from '@zhner/contracts';
import { describeMachine, loadConfig, machineInfo, parseCorpusLine, sha256Hex } from '@zhner/core';
import { createLogger, createMetricsRegistry, type Logger } from '@zhner/kit';
import type { SqlClient } from '@zhner/store';
import { DynamicBatcher, OnnxEngineLoader, configSpec, noMetrics, REPO_ROOT, startTagger, type InferenceEngine, type Precision, type RunningTagger } from '@zhner/tagger';

// ---------------------------------------------------------------------------------------------
// options

interface Options {
  model: string;
  docs: number;
  devDocs: number;
  httpSeconds: number;
  concurrency: number;
  httpTextLength: number;
  kafkaDocs: number;
  kafkaRounds: number;
  kafkaModes: KafkaMode[];
  mixedKafkaRate: number;
  skipMixed: boolean;
  threads: number;
  batchSize: number;
  skipKafka: boolean;
  skipPytorch: boolean;
  rounds: number;
  corpus: string;
  dev: string;
}

interface KafkaMode {
  client: KafkaClientName;
  delivery: DeliveryMode;
}

const modeName = (m: KafkaMode) => `${m.client}:${m.delivery}`;

function parseMode(text: string): KafkaMode {
  const [client, delivery] = text.split(':');
  if (!(KAFKA_CLIENTS as readonly string[]).includes(client) || !['at-least-once', 'exactly-once'].includes(delivery)) {
    throw new Error(`--kafka-modes: ${JSON.stringify(text)} is not client:delivery (clients ${KAFKA_CLIENTS.join(', ')}; delivery at-least-once or exactly-once)`);
  }
  return { client: client as KafkaClientName, delivery: delivery as DeliveryMode };
}

function parseArgs(argv: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, def: number) => {
    const v = get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${v}`);
    return n;
  };
  const dataRoot = process.env.ZHNER_DATA_ROOT ?? path.resolve(REPO_ROOT, '..', 'shared', 'data');
  const docs = num('docs', 2000);
  return {
    model: path.resolve(REPO_ROOT, get('model') ?? process.env.MODEL_DIR ?? 'models/zh-ner-default'),
    docs,
    devDocs: num('dev-docs', 1000),
    httpSeconds: num('http-seconds', 10),
    concurrency: num('concurrency', 8),
    httpTextLength: num('http-text-length', 100),
    kafkaDocs: num('kafka-docs', 10_000),
    kafkaRounds: num('kafka-rounds', 3),
    kafkaModes: (get('kafka-modes') ?? 'platformatic:at-least-once,platformatic:exactly-once,kafkajs:at-least-once').split(',').map(parseMode),
    mixedKafkaRate: num('mixed-kafka-rate', 200),
    skipMixed: argv.includes('--skip-mixed'),
    threads: Number(get('threads') ?? process.env.ORT_INTRA_OP_THREADS ?? 1),
    // the tagger's own default (TAGGER_BATCH_SIZE or its config default), so the bench measures what runs
    batchSize: num('batch-size', loadConfig(configSpec, { TAGGER_BATCH_SIZE: process.env.TAGGER_BATCH_SIZE }).batchSize),
    skipKafka: argv.includes('--skip-kafka'),
    skipPytorch: argv.includes('--skip-pytorch'),
    rounds: num('rounds', 3),
    corpus: get('corpus') ?? path.join(dataRoot, 'peoples_daily', 'dev.jsonl'),
    dev: get('dev') ?? path.join(dataRoot, 'peoples_daily', 'dev.jsonl'),
  };
}

const say = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

interface Gold {
  text: string;
  entities: Array<{ start: number; end: number; type: string }>; // code-point offsets
}

function readCorpus(file: string, limit: number): Gold[] {
  if (!existsSync(file)) throw new Error(`corpus ${file} not found (set ZHNER_DATA_ROOT or --corpus)`);
  const out: Gold[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length && out.length < limit; i++) {
    if (!lines[i].trim()) continue;
    const ex = parseCorpusLine(lines[i], `${file}:${i + 1}`); // the one corpus-line rule
    if (ex.text.length > 0) out.push({ text: ex.text, entities: ex.entities.map(({ start, end, type }) => ({ start, end, type })) });
  }
  return out;
}

/** `count` texts of exactly `len` characters cut from the corpus (news prose, no mid-pair cuts). */
function fixedLengthTexts(corpus: Gold[], len: number, count: number): string[] {
  const all = corpus.map((d) => d.text).join('');
  const out: string[] = [];
  for (let i = 0; out.length < count; i = (i + 37) % Math.max(1, all.length - len)) {
    let t = all.slice(i, i + len);
    if (/[\ud800-\udbff]$/.test(t)) t = all.slice(i, i + len - 1) + '。';
    out.push(t);
  }
  return out;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

// ---------------------------------------------------------------------------------------------
// raw runtime

type Spans = Array<Array<{ cpStart: number; cpEnd: number; type: string }>>;

/**
 * The runtime alone: every text cut into pieces, pieces run `batchSize` at a time, in order of
 * length when `sorted` (the best an offline batch job can do: least padding), else in arrival order.
 */
async function runEngine(engine: InferenceEngine, texts: string[], batchSize: number, sorted = true): Promise<{ seconds: number; spans: Spans }> {
  const started = performance.now();
  const spans: Spans = texts.map(() => []);
  const segs: Array<{ doc: number; text: string; cpOffset: number }> = [];
  texts.forEach((t, doc) => {
    for (const s of engine.plan(t).segments) segs.push({ doc, text: s.text, cpOffset: s.cpStart });
  });
  if (sorted) segs.sort((a, b) => a.text.length - b.text.length);
  for (let i = 0; i < segs.length; i += batchSize) {
    const chunk = segs.slice(i, i + batchSize);
    const preds = await engine.predictBatch(chunk.map((s) => s.text));
    preds.forEach((p, k) => {
      for (const e of p.entities) spans[chunk[k].doc].push({ cpStart: e.cpStart + chunk[k].cpOffset, cpEnd: e.cpEnd + chunk[k].cpOffset, type: e.type });
    });
  }
  return { seconds: (performance.now() - started) / 1000, spans };
}

/** Median of `rounds` measurements taken in turns (the machine is shared: single runs are noisy). */
async function medianOf<K extends string>(rounds: number, fns: Record<K, () => Promise<number>>): Promise<Record<K, number>> {
  const all = {} as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const k of Object.keys(fns) as K[]) (all[k] ??= []).push(await fns[k]());
  }
  const out = {} as Record<K, number>;
  for (const k of Object.keys(all) as K[]) {
    const xs = [...all[k]].sort((a, b) => a - b);
    out[k] = xs[Math.floor(xs.length / 2)];
  }
  return out;
}

function strictF1(gold: Gold[], pred: Array<Array<{ cpStart: number; cpEnd: number; type: string }>>): number {
  let tp = 0;
  let np = 0;
  let ng = 0;
  gold.forEach((g, i) => {
    const gs = new Set(g.entities.map((e) => `${e.start}:${e.end}:${e.type}`));
    const ps = new Set(pred[i].map((e) => `${e.cpStart}:${e.cpEnd}:${e.type}`));
    ng += gs.size;
    np += ps.size;
    for (const k of ps) if (gs.has(k)) tp++;
  });
  const p = np ? tp / np : 0;
  const r = ng ? tp / ng : 0;
  return p + r ? (2 * p * r) / (p + r) : 0;
}

// ---------------------------------------------------------------------------------------------
// batching on/off through the tagger's queue

async function queueThroughput(engine: InferenceEngine, texts: string[], opts: { batchSize: number; window: number; maxTokens: number; inflight: number }): Promise<number> {
  const source = { engine, acquire: () => ({ engine, release: () => undefined }) };
  const b = new DynamicBatcher(source, { maxBatchSize: opts.batchSize, maxWaitMs: 5, maxTokensPerBatch: opts.maxTokens, maxInflightBatches: opts.inflight, windowBatches: opts.window }, noMetrics);
  const started = performance.now();
  await Promise.all(texts.map((t) => b.submit(t)));
  const s = (performance.now() - started) / 1000;
  await b.close();
  return texts.length / s;
}

// ---------------------------------------------------------------------------------------------
// HTTP load from a worker thread (its own event loop and core)

const HTTP_CLIENT = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const { url, texts, concurrency, seconds, warmupSeconds } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
function post(text) {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(JSON.stringify({ text }));
    const t0 = process.hrtime.bigint();
    const req = http.request({ agent, host: target.hostname, port: target.port, path: '/ner', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (res.statusCode !== 200) reject(new Error('status ' + res.statusCode + ': ' + Buffer.concat(chunks).toString()));
        else resolve(ms);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
(async () => {
  let next = 0;
  const lat = [];
  let measuring = false;
  let stop = false;
  const warmEnd = Date.now() + warmupSeconds * 1000;
  let measureStart = 0;
  async function loop() {
    while (!stop) {
      const text = texts[next++ % texts.length];
      const ms = await post(text);
      if (measuring) lat.push(ms);
    }
  }
  const loops = Array.from({ length: concurrency }, loop);
  while (Date.now() < warmEnd) await new Promise((r) => setTimeout(r, 20));
  measuring = true;
  measureStart = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (Date.now() - measureStart) / 1000;
  stop = true;
  await Promise.all(loops);
  parentPort.postMessage({ latencies: lat, elapsed });
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

async function httpLoad(url: string, texts: string[], concurrency: number, seconds: number): Promise<{ docsPerS: number; p50: number; p95: number; p99: number; requests: number }> {
  const worker = new Worker(HTTP_CLIENT, { eval: true, workerData: { url, texts, concurrency, seconds, warmupSeconds: Math.min(3, seconds / 3) } });
  const msg = await new Promise<{ latencies?: number[]; elapsed?: number; error?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  if (msg.error) throw new Error(`HTTP load failed: ${msg.error}`);
  const lat = msg.latencies!.sort((a, b) => a - b);
  return { docsPerS: lat.length / msg.elapsed!, p50: percentile(lat, 0.5), p95: percentile(lat, 0.95), p99: percentile(lat, 0.99), requests: lat.length };
}

// ---------------------------------------------------------------------------------------------
// service helpers

function taggerEnv(opts: Options, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MODEL_DIR: opts.model,
    ORT_INTRA_OP_THREADS: String(opts.threads),
    TAGGER_BATCH_SIZE: String(opts.batchSize),
    REPLICA_ID: `bench-${process.pid}`,
    TAGGER_HEARTBEAT_INTERVAL: '5s',
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TAGGER_') || k.startsWith('ORT_') || k === 'MODEL_PRECISION') as Array<[string, string]>),
    ...extra,
  };
}

async function startMemoryTagger(opts: Options, logger: Logger, extra: Record<string, string>): Promise<{ tagger: RunningTagger; close: () => Promise<void> }> {
  const topics = createTopics({ prefix: `bench-${process.pid}.` });
  const registry = createMetricsRegistry('tagger', { defaultMetrics: false });
  const bus = new MemoryBus({ logger, deadLetterTopic: topics.deadLetters, metrics: createBusMetrics(registry) });
  const tagger = await startTagger(loadConfig(configSpec, taggerEnv(opts, extra)), { logger, registry, bus, topics, db: {} as SqlClient });
  await tagger.whenReady();
  return {
    tagger,
    close: async () => {
      await tagger.close();
      await bus.close();
    },
  };
}

/** An entity-event reader (read_committed) joined to its group before anything is produced; calls `seen` per event. */
async function entityReader(brokers: string[], topic: string, groupId: string, seen: (docId: string, atMs: number) => void) {
  const kafka = new Kafka({ brokers, clientId: `bench-reader-${process.pid}`, logLevel: logLevel.NOTHING });
  const reader = kafka.consumer({ groupId, maxWaitTimeInMs: 20, readUncommitted: false });
  await reader.connect();
  await reader.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((r) => reader.on(reader.events.GROUP_JOIN, () => r()));
  await reader.run({
    eachBatch: async ({ batch }) => {
      const at = performance.now();
      for (const m of batch.messages) seen(m.key!.toString(), at);
    },
  });
  await joined;
  return reader;
}

/** One tagger replica on the broker with its own bus (client and delivery of `mode`), fresh topics. */
async function kafkaTagger(opts: Options, logger: Logger, mode: KafkaMode, extra: Record<string, string> = {}) {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
  const prefix = `bench${Date.now().toString(36)}.`;
  const topics = createTopics({ prefix, partitions: 6 });
  const registry = createMetricsRegistry('tagger', { defaultMetrics: false });
  const bus = new KafkaBus({ brokers, clientId: `bench-tagger-${process.pid}`, logger, deadLetterTopic: topics.deadLetters, metrics: createBusMetrics(registry), client: mode.client, delivery: mode.delivery });
  const producerBus = new KafkaBus({ brokers, clientId: `bench-producer-${process.pid}`, logger, deadLetterTopic: topics.deadLetters, client: mode.client });
  await producerBus.ensureTopics([topics.rawText, topics.entities, topics.predictions, topics.deadLetters, topics.replicaCommands, topics.replicaHeartbeats]);
  const tagger = await startTagger(loadConfig(configSpec, taggerEnv(opts, { TAGGER_GROUP: `${prefix}tagger`, TAGGER_CACHE_SIZE: '0', ...extra })), { logger, registry, bus, topics, db: {} as SqlClient });
  await tagger.whenReady();
  return {
    brokers,
    prefix,
    topics,
    tagger,
    producerBus,
    async close() {
      await tagger.close();
      await bus.close();
      await producerBus.close();
    },
  };
}

async function kafkaEndToEnd(opts: Options, texts: string[], logger: Logger, mode: KafkaMode): Promise<{ docsPerS: number; seconds: number }> {
  const k = await kafkaTagger(opts, logger, mode);
  const seen = new Set<string>();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const reader = await entityReader(k.brokers, k.topics.entities.name, `${k.prefix}reader`, (id) => {
    seen.add(id);
    if (seen.size >= texts.length) resolveDone();
  });
  await new Promise((r) => setTimeout(r, 1500)); // let the tagger's group settle too
  const docs: RawText[] = texts.map((text, i) => ({ id: `bench-${i}`, text, source: 'bench', publishedAt: null, metadata: {} }));
  const started = performance.now();
  const chunks: Promise<void>[] = [];
  for (let i = 0; i < docs.length; i += 500) chunks.push(k.producerBus.publish(k.topics.rawText, docs.slice(i, i + 500).map((value) => ({ value }))));
  await Promise.all(chunks);
  const timeout = setTimeout(() => resolveDone(), 600_000);
  await done;
  clearTimeout(timeout);
  const seconds = (performance.now() - started) / 1000;
  if (seen.size < texts.length) throw new Error(`only ${seen.size} of ${texts.length} entity events arrived`);
  await reader.disconnect();
  await k.close();
  return { docsPerS: texts.length / seconds, seconds };
}

interface Latencies {
  p50: number;
  p95: number;
  p99: number;
  docs: number;
}

/**
 * Kafka documents at a steady `rate`, each timed from its produce to its entity event, on a replica
 * that answers POST /ner load at the same time (when `http` is given). Returns the Kafka latencies
 * (documents produced after the HTTP warm-up) and the HTTP figures.
 */
async function kafkaLatency(opts: Options, texts: string[], httpTexts: string[] | null, logger: Logger, mode: KafkaMode): Promise<{ kafka: Latencies; http: Awaited<ReturnType<typeof httpLoad>> | null }> {
  const k = await kafkaTagger(opts, logger, mode);
  await k.tagger.app.listen({ port: 0, host: '127.0.0.1' });
  const sentAt = new Map<string, number>();
  const latency = new Map<string, number>();
  const reader = await entityReader(k.brokers, k.topics.entities.name, `${k.prefix}reader`, (id, at) => {
    const t = sentAt.get(id);
    if (t !== undefined && !latency.has(id)) latency.set(id, at - t);
  });
  await new Promise((r) => setTimeout(r, 1500));
  const warmupMs = Math.min(3, opts.httpSeconds / 3) * 1000;
  const totalMs = warmupMs + opts.httpSeconds * 1000;
  const started = performance.now();
  let n = 0;
  let stop = false;
  const producing = (async () => {
    // one document every 1/rate s, sent in 20 ms ticks
    while (!stop && performance.now() - started < totalMs) {
      const due = Math.floor(((performance.now() - started) / 1000) * opts.mixedKafkaRate);
      const batch: RawText[] = [];
      for (; n < due; n++) batch.push({ id: `mixed-${n}`, text: texts[n % texts.length], source: 'bench', publishedAt: null, metadata: {} });
      const now = performance.now();
      for (const d of batch) sentAt.set(d.id, now);
      if (batch.length) await k.producerBus.publish(k.topics.rawText, batch.map((value) => ({ value })));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const addr = k.tagger.app.server.address() as { port: number };
  const http = httpTexts ? await httpLoad(`http://127.0.0.1:${addr.port}`, httpTexts, opts.concurrency, opts.httpSeconds) : null;
  if (!httpTexts) await new Promise((r) => setTimeout(r, totalMs));
  stop = true;
  await producing;
  const deadline = performance.now() + 60_000;
  while (latency.size < sentAt.size && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await reader.disconnect();
  await k.close();
  const measured = [...sentAt].filter(([, t]) => t - started >= warmupMs).map(([id]) => latency.get(id)).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  return { kafka: { p50: percentile(measured, 0.5), p95: percentile(measured, 0.95), p99: percentile(measured, 0.99), docs: measured.length }, http };
}

function pytorchBaseline(opts: Options, texts: string[]): { docsPerS: number; p50: number; p99: number } | null {
  const python = path.join(REPO_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    say(`no ${python}: run bash scripts/setup-python.sh for the PyTorch baseline`);
    return null;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tagger-bench-'));
  const file = path.join(dir, 'texts.jsonl');
  writeFileSync(file, texts.map((t) => JSON.stringify(t)).join('\n'));
  const r = spawnSync(python, [path.join(__dirname, 'pytorch_serve.py'), '--model', opts.model, '--texts', file, '--threads', String(Math.max(1, opts.threads))], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 900_000,
  });
  if (r.status !== 0) {
    say(`PyTorch baseline failed (${r.status}): ${r.stderr.slice(-2000)}`);
    return null;
  }
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { docs_per_s: number; p50_ms: number; p99_ms: number };
  return { docsPerS: j.docs_per_s, p50: j.p50_ms, p99: j.p99_ms };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const logger = createLogger('tagger-bench', { level: process.env.LOG_LEVEL ?? 'warn' });
  if (!existsSync(path.join(opts.model, 'manifest.json'))) {
    throw new Error(`no model at ${opts.model}: build the bundled one (npm run model:build-default) or pass --model DIR`);
  }
  const corpus = readCorpus(opts.corpus, opts.docs);
  const texts = corpus.map((d) => d.text);
  const meanLen = texts.reduce((n, t) => n + t.length, 0) / texts.length;
  const dev = readCorpus(opts.dev, opts.devDocs);
  say(`machine: ${describeMachine()}`);
  say(`model ${opts.model}; ${texts.length} texts, mean length ${round(meanLen, 1)}; ORT threads ${opts.threads}; batch ${opts.batchSize}`);

  const loader = new OnnxEngineLoader();
  const loadOpts = (precision: Precision) => ({ precision, intraOpThreads: opts.threads, interOpThreads: 1 });
  const int8 = await loader.load(opts.model, loadOpts('int8'));
  const fp32 = await loader.load(opts.model, loadOpts('fp32'));
  const version = int8.version;
  say(`version ${version}; int8 file ${int8.precision === 'int8' ? 'present' : 'absent (fp32 used)'}`);

  // warm-up both
  await runEngine(int8, texts.slice(0, 200), opts.batchSize);
  await runEngine(fp32, texts.slice(0, 200), opts.batchSize);

  const rounds = opts.rounds;
  const docsPerS = async (engine: InferenceEngine, batch: number, sorted = true, subset = texts) => subset.length / (await runEngine(engine, subset, batch, sorted)).seconds;
  const rawM = await medianOf(rounds, {
    int8: () => docsPerS(int8, opts.batchSize),
    fp32: () => docsPerS(fp32, opts.batchSize),
    unbatched: () => docsPerS(int8, 1, false, texts.slice(0, 500)),
    arrival: () => docsPerS(int8, opts.batchSize, false),
  });
  const raw = rawM.int8;
  const rawFp = rawM.fp32;
  const rawUnbatched = rawM.unbatched;
  say(`raw runtime (length-sorted batches of ${opts.batchSize}): int8 ${round(raw, 1)} docs/s, fp32 ${round(rawFp, 1)} docs/s; arrival order ${round(rawM.arrival, 1)}; one text per run ${round(rawUnbatched, 1)}`);

  const f1Int8 = strictF1(dev, (await runEngine(int8, dev.map((d) => d.text), opts.batchSize)).spans);
  const f1Fp32 = strictF1(dev, (await runEngine(fp32, dev.map((d) => d.text), opts.batchSize)).spans);
  say(`dev F1 (${dev.length} docs): int8 ${round(f1Int8, 4)}, fp32 ${round(f1Fp32, 4)}`);
  await fp32.dispose();

  const cfg = loadConfig(configSpec, taggerEnv(opts));
  const queueOpts = { batchSize: cfg.batchSize, window: cfg.bucketWindow, maxTokens: cfg.maxTokensPerBatch, inflight: cfg.maxInflightBatches };
  const queueM = await medianOf(rounds, {
    batched: () => queueThroughput(int8, texts, queueOpts),
    unbatched: () => queueThroughput(int8, texts, { ...queueOpts, batchSize: 1 }),
  });
  const batched = queueM.batched;
  const unbatched = queueM.unbatched;
  say(`tagger queue (backlog of ${texts.length}): batching ${round(batched, 1)} docs/s, no batching (size 1) ${round(unbatched, 1)} docs/s`);

  // HTTP: the service as deployed (cache off so every request runs the model)
  const httpTexts = fixedLengthTexts(corpus, opts.httpTextLength, 5000);
  const svc = await startMemoryTagger(opts, logger, { TAGGER_CACHE_SIZE: '0' });
  await svc.tagger.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = svc.tagger.app.server.address() as { port: number };
  const http = await httpLoad(`http://127.0.0.1:${addr.port}`, httpTexts, opts.concurrency, opts.httpSeconds);
  await svc.close();
  say(`HTTP POST /ner (${opts.httpTextLength} chars, concurrency ${opts.concurrency}): ${round(http.docsPerS, 1)} docs/s, p50 ${round(http.p50)} ms, p95 ${round(http.p95)} ms, p99 ${round(http.p99)} ms (${http.requests} requests)`);

  // Kafka end to end, per client and delivery mode, in rounds alternating with the raw runtime so
  // that all are measured under the same load (the machine is shared); raw_docs_per_s is the median
  // of every raw measurement
  const rawAll = [raw];
  const kafkaRuns = new Map<string, number[]>(opts.kafkaModes.map((m) => [modeName(m), []]));
  const busDefaults = loadConfig(busConfigSpec, process.env);
  const defaultMode: KafkaMode = { client: busDefaults.kafkaClient, delivery: busDefaults.kafkaDelivery };
  if (!opts.skipKafka) {
    // the raw texts cycled (document ids stay unique; the tagger's cache is off in this run), so
    // both figures are over the same length distribution — suffixing repeats would lengthen them
    const kTexts = Array.from({ length: opts.kafkaDocs }, (_, i) => texts[i % texts.length]);
    for (let r = 0; r < opts.kafkaRounds; r++) {
      for (const mode of opts.kafkaModes) {
        const k = await kafkaEndToEnd(opts, kTexts, logger, mode);
        kafkaRuns.get(modeName(mode))!.push(k.docsPerS);
        say(`Kafka end to end, round ${r + 1}, ${modeName(mode)}: ${kTexts.length} docs in ${round(k.seconds)} s = ${round(k.docsPerS, 1)} docs/s`);
      }
      rawAll.push(await docsPerS(int8, opts.batchSize));
      say(`raw runtime after round ${r + 1}: ${round(rawAll[rawAll.length - 1], 1)} docs/s`);
    }
  }
  const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
  const rawMedian = median(rawAll);
  const byMode: Record<string, Record<string, number>> = {};
  for (const m of opts.kafkaModes) {
    const xs = kafkaRuns.get(modeName(m))!;
    if (xs.length) (byMode[m.client] ??= {})[m.delivery] = round(median(xs), 1);
  }
  const defaultRuns = kafkaRuns.get(modeName(defaultMode)) ?? [];
  const kafka = defaultRuns.length ? { docsPerS: median(defaultRuns) } : null;
  const alo = kafkaRuns.get('platformatic:at-least-once') ?? [];
  const eos = kafkaRuns.get('platformatic:exactly-once') ?? [];
  // the cost of exactly-once on the same run: per round (same machine load), then the median
  const eosCosts = eos.map((e, i) => 1 - e / alo[i]).filter((x) => Number.isFinite(x));
  const eosCost = eosCosts.length ? median(eosCosts) : null;

  // Kafka latency with and without HTTP load on the same replica (default mode)
  let mixed: { alone: Latencies; withHttp: Latencies; http: Awaited<ReturnType<typeof httpLoad>> } | null = null;
  if (!opts.skipKafka && !opts.skipMixed) {
    const alone = await kafkaLatency(opts, texts, null, logger, defaultMode);
    const withHttp = await kafkaLatency(opts, texts, httpTexts, logger, defaultMode);
    mixed = { alone: alone.kafka, withHttp: withHttp.kafka, http: withHttp.http! };
    say(`Kafka latency at ${opts.mixedKafkaRate} docs/s (${modeName(defaultMode)}): alone p50 ${round(alone.kafka.p50)} / p99 ${round(alone.kafka.p99)} ms; with POST /ner at concurrency ${opts.concurrency} p50 ${round(withHttp.kafka.p50)} / p99 ${round(withHttp.kafka.p99)} ms (HTTP meanwhile ${round(mixed.http.docsPerS, 1)} docs/s, p99 ${round(mixed.http.p99)} ms)`);
  }
  await int8.dispose();

  const torch = opts.skipPytorch ? null : pytorchBaseline(opts, texts);
  if (torch) say(`PyTorch one request at a time: ${round(torch.docsPerS, 1)} docs/s (p50 ${torch.p50} ms, p99 ${torch.p99} ms)`);

  const result = {
    model_version: version,
    model_dir: path.relative(REPO_ROOT, opts.model) || opts.model,
    texts: texts.length,
    mean_text_length: round(meanLen, 1),
    cpus: os.cpus().length,
    machine: machineInfo(),
    ort_intra_op_threads: opts.threads,
    batch_size: opts.batchSize,
    raw_docs_per_s: round(rawMedian, 1),
    raw_fp32_docs_per_s: round(rawFp, 1),
    raw_unbatched_docs_per_s: round(rawUnbatched, 1),
    raw_arrival_order_docs_per_s: round(rawM.arrival, 1),
    queue_batched_docs_per_s: round(batched, 1),
    queue_unbatched_docs_per_s: round(unbatched, 1),
    batching_speedup: round(batched / unbatched, 3),
    int8_speedup: round(raw / rawFp, 3),
    f1_int8: round(f1Int8, 4),
    f1_fp32: round(f1Fp32, 4),
    int8_f1_delta: round(f1Int8 - f1Fp32, 4),
    dev_docs: dev.length,
    http_text_length: opts.httpTextLength,
    http_concurrency: opts.concurrency,
    http_requests: http.requests,
    http_docs_per_s: round(http.docsPerS, 1),
    http_p50_ms: round(http.p50),
    http_p95_ms: round(http.p95),
    http_p99_ms: round(http.p99),
    kafka_docs: kafka ? opts.kafkaDocs : null,
    kafka_mode: modeName(defaultMode),
    kafka_docs_per_s: kafka ? round(kafka.docsPerS, 1) : null,
    kafka_docs_per_s_by_client: byMode,
    kafka_rounds: Object.fromEntries([...kafkaRuns].map(([k, xs]) => [k, xs.map((x) => round(x, 1))])),
    kafka_vs_raw: kafka ? round(kafka.docsPerS / rawMedian, 3) : null,
    eos_cost: eosCost === null ? null : round(eosCost, 3),
    kafka_latency_rate_docs_per_s: mixed ? opts.mixedKafkaRate : null,
    kafka_latency_p50_ms: mixed ? round(mixed.alone.p50) : null,
    kafka_latency_p99_ms: mixed ? round(mixed.alone.p99) : null,
    kafka_latency_under_http_p50_ms: mixed ? round(mixed.withHttp.p50) : null,
    kafka_latency_under_http_p99_ms: mixed ? round(mixed.withHttp.p99) : null,
    http_docs_per_s_under_kafka: mixed ? round(mixed.http.docsPerS, 1) : null,
    http_p99_ms_under_kafka: mixed ? round(mixed.http.p99) : null,
    pytorch_docs_per_s: torch ? round(torch.docsPerS, 1) : null,
    ort_vs_pytorch: torch ? round(rawMedian / torch.docsPerS, 3) : null,
    ort_unbatched_vs_pytorch: torch ? round(rawUnbatched / torch.docsPerS, 3) : null,
    targets: {
      kafka_vs_raw_ge_0_85: kafka ? kafka.docsPerS / rawMedian >= 0.85 : null,
      eos_cost_le_0_15: eosCost === null ? null : eosCost <= 0.15,
      batching_speedup_ge_1_4: batched / unbatched >= 1.4,
      http_p99_le_50ms: http.p99 <= 50,
    },
    corpus: path.basename(path.dirname(opts.corpus)) + '/' + path.basename(opts.corpus),
    text_sha256: sha256Hex(texts.join('\n')).slice(0, 16),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
