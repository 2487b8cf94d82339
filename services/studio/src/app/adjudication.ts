// Admin quality work: resolve conflicting corrections of one text (pick one, or merge into new
// gold) and spot-check a sample of an annotator's recent corrections. An adjudication also
// publishes a Correction (origin ADJUDICATION) so the training pool gets the resolved gold.
import type { AuditLog } from './audit';
import type { Correction, GoldEntity } from '@zhner/contracts';
import { adjudicationIdFor } from '../domain/ids';
import { isConflict, mergeByVote, sameEntities } from '../domain/quality';
import { checkSpans, isCorrectionRejected, sortSpans, type SpanInput } from '../domain/spans';
import { checkContract } from './corrections';
import { errors } from '../errors';
import type { LabelProvider } from './labels';
import type { AdjudicationRecord, AdjudicationStore, ConflictGroup, Principal, SpotCheckItem, StudioMetrics } from './ports';

export interface ConflictView extends ConflictGroup {
  /** Spans most corrections agree on, without overlaps: a starting point for a merge. */
  proposal: GoldEntity[];
}

export interface AdjudicateInput {
  textHash: string;
  /** Pick one of the conflicting corrections as gold... */
  chosenCorrectionId?: string;
  /** ...or give merged gold spans. */
  entities?: SpanInput[];
  /** Default 0; a second adjudication of the same text by the same admin needs the next number. */
  revision?: number;
}

export class AdjudicationService {
  constructor(
    private readonly store: AdjudicationStore,
    private readonly labels: LabelProvider,
    private readonly metrics: StudioMetrics,
    private readonly clock: () => number = Date.now,
    private readonly audit?: Pick<AuditLog, 'record'>,
  ) {}

  /** Texts whose latest corrections disagree and that no adjudication has resolved yet. */
  async conflicts(limit: number): Promise<ConflictView[]> {
    const groups = await this.store.candidatesForConflict(limit * 5);
    return groups
      .filter((g) => isConflict(g.corrections.map((c) => c.entities)))
      .slice(0, limit)
      .map((g) => ({ ...g, proposal: mergeByVote(g.corrections.map((c) => c.entities), Math.ceil(g.corrections.length / 2)) }));
  }

  /**
   * @throws 404 when the text has no corrections; 400 when the chosen correction is not one of
   *   them or the merged spans break a rule; 409 IDEMPOTENCY_CONFLICT for a reused revision.
   */
  async adjudicate(p: Principal, input: AdjudicateInput): Promise<{ adjudication: AdjudicationRecord; correction: Correction; duplicate: boolean }> {
    if ((input.chosenCorrectionId === undefined) === (input.entities === undefined)) {
      throw errors.create('ADJUDICATION_FORM', { field: 'chosenCorrectionId' });
    }
    const revision = input.revision ?? 0;
    const id = adjudicationIdFor(input.textHash, p.annotatorId, revision);
    // a retried request: the corrections it resolved are superseded by now, so look for it first
    const prior = await this.store.getAdjudication(id);
    if (prior) {
      const same = input.chosenCorrectionId !== undefined ? prior.chosenCorrectionId === input.chosenCorrectionId : prior.chosenCorrectionId === null && sameEntities(prior.entities, input.entities!);
      if (!same) throw errors.create('ADJUDICATION_REVISION_TAKEN', { revision, nextRevision: revision + 1 });
      this.metrics.correctionSubmitted('ADJUDICATION', true);
      return { adjudication: prior, correction: this.correctionOf(prior, revision), duplicate: true };
    }
    const corrections = await this.store.correctionsOfText(input.textHash);
    if (corrections.length === 0) throw errors.create('CORRECTED_TEXT_NOT_FOUND', { id: input.textHash });
    const { text, docId } = corrections[0];
    const labels = await this.labels.labels();
    let entities: GoldEntity[];
    if (input.chosenCorrectionId !== undefined) {
      const chosen = corrections.find((c) => c.correctionId === input.chosenCorrectionId);
      if (!chosen) throw errors.create('NOT_A_CURRENT_CORRECTION', { field: 'chosenCorrectionId', chosenCorrectionId: input.chosenCorrectionId });
      entities = chosen.entities;
    } else {
      try {
        checkSpans(text, input.entities!, labels, 'entities');
      } catch (err) {
        if (isCorrectionRejected(err)) this.metrics.correctionRejected(err.entry);
        throw err;
      }
      entities = input.entities!.map(({ start, end, type, text: t }) => ({ start, end, type, text: t }));
    }
    entities = sortSpans(entities);
    const record: AdjudicationRecord = {
      adjudicationId: id,
      textHash: input.textHash,
      docId,
      text,
      entities,
      chosenCorrectionId: input.chosenCorrectionId ?? null,
      adjudicatorId: p.annotatorId,
      createdAt: this.clock(),
    };
    const correction = this.correctionOf(record, revision);
    checkContract(correction, labels);
    const inserted = await this.store.saveAdjudication(record, correction, corrections.map((c) => c.correctionId));
    if (inserted) await this.audit?.record(p.annotatorId, 'adjudication.submit', record.adjudicationId, { textHash: input.textHash, chosenCorrectionId: record.chosenCorrectionId, resolved: corrections.map((c) => c.correctionId) });
    this.metrics.correctionSubmitted('ADJUDICATION', !inserted);
    return { adjudication: record, correction, duplicate: !inserted };
  }

  spotCheckSample(annotatorId: string, opts: { size: number; mode: 'sample' | 'unreviewed' | 'required'; days: number }): Promise<SpotCheckItem[]> {
    return this.store.spotCheckSample(annotatorId, opts);
  }

  async recordSpotCheck(p: Principal, correctionId: string, verdict: 'ok' | 'wrong', note: string | null): Promise<void> {
    await this.store.recordSpotCheck(correctionId, p.annotatorId, verdict, note);
    await this.audit?.record(p.annotatorId, 'spotcheck.record', correctionId, { verdict, note });
  }

  private correctionOf(a: AdjudicationRecord, revision: number): Correction {
    return {
      correctionId: a.adjudicationId,
      candidateId: null,
      docId: a.docId,
      text: a.text,
      annotator: a.adjudicatorId,
      revision,
      entities: a.entities,
      modelVersion: null,
      origin: 'ADJUDICATION',
      createdAt: a.createdAt,
    };
  }
}
