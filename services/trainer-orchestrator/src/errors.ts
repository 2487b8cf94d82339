// Every error the orchestrator raises. Codes and statuses are a published API (the studio's Models
// page and the integration suites branch on them): the three reasons a run cannot start all answer
// 409 CONFLICT, told apart by context.reason; a failed run stores its code and message.
import { defineErrors } from '@zhner/core';

const cannotStart = { code: 'CONFLICT', status: 409 } as const;
const trainingFailed = { code: 'TRAINING_FAILED' } as const;
const evaluationFailed = { code: 'EVALUATION_FAILED' } as const;
const manifestInvalid = { code: 'MANIFEST_INVALID' } as const;

export const errors = defineErrors('trainer-orchestrator', {
  RUN_IN_PROGRESS: { ...cannotStart, message: 'a training run is already active ({activeRunId}); wait for it to finish', doc: 'one run at a time, across replicas (context.reason run_in_progress)' },
  NO_NEW_CORRECTIONS: { ...cannotStart, message: 'no corrections to learn from: every active training correction is already in the promoted model', doc: 'context.reason nothing_to_train' },
  NOT_ENOUGH_CORRECTIONS: {
    ...cannotStart,
    message: '{pending} new correction(s) wait; a manual run needs at least {minimum} (TRAIN_MANUAL_MIN_CORRECTIONS)',
    doc: 'context.reason not_enough_corrections',
  },
  REPLAY_POOL_TOO_SMALL: {
    ...cannotStart,
    message: 'the replay pool ({replayEligible} eligible sentences) is too small to carry even one new example under the {cap} cap',
    doc: 'raised inside a run (it fails); context.reason nothing_to_train',
  },
  NO_BASE_MODEL: { ...cannotStart, message: 'no promoted model to fine-tune from: the registry is empty and MODEL_DIR holds no manifest.json', doc: 'context.reason no_base_model' },
  NOT_READY: { status: 503, retriable: true, message: 'the orchestrator is shutting down' },
  RUN_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'run {id} not found' },
  MODEL_VERSION_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'model version {id} not found' },
  RUNS_TAKES_NO_BODY: {
    code: 'VALIDATION_FAILED',
    status: 400,
    validation: true,
    message: 'POST /runs takes no body (or {}): the run trains the promoted model on the stored corrections, as configured',
  },
  TRAINING_ABORTED: { ...trainingFailed, message: 'run {runId} aborted before the trainer started' },
  TRAINER_NOT_STARTED: { ...trainingFailed, message: 'cannot start the trainer ({python}): {detail}' },
  TRAINER_KILLED: { ...trainingFailed, message: 'trainer {killedFor}', doc: 'aborted (shutdown) or timed out (TRAIN_TIMEOUT)' },
  TRAINER_EXITED: { ...trainingFailed, message: 'trainer exited with {exitStatus}: {why}', doc: "the trainer's ERROR line, else its last stderr lines" },
  TRAINER_NO_RESULT: { ...trainingFailed, message: 'trainer exited 0 without a RESULT line' },
  TRAINER_EXPORTED_NOTHING: { ...trainingFailed, message: 'the trainer exported no model (RESULT without a version; is export.onnx false?)' },
  EVALUATION_LOAD_FAILED: { ...evaluationFailed, message: 'cannot load {modelDir} to score {dataset}: {detail}' },
  EVALUATION_COUNT_MISMATCH: { ...evaluationFailed, message: 'model returned {returned} predictions for {expected} texts' },
  EVALUATION_FAILED: { ...evaluationFailed, message: 'scoring {modelDir} on {dataset} failed: {detail}' },
  CORPUS_NOT_FOUND: { message: 'corpus file {file} not found' },
  MANIFEST_UNREADABLE: { ...manifestInvalid, message: 'cannot read {file}: {detail}' },
  MANIFEST_NOT_JSON: { ...manifestInvalid, message: '{file} is not JSON' },
  MANIFEST_REFUSED: { ...manifestInvalid, message: '{detail}', doc: 'the runtime\'s parseManifest refused it (a field missing or malformed, named in the message)' },
  VERSION_EXISTS: { message: 'model version {version} is already registered (identical weights?)' },
  TYPE_EXISTS: { code: 'TYPE_EXISTS', status: 409, message: 'entity type {type} is already in the label set ({source})' },
  TYPE_NOT_ADMITTED: { code: 'NOT_FOUND', status: 404, message: 'entity type {type} is not an admitted type' },
  TYPE_IN_MODEL: {
    code: 'TYPE_IN_MODEL',
    status: 409,
    message: 'entity type {type} is tagged by the promoted model {version}: it cannot be removed from the label set here (a model that no longer tags it must be trained and promoted first)',
  },
  TYPES_OVERRIDDEN: { code: 'CONFLICT', status: 409, message: 'LABEL_SET is configured: the label set is fixed by the operator ({labelSet}); unset it to admit or remove types' },
  RUN_NOT_ACTIVE: { message: 'run {runId} is no longer running (failed as stale?)', doc: 'the run was failed as stale while it finished' },
});
