// Routing of the annotation work. Two rules, both stable (a hash of the id, no randomness):
//  - agreement: a share of the queue items goes to two annotators (blind: neither sees the other's
//    answer), so agreement is measured all the time, not only in a dedicated study;
//  - review: the first N corrections of every annotator are all checked by hand (the original
//    system's "review everything in the first weeks"), then a sampled share.
import { stableFraction } from '@zhner/core';

export interface RoutingPolicy {
  /** ANNOTATIONS_PER_ITEM: annotators every item needs. */
  perItem: number;
  /** AGREEMENT_SHARE: share of items (0..1) that need at least two. */
  agreementShare: number;
  /** REVIEW_FIRST: every one of an annotator's first N corrections is reviewed. */
  reviewFirst: number;
  /** REVIEW_SHARE: share (0..1) of the later ones reviewed. */
  reviewShare: number;
}

/** A stable number in [0, 1) of an id, salted per rule (core's stableFraction). */
export function stableShare(id: string, salt: string): number {
  return stableFraction(`${salt}\0${id}`);
}

/** How many distinct annotators the item needs before it is done. */
export function annotationsNeeded(candidateId: string, p: Pick<RoutingPolicy, 'perItem' | 'agreementShare'>): number {
  return p.perItem < 2 && stableShare(candidateId, 'agreement') < p.agreementShare ? 2 : p.perItem;
}

/** Whether the annotator's `nth` correction (1-based) goes to review. */
export function reviewRequired(nth: number, correctionId: string, p: Pick<RoutingPolicy, 'reviewFirst' | 'reviewShare'>): boolean {
  return nth <= p.reviewFirst || stableShare(correctionId, 'review') < p.reviewShare;
}
