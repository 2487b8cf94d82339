// Row → object helpers shared by the studio's repositories (both pg and PGlite return Date for
// timestamptz and parsed objects for jsonb).
import type { Entity, GoldEntity } from '@zhner/contracts';
import type { Candidate, CandidateStatus, StoredCorrection } from '../../app/ports';

export function ms(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' || typeof v === 'number') return new Date(v).getTime();
  throw new TypeError(`not a timestamp: ${String(v)}`);
}

export function msOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : ms(v);
}

export function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'string') return JSON.parse(v) as T;
  return v as T;
}

export const CANDIDATE_COLUMNS = `candidate_id, doc_id, source, text, text_hash, model_version, strategy, score, scores, cluster, novelty,
  priority, predicted, status, claimed_by, claimed_at, claim_expires_at, created_at, updated_at`;

export interface CandidateRow {
  candidate_id: string;
  doc_id: string;
  source: string;
  text: string;
  text_hash: string;
  model_version: string;
  strategy: string;
  score: number;
  scores: unknown;
  cluster: number | null;
  novelty: number | null;
  priority: number;
  predicted: unknown;
  status: CandidateStatus;
  claimed_by: string | null;
  claimed_at: unknown;
  claim_expires_at: unknown;
  created_at: unknown;
  updated_at: unknown;
}

export function toCandidate(r: CandidateRow): Candidate {
  return {
    candidateId: r.candidate_id,
    docId: r.doc_id,
    source: r.source,
    text: r.text,
    textHash: r.text_hash,
    modelVersion: r.model_version,
    strategy: r.strategy,
    score: r.score,
    scores: json<Record<string, number>>(r.scores, {}),
    cluster: r.cluster,
    novelty: r.novelty,
    priority: r.priority,
    predicted: json<Entity[]>(r.predicted, []),
    status: r.status,
    claimedBy: r.claimed_by,
    claimedAt: msOrNull(r.claimed_at),
    claimExpiresAt: msOrNull(r.claim_expires_at),
    createdAt: ms(r.created_at),
    updatedAt: ms(r.updated_at),
  };
}

export const CORRECTION_COLUMNS = `correction_id, candidate_id, doc_id, text, text_hash, annotator_id, revision, entities, predicted, model_version, origin, status, created_at, label_set, guideline_versions, review_required`;

export interface CorrectionRow {
  correction_id: string;
  candidate_id: string | null;
  doc_id: string;
  text: string;
  text_hash: string;
  annotator_id: string;
  revision: number;
  entities: unknown;
  predicted: unknown;
  model_version: string | null;
  origin: StoredCorrection['origin'];
  status: StoredCorrection['status'];
  created_at: unknown;
  label_set: string[] | null;
  guideline_versions: unknown;
  review_required: boolean;
}

export function toCorrection(r: CorrectionRow): StoredCorrection {
  return {
    correctionId: r.correction_id,
    candidateId: r.candidate_id,
    docId: r.doc_id,
    text: r.text,
    textHash: r.text_hash,
    annotator: r.annotator_id,
    revision: r.revision,
    entities: json<GoldEntity[]>(r.entities, []),
    predicted: r.predicted === null ? null : json<Entity[]>(r.predicted, []),
    modelVersion: r.model_version,
    origin: r.origin,
    status: r.status,
    createdAt: ms(r.created_at),
    labelSet: r.label_set,
    reviewRequired: r.review_required,
    guidelineVersions: r.guideline_versions === null || r.guideline_versions === undefined ? null : json<Record<string, number>>(r.guideline_versions, {}),
  };
}
