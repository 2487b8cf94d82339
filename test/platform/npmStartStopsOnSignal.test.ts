// `npm start` as a process manager, `timeout` or a terminal's Ctrl+C uses it: a signal to the npm
// process (or to its whole process group) stops every service within 10 s, the exit status is 0
// or 130, and nothing is left listening. npm runs scripts through `sh -c`, and a shell started in
// the background ignores SIGINT, so without care the signal dies there and the platform keeps
// running (the bug this suite guards). Embedded mode, and `--infra local` on the harness's broker
// and database (already running, so they must be left running). About 40 s.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, uniqueName, waitFor } from '@zhner/test';

jest.setTimeout(240_000);

const repo = path.resolve(__dirname, '..', '..');
const STOP_LIMIT_MS = 10_000;

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function nerAnswers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/ner`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '李鹏在北京' }) });
    return res.status === 200;
  } catch {
    return false;
  }
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stopMs: number;
  leftListening: number[];
  output: string;
  /** Status of an anonymous POST /runs while it ran (secure by default: 401). */
  anonymousAdmin: number;
}

/** Starts `npm start [args]` in its own process group, waits for POST /ner, signals, measures. */
async function startThenSignal(signal: NodeJS.Signals, target: 'npm' | 'group', args: string[] = []): Promise<Outcome> {
  const ports = { STUDIO_PORT: await freePort(), TAGGER_PORT: await freePort(), SAMPLER_PORT: await freePort(), ORCHESTRATOR_PORT: await freePort(), RELOADER_PORT: await freePort() };
  const work = mkdtempSync(path.join(tmpdir(), 'zhner-start-'));
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  Object.assign(env, {
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    PGLITE_DIR: path.join(work, 'pglite'),
    MODELS_DIR: path.join(work, 'models'),
    TOPIC_PREFIX: `${uniqueName('start')}.`,
    TOPIC_PARTITIONS: '1',
    DEMO_FEED: 'false',
    LOG_LEVEL: 'warn',
  });
  // --infra local prints the harness's own local launchers' settings; nothing else to pass
  const child = spawn('npm', ['start', ...(args.length ? ['--', ...args] : [])], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })));
  try {
    await waitFor(async () => child.exitCode !== null || (await nerAnswers(ports.TAGGER_PORT)), 180_000, 'POST /ner answering');
    if (child.exitCode !== null) throw new Error(`npm start exited early (${child.exitCode}):\n${output.slice(-3000)}`);
    const anonymousAdmin = (await fetch(`http://127.0.0.1:${ports.ORCHESTRATOR_PORT}/runs`, { method: 'POST' })).status;
    const t0 = Date.now();
    if (target === 'group') process.kill(-child.pid!, signal);
    else child.kill(signal);
    const result = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, STOP_LIMIT_MS + 5000))]);
    const stopMs = Date.now() - t0;
    const leftListening: number[] = [];
    for (const p of Object.values(ports)) if (await listening(p)) leftListening.push(p);
    return { code: result?.code ?? null, signal: result?.signal ?? null, stopMs: result ? stopMs : Infinity, leftListening, output, anonymousAdmin };
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* the group is gone: what we want */
    }
    rmSync(work, { recursive: true, force: true });
  }
}

function expectCleanStop(o: Outcome): void {
  const summary = { code: o.code, signal: o.signal, stopMs: o.stopMs, leftListening: o.leftListening };
  const ok = (o.code === 0 || o.code === 130) && o.stopMs <= STOP_LIMIT_MS && o.leftListening.length === 0;
  if (!ok) throw new Error(`unclean stop ${JSON.stringify(summary)}\n${o.output.slice(-3000)}`);
  expect(summary).toEqual({ code: expect.any(Number), signal: null, stopMs: expect.any(Number), leftListening: [] });
}

describe('npm start stops on a signal within 10 s, exit 0/130, nothing left listening', () => {
  it('SIGINT to the npm process (what `kill -INT <pid>` and `timeout -s INT` send); admin routes closed to anonymous callers', async () => {
    const o = await startThenSignal('SIGINT', 'npm');
    expectCleanStop(o);
    expect(o.anonymousAdmin).toBe(401); // a default npm start: secure by default
  });

  it('SIGTERM to the npm process (what a process manager and `timeout` send)', async () => {
    expectCleanStop(await startThenSignal('SIGTERM', 'npm'));
  });

  it('SIGINT to the whole process group (a terminal Ctrl+C), with --infra local', async () => {
    const before = { kafka: await listening(Number(process.env.KAFKA_BROKERS!.split(',')[0].split(':')[1])) };
    const o = await startThenSignal('SIGINT', 'group', ['--infra', 'local']);
    expectCleanStop(o);
    // the harness's broker was running before: npm start must not have stopped it
    expect(await listening(Number(process.env.KAFKA_BROKERS!.split(',')[0].split(':')[1]))).toBe(before.kafka);
  });
});
