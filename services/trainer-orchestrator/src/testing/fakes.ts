// Stand-ins for the training job and the evaluator (unit and integration tests, dry runs of the
// loop): the fake job writes a minimal model directory with a manifest.json and reports progress
// lines like the real trainer; the fixed evaluator returns scores chosen per model directory.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CorpusExample, Scores } from '@zhner/core';
import { DEFAULT_MODEL_DIR } from '@zhner/model';
import { errors } from '../errors';
import type { TrainerResult, TrainingProgress } from '../domain/progress';
import type { Evaluator, TrainingJob, TrainingJobSpec } from '../app/ports';

/**
 * A complete manifest (the bundled model's, so the runtime's parser accepts it) naming another
 * version, parent, entity types and metrics: fake model directories hold nothing else.
 */
export function fakeManifest(o: { version: string; name?: string; parentVersion?: string | null; entityTypes: readonly string[]; metrics?: Record<string, unknown> }): string {
  const bundled = JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  return JSON.stringify({ ...bundled, name: o.name ?? 'fake', version: o.version, parent_version: o.parentVersion ?? null, entity_types: [...o.entityTypes], metrics: o.metrics ?? {} });
}

export interface FakeTrainingJobOptions {
  /** Version of the n-th model produced (1-based). Default `fake-<n>`. */
  version?: (n: number) => string;
  entityTypes?: string[];
  epochs?: number;
  /** Delay per epoch, ms. Default 0. */
  epochMs?: number;
  /** Make the job fail with this message. */
  failWith?: string;
}

/** A TrainingJob that writes `manifest.json` into `outDir` and emits one PROGRESS per epoch. */
export class FakeTrainingJob implements TrainingJob {
  /** Every spec the job was run with. */
  readonly specs: TrainingJobSpec[] = [];
  private n = 0;

  constructor(private readonly opts: FakeTrainingJobOptions = {}) {}

  async run(spec: TrainingJobSpec): Promise<TrainerResult> {
    this.specs.push(spec);
    this.n++;
    if (this.opts.failWith) throw errors.create('TRAINER_EXITED', { runId: spec.runId, exitCode: 2, exitStatus: 2, why: this.opts.failWith });
    const epochs = this.opts.epochs ?? 2;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      if (spec.signal?.aborted) throw errors.create('TRAINER_KILLED', { runId: spec.runId, killedFor: 'aborted' });
      if (this.opts.epochMs) await new Promise((r) => setTimeout(r, this.opts.epochMs));
      const f1 = 0.5 + epoch / 100;
      const p: TrainingProgress = { epoch, step: epoch * 10, loss: 1 / epoch, dev: { precision: f1, recall: f1, f1 }, elapsedS: epoch, bestF1: f1 };
      await spec.onProgress?.(p);
    }
    const version = this.opts.version?.(this.n) ?? `fake-${this.n}`;
    await mkdir(spec.outDir, { recursive: true });
    await writeFile(
      path.join(spec.outDir, 'manifest.json'),
      fakeManifest({ version, entityTypes: this.opts.entityTypes ?? ['LOC', 'ORG', 'PER'] }),
    );
    return { outDir: spec.outDir, version, bestEpoch: epochs, dev: { precision: 0.6, recall: 0.6, f1: 0.6 }, elapsedS: epochs, raw: {} };
  }
}

/** Writes a bundled-model stand-in (manifest.json only) into `dir`. */
export async function writeFakeModelDir(dir: string, version: string, entityTypes: string[] = ['LOC', 'ORG', 'PER']): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'manifest.json'), fakeManifest({ version, entityTypes, metrics: { dev: { f1: 0.5 } } }));
}

export function fixedScores(f1: number, docs: number): Scores {
  return { precision: f1, recall: f1, f1, docs, tp: 0, fp: 0, fn: 0, perType: {} };
}

/**
 * An Evaluator whose F1 is chosen per model directory and dataset: `f1(modelDir, dataset)`.
 * Records every call.
 */
export class FixedEvaluator implements Evaluator {
  readonly calls: Array<{ modelDir: string; dataset: string; docs: number }> = [];

  constructor(private readonly f1: (modelDir: string, dataset: string) => number) {}

  async evaluate(modelDir: string, docs: readonly CorpusExample[], dataset: string): Promise<Scores> {
    this.calls.push({ modelDir, dataset, docs: docs.length });
    return fixedScores(this.f1(modelDir, dataset), docs.length);
  }
}
