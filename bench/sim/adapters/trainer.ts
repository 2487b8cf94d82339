// One fine-tune of the simulation through the platform's own training job (PythonTrainingJob:
// `python -m zhner_trainer finetune --init-from MODEL ...`, one process per fine-tune) on a training
// set written in the corpora format, exactly as a run of the orchestrator does.
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { FileWorkspace, PythonTrainingJob, type CorpusExample, type TrainerResult, type TrainingProgress } from '@zhner/trainer-orchestrator';

export interface FineTuneSpec {
  /** Folder of this fine-tune: data/{train,dev}.jsonl and model/ are written under it. */
  readonly dir: string;
  readonly runId: string;
  /** Model directory to start from. */
  readonly initFrom: string;
  /** The training set (new labels + replay, already shuffled by buildTrainingSet). */
  readonly train: readonly CorpusExample[];
  /**
   * The trainer's dev set. The trainer keeps the weights of its best epoch on it; the simulation
   * passes labelled documents here, never the evaluation set it reports.
   */
  readonly dev: readonly CorpusExample[];
  /** Per-run trainer overrides (epochs, seed, export settings ...). */
  readonly overrides: readonly string[];
  /** Aborting stops the trainer process (SIGTERM, then SIGKILL). */
  readonly signal?: AbortSignal;
}

export interface FineTuneOutcome {
  readonly modelDir: string;
  readonly result: TrainerResult;
  readonly progress: TrainingProgress[];
  readonly seconds: number;
}

export class SimTrainer {
  private readonly files = new FileWorkspace('.');

  constructor(private readonly job: PythonTrainingJob) {}

  /** Runs one fine-tune; rejects with TrainingJobError (the trainer's ERROR code and stderr tail). */
  async fineTune(spec: FineTuneSpec): Promise<FineTuneOutcome> {
    const trainFile = path.join(spec.dir, 'data', 'train.jsonl');
    const devFile = path.join(spec.dir, 'data', 'dev.jsonl');
    const modelDir = path.join(spec.dir, 'model');
    await this.files.writeCorpus(trainFile, spec.train);
    await this.files.writeCorpus(devFile, spec.dev);
    const progress: TrainingProgress[] = [];
    const started = Date.now();
    const result = await this.job.run({
      runId: spec.runId,
      trainFile,
      devFile,
      devLimit: 0,
      outDir: modelDir,
      initFrom: spec.initFrom,
      overrides: spec.overrides,
      onProgress: (p) => void progress.push(p),
      signal: spec.signal,
    });
    return { modelDir, result, progress, seconds: (Date.now() - started) / 1000 };
  }

  /** Deletes a model directory the simulation no longer needs (they are ~40 MB each). */
  async discard(modelDir: string): Promise<void> {
    await rm(modelDir, { recursive: true, force: true });
  }
}
