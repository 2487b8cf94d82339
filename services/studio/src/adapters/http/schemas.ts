// TypeBox schemas of the studio's API: request validation, response serialisation and the
// generated OpenAPI document all come from these.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export { Nullable };

export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()), details: Type.Optional(Type.Unknown()) }) },
  { $id: 'ErrorBody', description: 'Every error: a stable code, a message naming the bad value and the fix, and the offending field (e.g. entities[2])' },
);
export const errorRefs = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Type.Ref(ErrorBody)]));

export const Epoch = Type.Number({ description: 'epoch milliseconds' });

export const PredictedEntity = Type.Object({
  start: Type.Integer({ description: 'UTF-16 offset, inclusive' }),
  end: Type.Integer({ description: 'UTF-16 offset, exclusive' }),
  type: Type.String(),
  text: Type.String(),
  score: Type.Number({ description: 'confidence 0..1' }),
});

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

export const GoldEntity = Type.Object({ start: Type.Integer(), end: Type.Integer(), type: Type.String(), text: Type.String() });

export const CandidateStatus = Type.Union([Type.Literal('open'), Type.Literal('claimed'), Type.Literal('done'), Type.Literal('skipped'), Type.Literal('expired')]);

export const Depth = Type.Object({ open: Type.Integer(), claimed: Type.Integer(), done: Type.Integer(), skipped: Type.Integer(), expired: Type.Integer() });

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
    status: CandidateStatus,
    claimedBy: Nullable(Type.String()),
    claimedAt: Nullable(Epoch),
    claimExpiresAt: Nullable(Epoch),
    createdAt: Epoch,
    updatedAt: Epoch,
  },
  { $id: 'Candidate' },
);

export const ClaimedItem = Type.Object({
  candidate: Type.Ref(Candidate),
  revision: Type.Integer({ description: 'the revision number the next correction of this item must carry' }),
});

export const Correction = Type.Object(
  {
    correctionId: Type.String(),
    candidateId: Nullable(Type.String()),
    docId: Type.String(),
    text: Type.String(),
    annotator: Type.String(),
    revision: Type.Integer(),
    entities: Type.Array(GoldEntity),
    modelVersion: Nullable(Type.String()),
    origin: Type.String(),
    createdAt: Epoch,
  },
  { $id: 'Correction' },
);

export const StoredCorrection = Type.Object({
  ...Correction.properties,
  textHash: Type.String(),
  status: Type.String({ description: 'accepted, superseded (by a newer revision or an adjudication) or rejected' }),
  predicted: Nullable(Type.Array(PredictedEntity)),
});

export const Principal = Type.Object({ annotatorId: Type.String(), displayName: Type.String(), role: Type.String(), tokenId: Type.String() });

export const Unknown = Type.Unknown();
export const AnyObject = Type.Record(Type.String(), Type.Unknown());

export const bearer = [{ bearer: [] as string[] }];
