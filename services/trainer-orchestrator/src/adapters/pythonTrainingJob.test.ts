// The child-process adapter against a stand-in interpreter (a shell script) that prints what the
// real trainer prints: argument passing, live progress, RESULT, ERROR, exit codes and abort.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errors } from '../errors';
import type { TrainingProgress } from '../domain/progress';
import { PythonTrainingJob, trainerArgs } from './pythonTrainingJob';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pyjob-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fakePython(name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/${name}.args"\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

const spec = (extra: Partial<Parameters<PythonTrainingJob['run']>[0]> = {}) => ({
  runId: 'run-1',
  trainFile: '/data/run-1/train.jsonl',
  devFile: '/data/dev.jsonl',
  devLimit: 50,
  outDir: '/models/run-1/model',
  initFrom: '/models/base',
  ...extra,
});

describe('trainerArgs', () => {
  it('fine-tunes from the parent with the run files and the overrides, in order', () => {
    expect(trainerArgs({ configFile: '/cfg/default.cfg', overrides: ['training.epochs=3'] }, { ...spec(), overrides: ['system.seed=5'] })).toEqual([
      '-m', 'zhner_trainer', 'finetune', '--config', '/cfg/default.cfg', '--out', '/models/run-1/model', '--init-from', '/models/base',
      '--set', 'corpora.train=["/data/run-1/train.jsonl"]', '--set', 'corpora.train_repeat=[]', '--set', 'corpora.train_limit=0',
      '--set', 'corpora.dev="/data/dev.jsonl"', '--set', 'corpora.dev_limit=50', '--set', 'corpora.extra_dev=[]',
      '--set', 'training.epochs=3', '--set', 'system.seed=5',
    ]);
    expect(trainerArgs({ configFile: '/c.cfg' }, spec({ initFrom: null })).slice(0, 7)).toEqual(['-m', 'zhner_trainer', 'train', '--config', '/c.cfg', '--out', '/models/run-1/model']);
  });
});

describe('PythonTrainingJob', () => {
  it('reports each PROGRESS line as it comes and resolves with RESULT', async () => {
    const py = await fakePython(
      'ok',
      `echo '[trainer] starting' >&2
echo 'PROGRESS {"epoch":1,"step":5,"loss":3.5,"dev":{"precision":0.5,"recall":0.4,"f1":0.44},"elapsed_s":1.0,"best_f1":0.44}'
sleep 0.2
echo 'PROGRESS {"epoch":2,"step":10,"loss":2.5,"dev":{"precision":0.6,"recall":0.5,"f1":0.55},"elapsed_s":2.0,"best_f1":0.55}'
echo 'RESULT {"out_dir":"/models/run-1/model","version":"zh-ner-bilstm-crf-20250101-0123abcd","best_epoch":2,"dev":{"precision":0.6,"recall":0.5,"f1":0.55},"elapsed_s":2.5}'`,
    );
    const seen: Array<{ p: TrainingProgress; at: number }> = [];
    const job = new PythonTrainingJob({ python: py, trainerDir: dir, configFile: '/cfg.cfg' });
    const result = await job.run({ ...spec(), onProgress: async (p) => void seen.push({ p, at: Date.now() }) });
    expect(result).toMatchObject({ version: 'zh-ner-bilstm-crf-20250101-0123abcd', bestEpoch: 2, dev: { f1: 0.55 } });
    expect(seen.map((s) => s.p.epoch)).toEqual([1, 2]);
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(150); // live, not collected at exit
    const args = (await readFile(path.join(dir, 'ok.args'), 'utf8')).trim().split('\n');
    expect(args.slice(0, 3)).toEqual(['-m', 'zhner_trainer', 'finetune']);
  });

  it('fails with the trainer ERROR code and message on a non-zero exit', async () => {
    const py = await fakePython('bad', `echo 'ERROR {"code":"E_CONFIG","message":"training.patience: must be >= 0","key":"training.patience"}' >&2\nexit 2`);
    const err = await new PythonTrainingJob({ python: py, trainerDir: dir, configFile: '/c.cfg' }).run(spec()).catch((e: unknown) => e);
    expect(errors.is(err, 'TRAINER_EXITED')).toBe(true);
    expect(err).toMatchObject({ code: 'TRAINING_FAILED', context: { exitCode: 2, trainerCode: 'E_CONFIG' } });
    expect((err as Error).message).toMatch(/exited with 2: E_CONFIG: training.patience/);
  });

  it('fails when the trainer exits 0 without RESULT, and when it cannot start', async () => {
    const py = await fakePython('silent', 'exit 0');
    await expect(new PythonTrainingJob({ python: py, trainerDir: dir, configFile: '/c.cfg' }).run(spec())).rejects.toThrow(/without a RESULT/);
    await expect(new PythonTrainingJob({ python: path.join(dir, 'nope'), trainerDir: dir, configFile: '/c.cfg' }).run(spec())).rejects.toThrow(/cannot start the trainer/);
  });

  it('terminates the child on abort', async () => {
    const py = await fakePython('slow', `echo 'PROGRESS {"epoch":1,"step":1,"loss":1,"dev":{"precision":0,"recall":0,"f1":0},"elapsed_s":0,"best_f1":0}'\nsleep 30`);
    const abort = new AbortController();
    const started = Date.now();
    const run = new PythonTrainingJob({ python: py, trainerDir: dir, configFile: '/c.cfg', killGraceMs: 500 }).run({ ...spec(), signal: abort.signal, onProgress: () => abort.abort(new Error('shutting down')) });
    await expect(run).rejects.toThrow(/aborted: shutting down/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
