// Length bucketing for dynamic batching. Pure: the batcher (app/batcher.ts) decides WHEN to flush;
// this decides HOW the flushed segments are grouped so that padding stays low.

export interface Costed {
  /** Tokens of the segment (its padded length is the longest segment of its batch). */
  readonly cost: number;
}

export interface BatchLimits {
  /** Most segments in one model run. */
  maxBatchSize: number;
  /** Most padded tokens (segments × longest segment) in one model run. */
  maxTokensPerBatch: number;
  /**
   * A batch is closed rather than take a segment that would drop its real/padded token ratio
   * below this (a jump in length starts a new bucket). Default 0.5.
   */
  minPaddingEfficiency?: number;
}

/**
 * Groups `items` into model batches: sorted by cost (so similar lengths share a batch), then filled
 * greedily while the batch stays within the limits and its padding stays acceptable. A segment longer than `maxTokensPerBatch`
 * runs alone. Batches come out shortest first; every item appears in exactly one batch.
 */
export function planBatches<T extends Costed>(items: readonly T[], limits: BatchLimits): T[][] {
  const sorted = items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => a.item.cost - b.item.cost || a.i - b.i)
    .map((x) => x.item);
  const minEff = limits.minPaddingEfficiency ?? 0.5;
  const out: T[][] = [];
  let cur: T[] = [];
  let real = 0;
  for (const item of sorted) {
    // sorted ascending: the new item is the longest of the batch
    const c = Math.max(1, item.cost);
    const padded = (cur.length + 1) * c;
    if (cur.length > 0 && (cur.length + 1 > limits.maxBatchSize || padded > limits.maxTokensPerBatch || (real + c) / padded < minEff)) {
      out.push(cur);
      cur = [];
      real = 0;
    }
    cur.push(item);
    real += c;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Real tokens / padded tokens of a batch, in (0, 1]; 1 means no padding. */
export function paddingEfficiency(batch: readonly Costed[]): number {
  if (batch.length === 0) return 1;
  let sum = 0;
  let max = 0;
  for (const b of batch) {
    const c = Math.max(1, b.cost);
    sum += c;
    if (c > max) max = c;
  }
  return sum / (max * batch.length);
}
