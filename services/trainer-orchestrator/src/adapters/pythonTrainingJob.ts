// The training job as a child process: `python -m zhner_trainer finetune --config CFG --out DIR
// --init-from MODEL_DIR --set section.key=value ...` (train without --init-from). stdout carries
// PROGRESS / RESULT lines, stderr logs and a final ERROR line on failure (see trainer/README.md).
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '@zhner/kit';
import { errors } from '../errors';
import { LineSplitter, parseTrainerLine, type TrainerErrorInfo, type TrainerResult } from '../domain/progress';
import type { TrainingJob, TrainingJobSpec } from '../app/ports';

export interface PythonTrainingJobOptions {
  /** The interpreter (NER_PYTHON, default <repo>/.venv/bin/python). */
  python: string;
  /** The trainer package root (holds zhner_trainer/); the working directory and PYTHONPATH. */
  trainerDir: string;
  /** The .cfg file: hyperparameters of the run ([model] comes from the parent when fine-tuning). */
  configFile: string;
  /** `section.key=value` overrides applied to every run, before the run's own. */
  overrides?: readonly string[];
  /** Extra environment for the child (e.g. NER_DATA_ROOT). */
  env?: Record<string, string>;
  /** Kill the job after this long, in ms (0 = never). Default 0. */
  timeoutMs?: number;
  /** After SIGTERM, wait this long before SIGKILL. Default 10 s. */
  killGraceMs?: number;
  logger?: Logger;
}

/** The `--set` overrides that point the trainer at the run's files (JSON values, as the trainer parses them). */
export function dataOverrides(spec: Pick<TrainingJobSpec, 'trainFile' | 'devFile' | 'devLimit'>): string[] {
  return [
    `corpora.train=${JSON.stringify([path.resolve(spec.trainFile)])}`,
    'corpora.train_repeat=[]',
    'corpora.train_limit=0',
    `corpora.dev=${JSON.stringify(path.resolve(spec.devFile))}`,
    `corpora.dev_limit=${spec.devLimit}`,
    'corpora.extra_dev=[]',
  ];
}

/** The argument vector of one run (exported for tests and for the simulation's own logging). */
export function trainerArgs(opts: Pick<PythonTrainingJobOptions, 'configFile' | 'overrides'>, spec: TrainingJobSpec): string[] {
  const args = ['-m', 'zhner_trainer', spec.initFrom ? 'finetune' : 'train', '--config', path.resolve(opts.configFile), '--out', path.resolve(spec.outDir)];
  if (spec.initFrom) args.push('--init-from', path.resolve(spec.initFrom));
  for (const o of [...dataOverrides(spec), ...(opts.overrides ?? []), ...(spec.overrides ?? [])]) args.push('--set', o);
  return args;
}

const TAIL_LINES = 40;

/**
 * Runs the Python trainer. Resolves with the RESULT payload; rejects with TRAINING_FAILED (non-zero
 * exit, killed, no RESULT, cannot start) carrying the trainer's ERROR code and the stderr tail.
 * Aborting `spec.signal` terminates the child (SIGTERM, then SIGKILL after the grace period).
 */
export class PythonTrainingJob implements TrainingJob {
  constructor(private readonly opts: PythonTrainingJobOptions) {}

  run(spec: TrainingJobSpec): Promise<TrainerResult> {
    const { opts } = this;
    const log = opts.logger?.child({ runId: spec.runId, job: 'python' });
    const args = trainerArgs(opts, spec);
    return new Promise<TrainerResult>((resolve, reject) => {
      if (spec.signal?.aborted) return reject(errors.create('TRAINING_ABORTED', { runId: spec.runId }));
      log?.info({ python: opts.python, args }, 'starting trainer');
      const pythonPath = [opts.trainerDir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
      const child = spawn(opts.python, args, {
        cwd: opts.trainerDir,
        env: { ...process.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1', ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // its own process group, so that stopping it also stops anything it started
        detached: true,
      });
      let result: TrainerResult | undefined;
      let trainerError: TrainerErrorInfo | undefined;
      let killedFor: string | undefined;
      const tail: string[] = [];
      // progress callbacks run one after another, in line order
      // (a failure to record progress is logged, not fatal: the run itself is fine)
      let progressChain: Promise<void> = Promise.resolve();

      const out = new LineSplitter((line) => {
        const parsed = parseTrainerLine(line);
        if (parsed.kind === 'progress') {
          log?.info({ epoch: parsed.progress.epoch, loss: parsed.progress.loss, devF1: parsed.progress.dev.f1 }, 'trainer progress');
          progressChain = progressChain.then(async () => {
            try {
              await spec.onProgress?.(parsed.progress);
            } catch (e) {
              log?.warn({ err: (e as Error).message }, 'recording trainer progress failed');
            }
          });
        } else if (parsed.kind === 'result') result = parsed.result;
        else if (parsed.kind === 'malformed') log?.warn({ line: parsed.line, reason: parsed.reason }, 'unreadable trainer line');
        else if (parsed.kind === 'error') trainerError = parsed.error;
        else log?.debug({ line }, 'trainer stdout');
      });
      const err = new LineSplitter((line) => {
        const parsed = parseTrainerLine(line);
        if (parsed.kind === 'error') trainerError = parsed.error;
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        log?.debug({ line }, 'trainer stderr');
      });
      child.stdout!.on('data', (d: Buffer) => out.push(d));
      child.stderr!.on('data', (d: Buffer) => err.push(d));

      let graceTimer: NodeJS.Timeout | undefined;
      const signalGroup = (sig: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, sig);
        } catch {
          child.kill(sig); // the group is gone already, or no group: the child alone
        }
      };
      const kill = (why: string) => {
        if (killedFor || child.exitCode !== null) return;
        killedFor = why;
        log?.warn({ why }, 'stopping trainer');
        signalGroup('SIGTERM');
        graceTimer = setTimeout(() => signalGroup('SIGKILL'), opts.killGraceMs ?? 10_000);
        graceTimer.unref?.();
      };
      const onAbort = () => kill(`aborted: ${String((spec.signal?.reason as Error | undefined)?.message ?? spec.signal?.reason ?? 'signal')}`);
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      const timeout = opts.timeoutMs ? setTimeout(() => kill(`timed out after ${opts.timeoutMs} ms`), opts.timeoutMs) : undefined;
      timeout?.unref?.();

      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        spec.signal?.removeEventListener('abort', onAbort);
        if (timeout) clearTimeout(timeout);
        if (graceTimer) clearTimeout(graceTimer);
        fn();
      };
      child.once('error', (e) => finish(() => reject(errors.create('TRAINER_NOT_STARTED', { runId: spec.runId, python: opts.python, detail: e.message }, { cause: e }))));
      child.once('close', (code, signal) => {
        out.end();
        err.end();
        void progressChain.then(() =>
          finish(() => {
            const context = { runId: spec.runId, exitCode: code, signal, trainerCode: trainerError?.code };
            if (killedFor) return reject(errors.create('TRAINER_KILLED', { ...context, killedFor }));
            if (code !== 0) {
              const why = trainerError ? `${trainerError.code}: ${trainerError.message}` : tail.slice(-8).join('\n') || 'no output';
              return reject(errors.create('TRAINER_EXITED', { ...context, exitStatus: code ?? signal, why }));
            }
            if (!result) return reject(errors.create('TRAINER_NO_RESULT', context));
            resolve(result);
          }),
        );
      });
    });
  }
}
