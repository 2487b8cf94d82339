// The orchestrator's environment variables (bus, store and HTTP variables come from runStandalone).
// Relative paths are resolved against the repository root, as the Python trainer does.
import os from 'node:os';
import { adminConfigSpec } from '@zhner/kit';
import { env, type ConfigOf, type FieldSpec } from '@zhner/core';
import { parseCronSetting } from './adapters/cronSetting';

/** TRAIN_CRON: unset = daily at 03:00; empty or "off" = no schedule; else a cron expression (checked). */
function cronField(variable: string, def: string, doc: string): FieldSpec<string> {
  return {
    variable,
    doc,
    defaultText: def,
    parse(raw) {
      const value = raw === undefined ? def : raw;
      const s = parseCronSetting(value);
      if ('problem' in s) return { ok: false, problem: `${variable}: ${s.problem}` };
      return { ok: true, value: s.enabled ? s.expression : '' };
    },
  };
}

/** `;`-separated `section.key=value` trainer overrides (values may hold commas: JSON lists). */
export function splitOverrides(text: string): string[] {
  return text
    .split(/;|\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export const configSpec = {
  modelsDir: env.string('MODELS_DIR', { default: '.data/models', doc: 'Where run directories (training sets, trained models) are written: MODELS_DIR/runs/<runId>/' }),
  modelDir: env.string('MODEL_DIR', { default: 'models/zh-ner-default', doc: 'The bundled model, registered as promoted when the registry is empty (its manifest.json gives version and metrics)' }),
  labelSet: env.optional(env.list('LABEL_SET', { doc: 'Entity types corrections may use; unset = the promoted model\'s entity_types (fallback LOC,ORG,PER)' })),
  holdoutShare: env.number('HOLDOUT_SHARE', { default: 0.1, min: 0, max: 0.5, doc: 'Share of texts (by a hash of the text hash) kept out of training to score models on corrected data' }),
  trainCron: cronField('TRAIN_CRON', '0 3 * * *', 'Cron schedule of fine-tuning runs (5 or 6 fields); empty or "off" = no schedule. A tick with no unused corrections starts nothing'),
  backlogThreshold: env.int('TRAIN_BACKLOG_THRESHOLD', { default: 200, min: 0, doc: 'Start a run when this many unused training corrections wait (0 = off)' }),
  backlogCheckMs: env.durationMs('TRAIN_BACKLOG_CHECK_INTERVAL', { default: '30s', doc: 'How often the backlog is checked besides after each batch of corrections (0 = only then)' }),
  newDataCap: env.number('TRAIN_NEW_DATA_CAP', { default: 0.15, min: 0.01, max: 1, doc: 'Largest share of new corrections in a training set; replay fills the rest' }),
  replayFiles: env.list('TRAIN_REPLAY_FILES', { default: ['../shared/data/msra/train.jsonl'], doc: 'Corpus files (JSONL, code-point offsets) replayed beside the corrections' }),
  trainSeed: env.int('TRAIN_SEED', { default: 13, min: 0, doc: 'Seed of the replay sample (mixed with the run id)' }),
  python: env.string('NER_PYTHON', { default: '.venv/bin/python', doc: 'Python interpreter with the trainer\'s requirements' }),
  trainerDir: env.string('TRAINER_DIR', { default: 'services/trainer-orchestrator/trainer', doc: 'The trainer package root (holds zhner_trainer/)' }),
  trainerConfig: env.string('TRAINER_CONFIG', { default: 'services/trainer-orchestrator/trainer/configs/finetune.cfg', doc: 'Trainer .cfg of fine-tuning runs (short, gentle; [model] comes from the parent model)' }),
  trainerSet: env.string('TRAINER_SET', { default: '', defaultDoc: '(none)', doc: '`;`-separated section.key=value overrides for every run (JSON values), e.g. training.epochs=1;system.device="cpu"' }),
  trainerTimeoutMs: env.durationMs('TRAINER_TIMEOUT', { default: '6h', doc: 'Kill a training job running longer (0 = never)' }),
  devFile: env.string('GATE_DEV_FILE', { default: '../shared/data/peoples_daily/dev.jsonl', doc: 'Dev corpus: early stopping in the trainer and the gate\'s dev F1' }),
  devLimit: env.int('GATE_DEV_LIMIT', { default: 500, min: 0, doc: 'Sentences of GATE_DEV_FILE used (0 = all)' }),
  gateMaxDevDrop: env.number('GATE_MAX_DEV_DROP', { default: 0.5, min: 0, max: 100, doc: 'Largest allowed dev F1 drop of a candidate vs the promoted model, in F1 points' }),
  gateMaxHoldoutDrop: env.number('GATE_MAX_HOLDOUT_DROP', { default: 0, min: 0, max: 100, doc: 'Largest allowed hold-out F1 drop, in F1 points (0 = must not drop)' }),
  gateMinHoldoutDocs: env.int('GATE_MIN_HOLDOUT_DOCS', { default: 20, min: 0, doc: 'Below this many hold-out corrections the hold-out check cannot run (too noisy): GATE_MISSING_EVIDENCE decides' }),
  gateMissingEvidence: env.oneOf('GATE_MISSING_EVIDENCE', ['hold', 'fail', 'allow'] as const, { default: 'hold', doc: 'A gate check that cannot run: hold (register, do not publish: no automatic rollout), fail (reject), allow (pass, recorded as not evaluated)' }),
  gateMaxTypeDrop: env.number('GATE_MAX_TYPE_DROP', { default: 2, min: 0, max: 100, doc: 'Largest allowed F1 drop of ONE entity type the base model also tags, per set, in F1 points' }),
  gateMinTypeSupport: env.int('GATE_MIN_TYPE_SUPPORT', { default: 20, min: 1, doc: 'Gold mentions a type needs in a set to be judged there (fewer: noted; for a new type on the hold-out: missing evidence)' }),
  gateNewTypeMinF1: env.number('GATE_NEW_TYPE_MIN_F1', { default: 50, min: 0, max: 100, doc: 'Hold-out F1 (points) a type the base model does not tag needs (it has no golden dev set)' }),
  manualMinCorrections: env.int('TRAIN_MANUAL_MIN_CORRECTIONS', { default: 10, min: 1, doc: 'Unused training corrections a manual run (POST /runs, admin) needs at least' }),
  gateSlices: env.string('GATE_SLICES', { default: 'default', doc: 'Bias slices the gate scores on dev and hold-out: default (shared/core/slices/default.json), off, or a slice file of the same shape' }),
  gateBiasTolerance: env.number('GATE_BIAS_TOLERANCE', { default: 3, min: 0, max: 100, doc: 'Largest allowed widening of a slice group\'s F1 gap vs the promoted model, in F1 points' }),
  gateBiasAction: env.oneOf('GATE_BIAS_ACTION', ['flag', 'reject'] as const, { default: 'flag', doc: 'A widened bias gap: flag (stored with the gate decision, the candidate may pass) or reject' }),
  gatePrecision: env.oneOf('GATE_PRECISION', ['auto', 'int8', 'fp32'] as const, { default: 'auto', doc: 'Model variant the gate scores (auto = int8 when the model has one, as replicas serve it)' }),
  evalBatchSize: env.int('GATE_EVAL_BATCH', { default: 32, min: 1, max: 1024, doc: 'Texts per model-runtime call when scoring' }),
  runStaleAfterMs: env.durationMs('RUN_STALE_AFTER', { default: '10m', min: 1000, doc: 'A running run without a heartbeat for this long is failed (its process died)' }),
  runHeartbeatMs: env.durationMs('RUN_HEARTBEAT_INTERVAL', { default: '30s', min: 100, doc: 'How often a running run refreshes its heartbeat' }),
  // ADMIN_TOKEN, INSECURE_OPEN_ADMIN: admin routes are closed unless a token is set (kit)
  ...adminConfigSpec,
  instanceId: env.string('INSTANCE_ID', { default: `${os.hostname()}-${process.pid}`, defaultDoc: 'hostname-pid', doc: "This replica's name, recorded as the owner of its runs" }),
};

export type OrchestratorConfig = ConfigOf<typeof configSpec>;
