#!/usr/bin/env node
// The README's first command, tried as a newcomer would, on every CI run (.ci/run calls this
// before `npm test`): clone the checked-out commit into a temporary folder beside this checkout
// (so ../shared resolves the same), run `npm start` there exactly as the README says, wait until
// POST /ner answers, send SIGINT to the npm process, and check that it exits within 10 s with
// status 0 or 130 and that none of the platform's ports is left listening. On failure it prints
// the log tail and exits 1. The clone is removed either way.
//
//   node scripts/smoke-fresh-clone.mjs [--keep]      --keep leaves the clone for inspection
//
// Uses only Node.js built-ins and git: it runs before anything is installed.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const PORTS = { studio: 8080, tagger: 8081, sampler: 8082, orchestrator: 8083, reloader: 8084 };
const READY_TIMEOUT_MS = Number(process.env.SMOKE_READY_TIMEOUT_MS ?? 900_000); // a cold machine installs apt packages first
const STOP_LIMIT_MS = 10_000;
const log = (m) => process.stderr.write(`[smoke] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function listening(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function busyPorts() {
  const busy = [];
  for (const [name, port] of Object.entries(PORTS)) if (await listening(port)) busy.push(`${name} :${port}`);
  return busy;
}

async function nerAnswers() {
  try {
    const res = await fetch(`http://127.0.0.1:${PORTS.tagger}/ner`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: '新华社北京电，国务院总理李鹏今天会见了日本客人。' }),
      signal: AbortSignal.timeout(5000),
    });
    if (res.status !== 200) return false;
    const body = await res.json();
    return Array.isArray(body.entities) && body.entities.length > 0;
  } catch {
    return false;
  }
}

async function main() {
  const started = Date.now();
  const busy = await busyPorts();
  if (busy.length) {
    log(`ports already in use before the smoke: ${busy.join(', ')}; stop whatever listens there`);
    process.exit(1);
  }
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  const clone = mkdtempSync(path.join(path.dirname(repo), '.zhner-smoke-'));
  const logFile = path.join(clone, '..', `${path.basename(clone)}.log`);
  let failed;
  let child;
  try {
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repo, clone], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('git', ['checkout', '--quiet', commit], { cwd: clone, stdio: ['ignore', 'ignore', 'inherit'] });
    log(`fresh clone of ${commit.slice(0, 12)} in ${clone}; running \`npm start\``);

    // a newcomer's shell: none of the npm_* variables of the npm that may be running us
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
    const out = openSync(logFile, 'w');
    child = spawn('npm', ['start'], { cwd: clone, env, stdio: ['ignore', out, out], detached: true });
    closeSync(out);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let exit;
    child.once('exit', (code, signal) => (exit = { code, signal }));

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await nerAnswers())) {
      if (exit) throw new Error(`npm start exited before POST /ner answered (code ${exit.code}, signal ${exit.signal})`);
      if (Date.now() > deadline) throw new Error(`POST /ner did not answer within ${READY_TIMEOUT_MS / 1000} s`);
      await sleep(1000);
    }
    const readyAt = Date.now();
    log(`POST /ner answered ${((readyAt - started) / 1000).toFixed(1)} s after the clone; sending SIGINT to npm (pid ${child.pid})`);

    child.kill('SIGINT');
    const result = await Promise.race([exited, sleep(STOP_LIMIT_MS).then(() => undefined)]);
    if (!result) throw new Error(`npm start did not exit within ${STOP_LIMIT_MS / 1000} s of SIGINT`);
    const stopS = ((Date.now() - readyAt) / 1000).toFixed(1);
    if (!(result.code === 0 || result.code === 130)) throw new Error(`npm start exited with code ${result.code} (signal ${result.signal}) after SIGINT; expected 0 or 130`);
    const left = await busyPorts();
    if (left.length) throw new Error(`still listening after npm start exited: ${left.join(', ')}`);
    log(`stopped in ${stopS} s with exit status ${result.code}; no port left open; smoke passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } catch (err) {
    failed = err;
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL'); // the whole group npm started
      } catch {
        /* already gone */
      }
    }
    if (failed) {
      let tail = '';
      try {
        tail = readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n');
      } catch {
        /* no log */
      }
      log(`FAILED: ${failed.message}\n--- last lines of the npm start log (${logFile}) ---\n${tail}\n---`);
    }
    if (!keep) {
      rmSync(clone, { recursive: true, force: true });
      if (!failed) rmSync(logFile, { force: true });
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
