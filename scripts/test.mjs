#!/usr/bin/env node
// `npm test`: installs what is needed, then runs every check of the project against real
// infrastructure: type check, the trainer's pytest suite, jest unit tests, and the integration /
// end-to-end suites (real Kafka, PostgreSQL and Chromium, brought up by test/harness/globalSetup.ts:
// KAFKA_BROKERS/DATABASE_URL if set, else testcontainers where Docker answers, else the local
// launchers in deploy/local/infra.mjs). Every step runs; the exit code is non-zero if any failed.
//
//   npm test                      everything
//   npm test -- --only unit       one step: typecheck | python | unit | integration
//   npm test -- <jest args>       extra arguments go to both jest runs (e.g. a path pattern)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './setup.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
const jestArgs = onlyIdx >= 0 ? args.filter((_, i) => i !== onlyIdx && i !== onlyIdx + 1) : args;

setup({ purpose: 'test' });

const node = process.execPath;
const jest = [
  '--experimental-vm-modules',
  '--no-warnings=ExperimentalWarning',
  path.join(repo, 'node_modules', 'jest', 'bin', 'jest.js'),
];
const python = process.env.NER_PYTHON ?? path.join(repo, '.venv', 'bin', 'python');

const steps = [
  { name: 'typecheck', cmd: node, args: [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'python', cmd: python, args: ['-m', 'pytest', '-q', 'services/trainer-orchestrator/trainer/tests'] },
  { name: 'unit', cmd: node, args: [...jest, '--selectProjects', 'unit', ...jestArgs] },
  // one suite at a time: the suites share one broker and two cores
  { name: 'integration', cmd: node, args: [...jest, '--selectProjects', 'integration', '--runInBand', '--forceExit', ...jestArgs] },
];

const results = [];
for (const step of steps) {
  if (only && step.name !== only) continue;
  const started = Date.now();
  process.stderr.write(`\n=== ${step.name} ===\n`);
  const r = spawnSync(step.cmd, step.args, { stdio: 'inherit', cwd: repo, env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' } });
  results.push({ name: step.name, ok: r.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
}

process.stderr.write('\n=== summary ===\n');
for (const r of results) process.stderr.write(`${r.ok ? 'PASS' : 'FAIL'} ${r.name} (${r.seconds}s)\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
