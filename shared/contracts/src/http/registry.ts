// The model registry's published API (owner: trainer-orchestrator, GET /models, GET /runs): what a
// version is, its metrics in ONE shape, and the label set corrections are checked against. The
// studio's Models page and label picker read it; nothing reads the registry's tables.
import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, Json, Nullable, Prf } from './common';

/**
 * A model reference in a request (rollouts, the tagger's admin swap): a registered version name,
 * never a location. The pattern admits every version the registry issues (letters, digits, . _ + -)
 * and no path syntax, so a path sent as a version is a 400 that does not echo it.
 */
export const ModelVersionRef = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]*$', description: 'a registered model version (its location and manifest checksum come from the registry; paths are refused)' });

export const TypeScores = Type.Object({ precision: Type.Number(), recall: Type.Number(), f1: Type.Number(), support: Type.Integer() });

/** Strict span + type scores of one evaluation set. */
export const EvalScores = Type.Object({
  precision: Type.Number(),
  recall: Type.Number(),
  f1: Type.Number(),
  docs: Nullable(Type.Integer()),
  perType: Type.Record(Type.String(), TypeScores),
});
export type EvalScores = Static<typeof EvalScores>;

/** Metrics of a model version: golden dev set, correction hold-out, and what they were compared with. */
export const ModelMetrics = Type.Object({
  dev: Nullable(EvalScores),
  holdout: Nullable(EvalScores),
  /** Other dev sets scored once (e.g. weibo/dev), by name. */
  extraDev: Type.Record(Type.String(), EvalScores),
  base: Nullable(Type.Object({ version: Type.String(), dev: Nullable(EvalScores), holdout: Nullable(EvalScores) })),
});
export type ModelMetrics = Static<typeof ModelMetrics>;

export const MODEL_STATUSES = ['registered', 'candidate', 'promoted', 'rejected', 'rolled_back', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export const ModelVersion = Type.Object({
  version: Type.String(),
  name: Type.String(),
  uri: Type.String(),
  manifestSha256: Type.String(),
  parentVersion: Nullable(Type.String()),
  status: Type.Union(MODEL_STATUSES.map((s) => Type.Literal(s))),
  /** Entity types the version tags (from its manifest). */
  entityTypes: Type.Array(Type.String()),
  metrics: ModelMetrics,
  trainingRunId: Nullable(Type.String()),
  createdAt: IsoTime,
  promotedAt: Nullable(IsoTime),
});
export type ModelVersion = Static<typeof ModelVersion>;

export const ModelList = Type.Object({
  promoted: Nullable(Type.String()),
  /** The entity types a correction may use now (the promoted model's, or LABEL_SET): the one label set. */
  labelSet: Type.Array(Type.String()),
  models: Type.Array(ModelVersion),
});
export type ModelList = Static<typeof ModelList>;

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'rejected'] as const;
export const RUN_TRIGGERS = ['schedule', 'backlog', 'manual'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const TrainingProgressSchema = Type.Object({ epoch: Type.Number(), step: Type.Number(), loss: Type.Number(), dev: Prf, elapsedS: Type.Number(), bestF1: Type.Number() });

export const TrainingRun = Type.Object({
  runId: Type.String(),
  status: Type.Union(RUN_STATUSES.map((s) => Type.Literal(s))),
  trigger: Type.Union(RUN_TRIGGERS.map((s) => Type.Literal(s))),
  baseVersion: Nullable(Type.String()),
  newVersion: Nullable(Type.String()),
  config: Json,
  dataStats: Json,
  progress: Type.Array(TrainingProgressSchema),
  metrics: Json,
  gate: Json,
  error: Nullable(Type.String()),
  runDir: Nullable(Type.String()),
  createdAt: IsoTime,
  startedAt: Nullable(IsoTime),
  finishedAt: Nullable(IsoTime),
  heartbeatAt: Nullable(IsoTime),
});
export type TrainingRun = Static<typeof TrainingRun>;
export const RunList = Type.Object({ runs: Type.Array(TrainingRun) });
export type RunList = Static<typeof RunList>;

/** The default entity types when no model names any (one constant for every service). */
export const DEFAULT_ENTITY_TYPES = ['PER', 'LOC', 'ORG'] as const;

/** An entity type name: upper-case letters, digits and underscores, starting with a letter (TIME, MONEY, GPE). */
export const ENTITY_TYPE_PATTERN = '^[A-Z][A-Z0-9_]{0,31}$';
export const EntityTypeName = Type.String({ pattern: ENTITY_TYPE_PATTERN, description: 'an entity type name (A-Z, 0-9, _; at most 32)' });

/** One type of the label set and where it comes from. */
export const LabelType = Type.Object({
  type: Type.String(),
  /** model: the promoted model tags it; admitted: an admin added it and no promoted model knows it yet; override: LABEL_SET. */
  source: Type.Union([Type.Literal('model'), Type.Literal('admitted'), Type.Literal('override')]),
  admittedAt: Nullable(IsoTime),
  admittedBy: Nullable(Type.String()),
  note: Nullable(Type.String()),
});
export type LabelType = Static<typeof LabelType>;

/** GET /label-set: the one label set (as in GET /models) with each type's origin. */
export const LabelSetView = Type.Object({ labelSet: Type.Array(Type.String()), types: Type.Array(LabelType) });
export type LabelSetView = Static<typeof LabelSetView>;

/** POST /label-set/types (admin): admit a type corrections may use before any model knows it. */
export const AdmitTypeBody = Type.Object({ type: EntityTypeName, by: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
export type AdmitTypeBody = Static<typeof AdmitTypeBody>;
