// Submitting a correction: resolve the input form (spans or BIO tags), validate it against the
// item's text and the label set (nothing is stored when a rule fails), then write the correction,
// the item's status and the outbox row that publishes it in one transaction. The correction id is
// derived from (candidate id, annotator, revision): a retried request is the same correction.
import { validateCorrection, type Correction } from '@zhner/contracts';
import { ValidationError } from '@zhner/core';
import { correctionIdFor } from '../domain/ids';
import { sameEntities } from '../domain/quality';
import { bioToSpans, checkSpans, correctionRejected, isCorrectionRejected, sortSpans, type SpanInput } from '../domain/spans';
import { errors } from '../errors';
import { annotationsNeeded, reviewRequired, type RoutingPolicy } from '../domain/routing';
import type { AuditLog } from './audit';
import type { EntityTypeService } from './entityTypes';
import type { LabelProvider } from './labels';
import type { CandidateStatus, CorrectionStore, Principal, QueueRepository, StoredCorrection, StudioMetrics } from './ports';

export interface SubmitInput {
  candidateId: string;
  /** Default 0. A new revision of one's own correction of the same item needs the next number. */
  revision?: number;
  entities?: SpanInput[];
  /** BIO tags, one per character of the text (or per token when `tokens` is given). */
  tags?: string[];
  tokens?: string[];
}

export interface SubmitResult {
  correction: Correction;
  duplicate: boolean;
  candidateStatus: CandidateStatus | undefined;
}

/**
 * Spans from either input form, checked against `text` and `labels`.
 * @throws CorrectionRejected naming the offending span or tag.
 */
export function resolveSpans(text: string, input: Pick<SubmitInput, 'entities' | 'tags' | 'tokens'>, labels: readonly string[]): SpanInput[] {
  const hasEntities = input.entities !== undefined;
  const hasTags = input.tags !== undefined;
  if (hasEntities === hasTags) throw correctionRejected('INPUT_FORM', hasEntities ? 'tags' : 'entities', 'give either entities (spans) or tags (BIO), not both and not neither');
  if (input.tokens !== undefined && !hasTags) throw correctionRejected('INPUT_FORM', 'tokens', 'tokens are only meaningful with tags');
  const spans = hasTags ? bioToSpans(text, input.tags!, labels, input.tokens) : input.entities!;
  checkSpans(text, spans, labels, 'entities');
  return sortSpans(spans).map(({ start, end, type, text: surface }) => ({ start, end, type, text: surface }));
}

/** The contract's own check (what consumers of the topic will apply), as a rejection. */
export function checkContract(c: Correction, labels: readonly string[]): void {
  try {
    validateCorrection(c, labels);
  } catch (err) {
    if (err instanceof ValidationError && !isCorrectionRejected(err)) throw correctionRejected('INPUT_FORM', err.field ?? 'body', err.message);
    throw err;
  }
}

export interface CorrectionServiceDeps {
  queue: QueueRepository;
  store: CorrectionStore;
  labels: LabelProvider;
  audit?: Pick<AuditLog, 'record'>;
  /** Guideline versions recorded on each correction (omit: none recorded). */
  types?: Pick<EntityTypeService, 'guidelineVersions'>;
  metrics: StudioMetrics;
  /** Distinct annotators an item needs before it is done (ANNOTATIONS_PER_ITEM). */
  annotationsPerItem: number;
  /** AGREEMENT_SHARE, REVIEW_FIRST, REVIEW_SHARE (domain/routing.ts); omitted: one annotator per item, no review routing. */
  routing?: Omit<RoutingPolicy, 'perItem'>;
  clock?: () => number;
  onChange?: () => void;
}

export class CorrectionService {
  private readonly clock: () => number;

  constructor(private readonly deps: CorrectionServiceDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /**
   * @throws 404 unknown candidate; 400 CorrectionRejected (nothing stored); 409 CLAIMED_BY_OTHER,
   *   NOT_CLAIMED (claim the item first) or IDEMPOTENCY_CONFLICT (same revision, other entities).
   */
  async submit(p: Principal, input: SubmitInput): Promise<SubmitResult> {
    const candidate = await this.deps.queue.get(input.candidateId);
    if (!candidate) throw errors.create('CANDIDATE_NOT_FOUND', { id: input.candidateId });
    const [labels, guidelineVersions] = await Promise.all([this.deps.labels.labels(), this.deps.types?.guidelineVersions() ?? {}]);
    const revision = input.revision ?? 0;
    let correction: Correction;
    try {
      const entities = resolveSpans(candidate.text, input, labels);
      correction = {
        correctionId: correctionIdFor(candidate.candidateId, p.annotatorId, revision),
        candidateId: candidate.candidateId,
        docId: candidate.docId,
        text: candidate.text,
        annotator: p.annotatorId,
        revision,
        entities,
        modelVersion: candidate.modelVersion || null,
        origin: 'STUDIO',
        createdAt: this.clock(),
        // what the annotator was offered: a type outside it was not annotated here
        labelSet: [...labels].sort(),
        guidelineVersions,
      };
      checkContract(correction, labels);
    } catch (err) {
      if (isCorrectionRejected(err)) this.deps.metrics.correctionRejected(err.entry);
      throw err;
    }
    let existing: StoredCorrection | undefined;
    const now = this.clock();
    const out = await this.deps.store.submit(correction, {
      textHash: candidate.textHash,
      predicted: candidate.predicted,
      annotationsPerItem: annotationsNeeded(candidate.candidateId, { perItem: this.deps.annotationsPerItem, agreementShare: this.deps.routing?.agreementShare ?? 0 }),
      reviewFor: this.deps.routing ? (nth) => reviewRequired(nth, correction.correctionId, this.deps.routing!) : undefined,
      decide: (s) => {
        if (!s.candidate) throw errors.create('CANDIDATE_NOT_FOUND', { id: input.candidateId });
        if (s.existing) {
          if (!sameEntities(s.existing.entities, correction.entities)) {
            throw errors.create('CORRECTION_REVISION_TAKEN', { revision, nextRevision: revision + 1, annotatorId: p.annotatorId, candidateId: input.candidateId });
          }
          existing = s.existing;
          return 'duplicate';
        }
        const c = s.candidate;
        if (c.status === 'claimed' && c.claimedBy !== p.annotatorId && (c.claimExpiresAt ?? 0) > now) {
          throw errors.create('CORRECTION_CLAIMED_BY_OTHER', { candidateId: c.candidateId, claimedBy: c.claimedBy });
        }
        const heldByMe = c.status === 'claimed' && c.claimedBy === p.annotatorId;
        if (!heldByMe && !s.annotatorHasPrevious) {
          throw errors.create('CLAIM_FIRST', { candidateId: c.candidateId, status: c.status });
        }
        return 'insert';
      },
    });
    const duplicate = out.outcome === 'duplicate';
    this.deps.metrics.correctionSubmitted('STUDIO', duplicate);
    if (!duplicate) {
      await this.deps.audit?.record(p.annotatorId, 'correction.submit', correction.correctionId, { candidateId: correction.candidateId, revision, entities: correction.entities.length, guidelineVersions, reviewRequired: out.reviewRequired ?? false });
      this.deps.onChange?.();
    }
    return { correction: existing ? stripStored(existing) : correction, duplicate, candidateStatus: out.candidateStatus };
  }
}

/** The Correction event fields of a stored correction. */
export function stripStored(s: StoredCorrection): Correction {
  return {
    correctionId: s.correctionId,
    candidateId: s.candidateId,
    docId: s.docId,
    text: s.text,
    annotator: s.annotator,
    revision: s.revision,
    entities: s.entities,
    modelVersion: s.modelVersion,
    origin: s.origin,
    createdAt: s.createdAt,
    labelSet: s.labelSet ?? null,
    guidelineVersions: s.guidelineVersions ?? null,
  };
}
