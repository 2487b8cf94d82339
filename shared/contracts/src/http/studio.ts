// The studio's own API (/api/*): the schemas its routes validate and serialise with, and the
// Static<> types the web bundle imports type-only. Times here are epoch milliseconds (the
// registry's and the reloader's passed-through objects keep their ISO times).
import { Type, type Static } from '@sinclair/typebox';
import { ModelVersion, TrainingRun } from './registry';
import { Replica, Rollout } from './rollouts';
import { CANDIDATE_STATUSES } from './queue';
import { Nullable } from './common';

export const Epoch = Type.Number({ description: 'epoch milliseconds' });

export const PredictedEntity = Type.Object({
  start: Type.Integer({ description: 'UTF-16 offset, inclusive' }),
  end: Type.Integer({ description: 'UTF-16 offset, exclusive' }),
  type: Type.String(),
  text: Type.String(),
  score: Type.Number({ description: 'confidence 0..1' }),
});
export type PredictedEntity = Static<typeof PredictedEntity>;

/** Spans as submitted: numbers (not integers) so that the correction rules, not the schema, name the offending span. */
export const SpanIn = Type.Object(
  {
    start: Type.Number({ description: 'UTF-16 offset, inclusive' }),
    end: Type.Number({ description: 'UTF-16 offset, exclusive' }),
    type: Type.String({ description: 'an entity type of the label set' }),
    text: Type.String({ description: 'surface text; must equal text.slice(start, end)' }),
  },
  { additionalProperties: false },
);
export type SpanIn = Static<typeof SpanIn>;

/** A span as stored and shown (integers, UTF-16 offsets). */
export const Span = Type.Object({ start: Type.Integer(), end: Type.Integer(), type: Type.String(), text: Type.String() });
export type Span = Static<typeof Span>;

export const CandidateStatusSchema = Type.Union(CANDIDATE_STATUSES.map((s) => Type.Literal(s)));
export const Depth = Type.Object({ open: Type.Integer(), claimed: Type.Integer(), done: Type.Integer(), skipped: Type.Integer(), expired: Type.Integer() });
export type Depth = Static<typeof Depth>;

export const Candidate = Type.Object(
  {
    candidateId: Type.String(),
    docId: Type.String(),
    source: Type.String(),
    text: Type.String(),
    textHash: Type.String(),
    modelVersion: Type.String(),
    strategy: Type.String({ description: 'why it was picked: the versioned sampling strategy' }),
    score: Type.Number({ description: "the strategy's uncertainty score" }),
    scores: Type.Record(Type.String(), Type.Number()),
    cluster: Nullable(Type.Integer()),
    novelty: Nullable(Type.Number()),
    priority: Type.Number(),
    predicted: Type.Array(PredictedEntity),
    status: CandidateStatusSchema,
    claimedBy: Nullable(Type.String()),
    claimedAt: Nullable(Epoch),
    claimExpiresAt: Nullable(Epoch),
    createdAt: Epoch,
    updatedAt: Epoch,
  },
  { $id: 'Candidate' },
);
export type QueueItem = Static<typeof Candidate>;

export const ClaimedItem = Type.Object({
  candidate: Type.Ref(Candidate),
  revision: Type.Integer({ description: 'the revision number the next correction of this item must carry' }),
});
export type ClaimedItem = { candidate: QueueItem; revision: number };

export const CorrectionOut = Type.Object(
  {
    correctionId: Type.String(),
    candidateId: Nullable(Type.String()),
    docId: Type.String(),
    text: Type.String(),
    annotator: Type.String(),
    revision: Type.Integer(),
    entities: Type.Array(Span),
    modelVersion: Nullable(Type.String()),
    origin: Type.String(),
    createdAt: Epoch,
    /** The types the annotator was offered (a type outside it was not annotated); null: not recorded. */
    labelSet: Type.Optional(Nullable(Type.Array(Type.String()))),
    /** Guideline version of each type the correction was made under; null: not recorded. */
    guidelineVersions: Type.Optional(Nullable(Type.Record(Type.String(), Type.Integer()))),
  },
  { $id: 'Correction' },
);
export type CorrectionOut = Static<typeof CorrectionOut>;

export const StoredCorrection = Type.Object({
  ...CorrectionOut.properties,
  textHash: Type.String(),
  status: Type.String({ description: 'accepted, superseded (by a newer revision or an adjudication) or rejected' }),
  predicted: Nullable(Type.Array(PredictedEntity)),
  /** The routing sent it to review (an annotator's first REVIEW_FIRST, then REVIEW_SHARE). */
  reviewRequired: Type.Optional(Type.Boolean()),
});
export type StoredCorrectionOut = Static<typeof StoredCorrection>;

export const PrincipalSchema = Type.Object({ annotatorId: Type.String(), displayName: Type.String(), role: Type.Union([Type.Literal('annotator'), Type.Literal('admin')]), tokenId: Type.String() });
export type PrincipalOut = Static<typeof PrincipalSchema>;

/** How the studio presents one entity type: colour, shortcut key and its current guideline. */
export const StudioEntityType = Type.Object({
  type: Type.String(),
  colour: Type.String({ description: '#rrggbb' }),
  shortcut: Nullable(Type.String({ description: 'the key that gives a selection this type (1-9)' })),
  guideline: Nullable(Type.Object({ version: Type.Integer(), body: Type.String({ description: 'markdown' }), createdAt: Type.Number(), createdBy: Type.String() })),
  /** Added by an admin in the studio (else: a type of the model, shown with default colour and key). */
  custom: Type.Boolean(),
});
export type StudioEntityType = Static<typeof StudioEntityType>;

export const StudioConfig = Type.Object({
  labels: Type.Array(Type.String()),
  /** One entry per label, same order: colours, keys and guidelines (nothing in the pages knows a type by name). */
  types: Type.Array(StudioEntityType),
  labelSource: Type.String({ description: "config (LABELS) or model (the registry's label set)" }),
  claimTtlMs: Type.Integer(),
  annotationsPerItem: Type.Integer(),
});
export type StudioConfig = Static<typeof StudioConfig>;

export const AnnotatorStats = Type.Object({
  annotatorId: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  disabled: Type.Boolean(),
  corrections: Type.Integer(),
  last7Days: Type.Integer(),
  skips: Type.Integer(),
  lastCorrectionAt: Nullable(Type.Number()),
  adjudicated: Type.Integer(),
  agreed: Type.Integer(),
  agreementF1: Nullable(Type.Number()),
  spotChecksOk: Type.Integer(),
  spotChecksWrong: Type.Integer(),
  points: Type.Integer(),
});
export type AnnotatorStats = Static<typeof AnnotatorStats>;

/** Agreement of one pair of annotators over the texts both corrected (latest revision each). */
export const AgreementFigures = Type.Object({
  items: Type.Integer({ description: 'texts both annotators corrected' }),
  spansA: Type.Integer(),
  spansB: Type.Integer(),
  exactF1: Type.Number({ description: 'same start, end and type; 1 when both sets are empty' }),
  partialF1: Type.Number({ description: 'same type, overlapping by at least one character, matched one to one' }),
  kappa: Nullable(Type.Number({ description: "Cohen's κ on character labels (type or O); null when undefined" })),
  alpha: Nullable(Type.Number({ description: "Krippendorff's α (nominal) on character labels; null when undefined" })),
});
export type AgreementFigures = Static<typeof AgreementFigures>;
export const PairAgreement = Type.Intersect([Type.Object({ a: Type.String(), b: Type.String(), perType: Type.Record(Type.String(), AgreementFigures) }), AgreementFigures]);
export type PairAgreement = Static<typeof PairAgreement>;

export const ConflictItem = Type.Object({ textHash: Type.String(), docId: Type.String(), text: Type.String(), candidateId: Nullable(Type.String()), corrections: Type.Array(StoredCorrection), proposal: Type.Array(Span) });
export type ConflictItem = Static<typeof ConflictItem>;

const NumMap = Type.Record(Type.String(), Type.Number());
export const MetricSummary = Type.Object({ devF1: Nullable(Type.Number()), holdoutF1: Nullable(Type.Number()), devPerType: NumMap, holdoutPerType: NumMap });
export type MetricSummary = Static<typeof MetricSummary>;
/** A registry version as the Models page shows it: the registry's object plus a summary of its metrics. */
export const ModelsPageVersion = Type.Intersect([ModelVersion, Type.Object({ summary: MetricSummary })]);
export type ModelsPageVersion = Static<typeof ModelsPageVersion>;
export const ModelsOverview = Type.Object({ versions: Type.Array(ModelsPageVersion), runs: Type.Array(TrainingRun), replicas: Type.Array(Replica), rollouts: Type.Array(Rollout), promoted: Nullable(Type.String()) });
export type ModelsOverview = Static<typeof ModelsOverview>;

export const Bin = Type.Object({ from: Type.Number(), to: Type.Number(), n: Type.Integer() });
export type Bin = Static<typeof Bin>;
export const Charts = Type.Object({
  f1: Type.Array(Type.Object({ version: Type.String(), createdAt: Type.String(), devF1: Nullable(Type.Number()), holdoutF1: Nullable(Type.Number()), devPerType: NumMap })),
  correctionsPerDay: Type.Array(Type.Object({ day: Type.String(), n: Type.Integer() })),
  queueDepth: Type.Array(Type.Object({ day: Type.String(), depth: Type.Integer() })),
  uncertainty: Type.Object({ queued: Type.Array(Bin), all: Type.Array(Bin) }),
});
export type Charts = Static<typeof Charts>;
