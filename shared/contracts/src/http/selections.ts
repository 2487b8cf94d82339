// The sampler's published API (GET /selections): what it selected for review, and what became of
// it as far as the sampler knows (labelled from the corrections topic, expired by a promotion).
import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, Nullable } from './common';

export const SELECTION_STATES = ['selected', 'labelled', 'expired'] as const;
export type SelectionState = (typeof SELECTION_STATES)[number];

export const Selection = Type.Object({
  candidateId: Type.String(),
  docId: Type.String(),
  textHash: Type.String(),
  modelVersion: Type.String(),
  strategy: Type.String(),
  score: Type.Number(),
  state: Type.Union(SELECTION_STATES.map((s) => Type.Literal(s))),
  selectedAt: IsoTime,
  labelledAt: Nullable(IsoTime),
});
export type Selection = Static<typeof Selection>;

export const SelectionList = Type.Object({ state: Type.Union(SELECTION_STATES.map((s) => Type.Literal(s))), limit: Type.Integer(), offset: Type.Integer(), items: Type.Array(Selection) });
export type SelectionList = Static<typeof SelectionList>;
