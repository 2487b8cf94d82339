// The one-process platform (deploy/local/platform.ts, what `npm start -- --infra local` runs) as
// the platform suites drive it: started on free ports with the harness's broker and a topic
// prefix, its first studio token and its admin token read from what it prints, an HTTP helper that
// sends each service the token it needs, and raw texts published to its raw-text topic.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { RawText, Topics } from '@zhner/contracts';
import { freePort, kafkaBrokers, kafkaBus, tsNode, waitFor } from '@zhner/test';

export const REPO = path.resolve(__dirname, '..', '..');

export type PlatformService = 'studio' | 'tagger' | 'sampler' | 'orchestrator' | 'reloader';
const SERVICES: readonly PlatformService[] = ['studio', 'tagger', 'sampler', 'orchestrator', 'reloader'];

export interface PlatformProcess {
  child: ChildProcess;
  port: Record<PlatformService, number>;
  /** The first admin's studio token and the admin token of the other services, as printed at start. */
  token: string;
  adminToken: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** A JSON call; the studio gets the studio token, the other services the admin token (when there is one). */
  http(service: PlatformService, method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  publishRaw(docs: ReadonlyArray<{ id: string; text: string }>, source: string, metadata: Record<string, string>): Promise<void>;
  /** SIGKILL when it still runs (afterAll). */
  close(): Promise<void>;
}

/** Starts the platform with `env` over the common settings (Kafka bus, the prefix, free ports, no demo feed). */
export async function startPlatform(topics: Topics, prefix: string, env: Record<string, string>): Promise<PlatformProcess> {
  const port = {} as Record<PlatformService, number>;
  for (const s of SERVICES) port[s] = await freePort();
  const run = tsNode(path.join(REPO, 'deploy', 'local', 'platform.ts'));
  const child = spawn(run.cmd, run.args, {
    cwd: REPO,
    env: {
      ...process.env,
      BUS: 'kafka',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      STUDIO_PORT: String(port.studio),
      TAGGER_PORT: String(port.tagger),
      SAMPLER_PORT: String(port.sampler),
      ORCHESTRATOR_PORT: String(port.orchestrator),
      RELOADER_PORT: String(port.reloader),
      DEMO_FEED: 'false',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(() => stdout.includes('Stop with Ctrl+C.') || child.exitCode !== null, 120_000, 'platform start');
  if (child.exitCode !== null) throw new Error(`platform exited ${child.exitCode}:\n${stderr.slice(-4000)}`);
  const token = /zhner_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/.exec(stdout)?.[0] ?? '';
  // secure by default: the platform made an admin token for this run and printed it
  const adminToken = /zhner_admin_[A-Za-z0-9_-]+/.exec(stdout)?.[0] ?? '';
  return {
    child,
    port,
    token,
    adminToken,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async http(service, method, url, body) {
      const bearer = service === 'studio' ? token : adminToken;
      const res = await fetch(`http://127.0.0.1:${port[service]}${url}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    async publishRaw(docs, source, metadata) {
      const bus = kafkaBus(topics);
      try {
        const raw: RawText[] = docs.map((d) => ({ id: d.id, text: d.text, source, publishedAt: Date.now(), metadata }));
        await bus.publish(topics.rawText, raw.map((value) => ({ key: value.id, value })));
      } finally {
        await bus.close();
      }
    },
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
