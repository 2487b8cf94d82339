// Rules of the selection window and of re-scoring on promotion (pure).
import { sha256Hex } from '@zhner/core';

export interface WindowState {
  /** Documents waiting in the window. */
  readonly count: number;
  /** Age of the oldest waiting document in ms; null when the window is empty. */
  readonly oldestAgeMs: number | null;
}

export type FlushTrigger = 'size' | 'interval';

/**
 * A window is flushed when it holds `size` documents, or when its oldest document has waited
 * `intervalMs`; null = not yet (an empty window is never due).
 */
export function windowDue(state: WindowState, opts: { size: number; intervalMs: number }): FlushTrigger | null {
  if (state.count === 0) return null;
  if (state.count >= opts.size) return 'size';
  if (state.oldestAgeMs !== null && state.oldestAgeMs >= opts.intervalMs) return 'interval';
  return null;
}

/** The promoted model as last heard of. */
export interface Promotion {
  readonly modelVersion: string;
  /** Epoch ms of the promotion. */
  readonly at: number;
}

/**
 * A prediction is stale when another model has been promoted since it was made: its scores
 * describe a model that no longer serves. Predictions made after the promotion (replicas that
 * have not switched yet) are kept: they are the freshest scores there are.
 */
export function isStale(p: { modelVersion: string; predictedAt: number }, promoted: Promotion | null): boolean {
  return promoted !== null && p.modelVersion !== promoted.modelVersion && p.predictedAt < promoted.at;
}

/** Deterministic candidate id of a text under a model version (a redelivered window yields the same ids). */
export function candidateIdFor(textHash: string, modelVersion: string): string {
  return `rc-${sha256Hex(`${textHash}\u0000${modelVersion}`).slice(0, 32)}`;
}
