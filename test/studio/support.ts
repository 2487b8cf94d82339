// Helpers of the studio's integration and browser suites: a studio on the harness broker and a
// fresh database, the tagger behind it (the real tagger service with a real model when it can
// run here, else a stub with the tagger's HTTP contract), the web bundle, Chromium.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KafkaBus } from '@zhner/bus';
import type { Topics } from '@zhner/contracts';
import { loadConfig } from '@zhner/core';
import { createLogger, createMetricsRegistry, type Logger } from '@zhner/kit';
import { configSpec, startStudio, type RunningStudio, type StudioOptions } from '@zhner/studio';
import { testkit } from '@zhner/studio/testing';
import type { SqlClient } from '@zhner/store';
import { freePort, tsNode, kafkaBrokers, kafkaBus, testTopics, uniqueName } from '@zhner/test';
import { Kafka, logLevel } from 'kafkajs';

export const REPO = path.resolve(__dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(REPO, 'artifacts', 'screenshots');
const WEB = path.join(REPO, 'services', 'studio', 'web');
const run = promisify(execFile);

export const logger: Logger = createLogger('studio-it', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

function newestMtime(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(p).map((f) => newestMtime(path.join(p, f))));
}

/** Builds services/studio/web/dist (npm run studio:build) when it is missing or older than its sources. */
export function ensureWebBundle(): string {
  const dist = path.join(WEB, 'dist');
  const index = path.join(dist, 'index.html');
  const sources = Math.max(newestMtime(path.join(WEB, 'src')), newestMtime(path.join(WEB, 'index.html')), newestMtime(path.join(WEB, 'vite.config.ts')));
  if (!existsSync(index) || statSync(index).mtimeMs < sources) {
    execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(WEB, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: REPO, stdio: 'inherit' });
  }
  return dist;
}

export interface StudioOnKafka {
  studio: RunningStudio;
  bus: KafkaBus;
  topics: Topics;
  url: string;
  close(): Promise<void>;
}

/** A studio on the harness Kafka (own topics) and `db`, listening on a free port. */
export async function startStudioOnKafka(db: SqlClient, env: Record<string, string> = {}, options: StudioOptions = {}, topics: Topics = testTopics()): Promise<StudioOnKafka> {
  const registry = createMetricsRegistry('studio', { defaultMetrics: false });
  const bus = kafkaBus(topics, { registry, logger, clientId: uniqueName('studio-') });
  await bus.ensureTopics([topics.corrections, topics.deadLetters]);
  const config = loadConfig(configSpec, { LABELS_FROM_MODEL: 'false', OUTBOX_INTERVAL: '50ms', EVENTS_INTERVAL: '300ms', ...env });
  const studio = await startStudio(config, { logger, registry, bus, topics, db }, options);
  const url = await studio.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    studio,
    bus,
    topics,
    url,
    async close() {
      await studio.close();
      await bus.close();
    },
  };
}

// ---- the tagger ------------------------------------------------------------------------------

export interface TaggerForTests {
  kind: 'real' | 'stub';
  url: string;
  modelVersion: string;
  /** Why the stub is used, when it is. */
  note?: string;
  close(): Promise<void>;
}

const STUB_DICTIONARY: Record<string, string> = { 李鹏: 'PER', 北京: 'LOC', 日本: 'LOC', 上海: 'LOC', 联合国: 'ORG', 国务院: 'ORG', 人民大会堂: 'LOC' };

/** A stand-in with the tagger's HTTP contract (POST /ner {text}|{texts}), tagging by dictionary. */
export async function startStubTagger(note: string): Promise<TaggerForTests> {
  const version = 'stub-dictionary-1';
  const tagOne = (text: string) => {
    const entities: Array<{ start: number; end: number; type: string; text: string; score: number }> = [];
    for (const [word, type] of Object.entries(STUB_DICTIONARY)) {
      for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + word.length)) {
        if (!entities.some((e) => i < e.end && e.start < i + word.length)) entities.push({ start: i, end: i + word.length, type, text: word, score: 0.8 + (word.length % 3) * 0.05 });
      }
    }
    return { modelVersion: version, textLength: text.length, entities: entities.sort((a, b) => a.start - b.start), cached: false, timings: { queueMs: 0, inferenceMs: 0, totalMs: 0 } };
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/ner') {
        res.writeHead(404).end();
        return;
      }
      const b = JSON.parse(body) as { text?: string; texts?: string[] };
      const out = b.texts ? { results: b.texts.map(tagOne) } : tagOne(b.text ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { kind: 'stub', url: `http://127.0.0.1:${port}`, modelVersion: version, note, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** models/zh-ner-default when present; else a tiny model trained now (configs/tiny.cfg, ~20 s of CPU). */
async function modelDir(): Promise<{ dir: string; cleanup?: string }> {
  const bundled = path.join(REPO, 'models', 'zh-ner-default');
  if (existsSync(path.join(bundled, 'manifest.json'))) return { dir: bundled };
  const py = path.join(REPO, '.venv', 'bin', 'python');
  if (!existsSync(py)) throw new Error('no models/zh-ner-default and no .venv to train a tiny model (scripts/setup-python.sh)');
  const out = mkdtempSync(path.join(os.tmpdir(), 'studio-e2e-model-'));
  const cfg = path.join(REPO, 'services', 'trainer-orchestrator', 'trainer', 'configs', 'tiny.cfg');
  await run(py, ['-m', 'zhner_trainer', 'train', '--config', cfg, '--out', path.join(out, 'm'), '--set', 'corpora.train_limit=1500', '--set', 'training.epochs=3'], { cwd: REPO, timeout: 600_000, maxBuffer: 64 << 20 });
  return { dir: path.join(out, 'm'), cleanup: out };
}

/**
 * The real tagger service — its own process (`services/tagger/src/main.ts`, as deployed; the ONNX
 * runtime cannot run inside jest's module sandbox) on the in-process bus, with a real model — on a
 * free port. When it cannot run here (STUDIO_E2E_TAGGER=stub, or it does not become ready), the
 * stub, with the reason in `note`. STUDIO_E2E_TAGGER=real makes a failure fatal.
 */
export async function startTaggerForTests(databaseUrl: string): Promise<TaggerForTests> {
  const want = process.env.STUDIO_E2E_TAGGER ?? 'auto';
  if (want === 'stub') return startStubTagger('STUDIO_E2E_TAGGER=stub');
  let cleanup: string | undefined;
  let child: ChildProcess | undefined;
  const stderr: string[] = [];
  try {
    const model = await modelDir();
    cleanup = model.cleanup;
    const port = await freePort();
    const run = tsNode(path.join(REPO, 'services', 'tagger', 'src', 'main.ts'));
    child = spawn(run.cmd, run.args, {
      cwd: REPO,
      env: { ...process.env, BUS: 'memory', DATABASE_URL: databaseUrl, PORT: String(port), HTTP_HOST: '127.0.0.1', MODEL_DIR: model.dir, REPLICA_ID: uniqueName('studio-e2e-'), LOG_LEVEL: 'warn', JEST_WORKER_ID: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (b: Buffer) => stderr.push(b.toString()));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the tagger exited with ${child.exitCode}: ${stderr.join('').slice(-800)}`);
      const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`the tagger did not become ready in 120 s: ${stderr.join('').slice(-800)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const health = (await (await fetch(`${url}/healthz`)).json()) as { modelVersion?: string };
    const proc = child;
    return {
      kind: 'real',
      url,
      modelVersion: health.modelVersion ?? 'unknown',
      async close() {
        await stopChild(proc);
        if (cleanup) rmSync(cleanup, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child) await stopChild(child);
    if (cleanup) rmSync(cleanup, { recursive: true, force: true });
    if (want === 'real') throw err;
    return startStubTagger(`the real tagger could not start here: ${(err as Error).message.split('\n')[0].slice(0, 300)}`);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Messages ever written to `topic` (sum of the partitions' high watermarks; the topic is never compacted or trimmed in tests). */
export async function messageCount(topic: string): Promise<number> {
  const admin = new Kafka({ brokers: kafkaBrokers(), clientId: uniqueName('count-'), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, name);
}

// ---- the registry and the reloader, as the studio reads them ----------------------------------

export interface UpstreamStub {
  /** Base URL to pass as ORCHESTRATOR_URL and RELOADER_URL. */
  url: string;
  data: testkit.FakeUpstreams;
  close(): Promise<void>;
}

/**
 * The orchestrator's and the reloader's published read APIs (GET /models, /models/:v, /runs,
 * /replicas, /rollouts) over HTTP, answering from `data` (contract-shaped fixtures): the studio
 * reads them through its real HTTP clients, as deployed.
 */
export async function startUpstreamStub(data = new testkit.FakeUpstreams()): Promise<UpstreamStub> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const limit = Number(u.searchParams.get('limit') ?? '100');
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (u.pathname === '/models') return send(200, await data.models(limit));
      if (u.pathname.startsWith('/models/')) {
        const v = await data.model(decodeURIComponent(u.pathname.slice('/models/'.length)));
        return v ? send(200, v) : send(404, { error: { code: 'NOT_FOUND', message: 'no such model version' } });
      }
      if (u.pathname === '/runs') return send(200, { runs: await data.runs(limit) });
      if (u.pathname === '/replicas') return send(200, { replicas: await data.replicas() });
      if (u.pathname === '/rollouts') return send(200, { rollouts: await data.rollouts(limit) });
      return send(404, { error: { code: 'NOT_FOUND', message: req.url ?? '' } });
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, data, close: () => new Promise<void>((r) => server.close(() => r())) };
}
