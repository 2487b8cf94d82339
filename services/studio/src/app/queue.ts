// The review queue as annotators use it: list by priority, claim the next item (or a chosen one),
// skip or release it. Claims are atomic in the repository (one UPDATE; FOR UPDATE SKIP LOCKED on
// PostgreSQL) and expire after the claim TTL, so an abandoned item returns to the queue.
import type { AuditLog } from './audit';
import { errors } from '../errors';
import type { Candidate, CandidateStatus, Principal, QueueRepository, StudioMetrics } from './ports';

/** A claimed item and the revision number the annotator's next correction of it must carry. */
export interface ClaimedItem {
  candidate: Candidate;
  revision: number;
}

export interface ReviewQueueOptions {
  /** How long a claim holds, ms (CLAIM_TTL). */
  claimTtlMs: number;
  metrics: StudioMetrics;
  /** Called after every change of the queue (live updates). */
  onChange?: () => void;
  audit?: Pick<AuditLog, 'record'>;
}

export class ReviewQueue {
  constructor(
    private readonly repo: QueueRepository,
    private readonly opts: ReviewQueueOptions,
  ) {}

  depth(): Promise<Record<CandidateStatus, number>> {
    return this.repo.depth();
  }

  list(statuses: CandidateStatus[], limit: number): Promise<Candidate[]> {
    return this.repo.list({ statuses, limit });
  }

  async get(candidateId: string): Promise<Candidate> {
    const c = await this.repo.get(candidateId);
    if (!c) throw errors.create('CANDIDATE_NOT_FOUND', { id: candidateId });
    return c;
  }

  /** The item the annotator already holds (claim renewed), else the next one; undefined when the queue is empty. */
  async claimNext(p: Principal): Promise<ClaimedItem | undefined> {
    const held = await this.repo.renewActiveClaim(p.annotatorId, this.opts.claimTtlMs);
    if (held) {
      this.opts.metrics.claim('renewed');
      return this.withRevision(held, p);
    }
    const next = await this.repo.claimNext(p.annotatorId, this.opts.claimTtlMs);
    this.opts.metrics.claim(next ? 'claimed' : 'empty');
    if (!next) return undefined;
    await this.opts.audit?.record(p.annotatorId, 'queue.claim', next.candidateId, { docId: next.docId });
    this.opts.onChange?.();
    return this.withRevision(next, p);
  }

  /**
   * Claims a chosen item.
   * @throws 404 when it does not exist; 409 CLAIMED_BY_OTHER while another annotator's claim holds;
   *   409 NOT_CLAIMABLE when it is done or skipped.
   */
  async claim(candidateId: string, p: Principal): Promise<ClaimedItem> {
    const got = await this.repo.claim(candidateId, p.annotatorId, this.opts.claimTtlMs);
    if (got) {
      this.opts.metrics.claim('claimed');
      await this.opts.audit?.record(p.annotatorId, 'queue.claim', candidateId, { docId: got.docId });
      this.opts.onChange?.();
      return this.withRevision(got, p);
    }
    this.opts.metrics.claim('conflict');
    const c = await this.get(candidateId);
    if (c.status === 'claimed') throw errors.create('CLAIMED_BY_OTHER', { candidateId, claimedBy: c.claimedBy, until: new Date(c.claimExpiresAt ?? 0).toISOString() });
    throw errors.create('NOT_CLAIMABLE', { candidateId, status: c.status });
  }

  /** @throws 409 NOT_CLAIMED when the annotator does not hold the item. */
  async skip(candidateId: string, p: Principal): Promise<void> {
    if (!(await this.repo.skip(candidateId, p.annotatorId))) await this.notHeld(candidateId, p);
    this.opts.metrics.skip();
    await this.opts.audit?.record(p.annotatorId, 'queue.skip', candidateId);
    this.opts.onChange?.();
  }

  /** Gives a claimed item back to the queue. @throws 409 NOT_CLAIMED when the annotator does not hold it. */
  async release(candidateId: string, p: Principal): Promise<void> {
    if (!(await this.repo.release(candidateId, p.annotatorId))) await this.notHeld(candidateId, p);
    await this.opts.audit?.record(p.annotatorId, 'queue.release', candidateId);
    this.opts.onChange?.();
  }

  private async notHeld(candidateId: string, p: Principal): Promise<never> {
    const c = await this.get(candidateId);
    const facts = { annotatorId: p.annotatorId, candidateId, status: c.status };
    throw c.claimedBy ? errors.create('NOT_CLAIMED_HELD', { ...facts, claimedBy: c.claimedBy }) : errors.create('NOT_CLAIMED', facts);
  }

  private async withRevision(candidate: Candidate, p: Principal): Promise<ClaimedItem> {
    return { candidate, revision: await this.repo.nextRevision(candidate.candidateId, p.annotatorId) };
  }
}
