#!/usr/bin/env node
// `npm test`: installs what is needed, then runs every check of the project against real
// infrastructure: type check, the trainer's pytest suite, jest unit tests, and the integration /
// end-to-end suites (real Kafka, PostgreSQL and Chromium, brought up by test/harness/globalSetup.ts:
// KAFKA_BROKERS/DATABASE_URL if set, else testcontainers where Docker answers, else the local
// launchers in deploy/local/infra.mjs). Every step runs; the exit code is non-zero if any failed.
//
//   npm test                      everything
//   npm test -- --only unit       one step: typecheck | lint | python | unit | integration (repeatable)
//   npm test -- --keep-infra      leave the Kafka/PostgreSQL this run started running (and its temp folder)
//   npm test -- <jest args>       extra arguments go to both jest runs (e.g. a path pattern)
//
// Clean-up: what this run started (local Kafka and PostgreSQL that were not running before) is
// stopped at the end, and every temporary file of the run lives in one folder (TMPDIR for all the
// steps) that is removed at the end, unless --keep-infra.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './setup.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const infraCli = path.join(repo, 'deploy', 'local', 'infra.mjs');
const STEP_NAMES = ['typecheck', 'lint', 'python', 'unit', 'integration'];

const argv = process.argv.slice(2);
const only = [];
let keepInfra = false;
const jestArgs = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--only') only.push(argv[++i]);
  else if (argv[i] === '--keep-infra') keepInfra = true;
  else jestArgs.push(argv[i]);
}
for (const o of only) {
  if (!STEP_NAMES.includes(o)) {
    process.stderr.write(`--only ${o}: unknown step; use one of ${STEP_NAMES.join(', ')}\n`);
    process.exit(2);
  }
}
const wanted = (name) => only.length === 0 || only.includes(name);

const startedAt = Date.now();
setup({ purpose: 'test' });

const node = process.execPath;
const jest = ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', path.join(repo, 'node_modules', 'jest', 'bin', 'jest.js')];
const python = process.env.NER_PYTHON ?? path.join(repo, '.venv', 'bin', 'python');

const steps = [
  { name: 'typecheck', cmd: node, args: [path.join(repo, 'scripts', 'typecheck.mjs')] },
  { name: 'lint', cmd: node, args: [path.join(repo, 'scripts', 'lint.mjs')] },
  { name: 'python', cmd: python, args: ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'services/trainer-orchestrator/trainer/tests'] },
  { name: 'unit', cmd: node, args: [...jest, '--selectProjects', 'unit', ...jestArgs] },
  { name: 'integration', cmd: node, args: [...jest, '--selectProjects', 'integration', '--runInBand', '--forceExit', ...jestArgs], infra: true },
].filter((s) => wanted(s.name));

/** Which local services answer now (deploy/local/infra.mjs status). */
function infraStatus() {
  const r = spawnSync(node, [infraCli, 'status'], { encoding: 'utf8' });
  return { kafka: /^kafka up/m.test(r.stdout ?? ''), postgres: /^postgres up/m.test(r.stdout ?? '') };
}

// One temporary folder for every step (jest workers, Chromium profiles, trainer runs, model copies).
const runTmp = mkdtempSync(path.join(os.tmpdir(), 'zhner-test-run-'));
const env = { ...process.env, TMPDIR: runTmp, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };
const startedInfra = [];

let current;
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted = true;
    current?.kill(sig);
  });
}

function runStep(step) {
  return new Promise((resolve) => {
    current = spawn(step.cmd, step.args, { stdio: 'inherit', cwd: repo, env });
    current.once('exit', (code) => resolve(code === 0));
    current.once('error', (err) => {
      process.stderr.write(`${step.name}: ${err.message}\n`);
      resolve(false);
    });
  });
}

function cleanUp() {
  if (keepInfra) {
    if (startedInfra.length) process.stderr.write(`--keep-infra: ${startedInfra.join(' and ')} left running (npm run infra:down stops them); temp folder ${runTmp}\n`);
    return;
  }
  for (const which of startedInfra) spawnSync(node, [infraCli, 'down', which], { stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(runTmp, { recursive: true, force: true });
}

const results = [];
try {
  for (const step of steps) {
    if (interrupted) break;
    if (step.infra && !(process.env.KAFKA_BROKERS && process.env.DATABASE_URL)) {
      // the harness would start the local launchers itself; starting them here, with the normal
      // temp folder, lets this run know what it started and stop exactly that afterwards
      const before = infraStatus();
      if (!before.kafka || !before.postgres) {
        const dockerEnv = process.env.NER_TEST_INFRA !== 'local' && spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 }).status === 0;
        if (!dockerEnv) {
          const up = spawnSync(node, [infraCli, 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
          if (up.status === 0) {
            if (!before.kafka) startedInfra.push('kafka');
            if (!before.postgres) startedInfra.push('postgres');
          }
        }
      }
    }
    const t0 = Date.now();
    process.stderr.write(`\n=== ${step.name} ===\n`);
    const ok = await runStep(step);
    results.push({ name: step.name, ok, seconds: Math.round((Date.now() - t0) / 1000) });
  }
} finally {
  cleanUp();
}

process.stderr.write('\n=== summary ===\n');
for (const r of results) process.stderr.write(`${r.ok ? 'PASS' : 'FAIL'} ${r.name} (${r.seconds}s)\n`);
process.stderr.write(`total ${Math.round((Date.now() - startedAt) / 1000)}s (setup included)\n`);
process.exit(!interrupted && results.length === steps.length && results.every((r) => r.ok) ? 0 : 1);
