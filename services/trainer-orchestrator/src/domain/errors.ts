// Errors of the orchestrator's use cases; `code` decides the HTTP status (kit's httpStatusOf).
import { PlatformError } from '@zhner/core';

/** Another run is queued or running (one run at a time, across replicas). HTTP 409. */
export class RunInProgressError extends PlatformError {
  constructor(readonly activeRunId: string | null) {
    super('CONFLICT', `a training run is already active${activeRunId ? ` (${activeRunId})` : ''}; wait for it to finish`, { context: { activeRunId, reason: 'run_in_progress' } });
  }
}

/** Nothing to fine-tune on: no unused corrections, or no replay to carry them. HTTP 409. */
export class NothingToTrainError extends PlatformError {
  constructor(message: string, reason: 'nothing_to_train' | 'not_enough_corrections' = 'nothing_to_train') {
    super('CONFLICT', message, { context: { reason } });
  }
}

/** No promoted model to fine-tune from (register one, or set MODEL_DIR). HTTP 409. */
export class NoBaseModelError extends PlatformError {
  constructor() {
    super('CONFLICT', 'no promoted model to fine-tune from: the registry is empty and MODEL_DIR holds no manifest.json', { context: { reason: 'no_base_model' } });
  }
}

/** The training job failed (non-zero exit, no RESULT, no exported model). */
export class TrainingJobError extends PlatformError {
  constructor(message: string, context: { exitCode?: number | null; signal?: string | null; trainerCode?: string; runId?: string } = {}, cause?: unknown) {
    super('TRAINING_FAILED', message, { context, cause });
  }
}

/** The gate could not score a model (runtime failure, missing file). */
export class EvaluationError extends PlatformError {
  constructor(message: string, context: { modelDir?: string; dataset?: string } = {}, cause?: unknown) {
    super('EVALUATION_FAILED', message, { context, cause });
  }
}

export class NotFoundError extends PlatformError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} not found`, { context: { id } });
  }
}
