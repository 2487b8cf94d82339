#!/usr/bin/env node
// `npm start`: installs what is needed and starts the whole platform on one machine — tagger,
// sampler, trainer-orchestrator, reloader and studio in one process, on the in-process bus and the
// embedded store (PGlite under .data/pglite). Open http://localhost:8080.
//
// `npm start -- --infra local` runs the same services against a real Kafka and PostgreSQL started
// by the local launchers (deploy/local/infra.mjs) instead.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './setup.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const infra = args.includes('--infra') ? args[args.indexOf('--infra') + 1] : 'embedded';

setup({ purpose: 'start' });

const env = { ...process.env };
if (infra === 'local') {
  const r = spawnSync(process.execPath, [path.join(repo, 'deploy', 'local', 'infra.mjs'), 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
  for (const key of ['KAFKA_BROKERS', 'DATABASE_URL']) {
    const value = new RegExp(`${key}=(\\S+)`).exec(r.stdout)?.[1];
    if (!value) {
      process.stderr.write(`deploy/local/infra.mjs up did not print ${key}\n`);
      process.exit(1);
    }
    env[key] = value;
  }
  env.BUS = 'kafka';
} else if (infra !== 'embedded') {
  process.stderr.write(`unknown --infra ${infra}: use embedded (default) or local\n`);
  process.exit(2);
}

const child = spawn(path.join(repo, 'node_modules', '.bin', 'tsx'), [path.join(repo, 'deploy', 'local', 'platform.ts')], { stdio: 'inherit', env, cwd: repo });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
