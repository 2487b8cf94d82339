#!/usr/bin/env node
// `npm start`: installs what is needed and starts the whole platform on one machine — tagger,
// sampler, trainer-orchestrator, reloader and studio in one process, on the in-process bus and the
// embedded store (PGlite under .data/pglite). Open http://localhost:8080.
//
// `npm start -- --infra local` runs the same services against a real Kafka and PostgreSQL started
// by the local launchers (deploy/local/infra.mjs) instead; what this command started it stops again.
//
// Signals: SIGINT or SIGTERM (to this process, to npm, or to the whole process group, as Ctrl+C
// does) stop the platform cleanly; the exit status is 0 after a clean stop. The platform runs in
// its own process group so that a group signal reaches it once, through us; a second signal more
// than a second after the first forces it (exit 1). If this process dies, the platform sees its
// IPC channel close and stops by itself.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './setup.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const infraCli = path.join(repo, 'deploy', 'local', 'infra.mjs');
const args = process.argv.slice(2);
const infra = args.includes('--infra') ? args[args.indexOf('--infra') + 1] : 'embedded';
const log = (m) => process.stderr.write(`[start] ${m}\n`);

if (infra !== 'embedded' && infra !== 'local') {
  log(`unknown --infra ${infra}: use embedded (default) or local`);
  process.exit(2);
}

setup({ purpose: 'start' });

/** Which of kafka/postgres answer now (deploy/local/infra.mjs status). */
function infraStatus() {
  const r = spawnSync(process.execPath, [infraCli, 'status'], { encoding: 'utf8' });
  return { kafka: /^kafka up/m.test(r.stdout ?? ''), postgres: /^postgres up/m.test(r.stdout ?? '') };
}

const env = { ...process.env };
/** The local services this command started (and so stops on exit). */
const startedHere = [];
if (infra === 'local') {
  const before = infraStatus();
  const r = spawnSync(process.execPath, [infraCli, 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
  for (const key of ['KAFKA_BROKERS', 'DATABASE_URL']) {
    const value = new RegExp(`${key}=(\\S+)`).exec(r.stdout)?.[1];
    if (!value) {
      log(`deploy/local/infra.mjs up did not print ${key}`);
      process.exit(1);
    }
    env[key] = value;
  }
  env.BUS = 'kafka';
  if (!before.kafka) startedHere.push('kafka');
  if (!before.postgres) startedHere.push('postgres');
}

function stopInfra() {
  for (const which of startedHere.splice(0)) spawnSync(process.execPath, [infraCli, 'down', which], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'deploy', 'local', 'platform.ts')], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  env,
  cwd: repo,
  detached: true,
});

let firstSignalAt = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    const now = Date.now();
    // npm forwards the signal it got and a terminal's Ctrl+C also reaches us directly: one stop
    if (firstSignalAt && now - firstSignalAt < 1000) return;
    if (!firstSignalAt) {
      firstSignalAt = now;
      child.kill(sig === 'SIGHUP' ? 'SIGTERM' : sig);
    } else {
      log('second signal: stopping the platform now');
      child.kill('SIGKILL');
    }
  });
}

child.on('exit', (code, signal) => {
  stopInfra();
  if (signal === 'SIGKILL') process.exit(1);
  process.exit(code ?? (signal ? 0 : 1));
});
