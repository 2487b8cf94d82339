import { paddingEfficiency, planBatches } from './batching';

const items = (costs: number[]) => costs.map((cost, id) => ({ id, cost }));

describe('planBatches', () => {
  it('groups similar lengths and puts every item in exactly one batch', () => {
    const input = items([50, 3, 48, 4, 5, 49, 2, 51]);
    const batches = planBatches(input, { maxBatchSize: 4, maxTokensPerBatch: 10_000 });
    expect(batches.map((b) => b.map((i) => i.cost))).toEqual([
      [2, 3, 4, 5],
      [48, 49, 50, 51],
    ]);
    expect(batches.flat().map((i) => i.id).sort()).toEqual(input.map((i) => i.id).sort());
  });

  it('caps padded tokens per batch and runs an oversized segment alone', () => {
    const batches = planBatches(items([10, 10, 10, 10, 300, 20]), { maxBatchSize: 32, maxTokensPerBatch: 40 });
    expect(batches.map((b) => b.map((i) => i.cost))).toEqual([[10, 10, 10, 10], [20], [300]]);
    for (const b of batches) if (b.length > 1) expect(b.length * Math.max(...b.map((i) => i.cost))).toBeLessThanOrEqual(40);
  });

  it('with batch size 1 makes one batch per item', () => {
    expect(planBatches(items([3, 1, 2]), { maxBatchSize: 1, maxTokensPerBatch: 100 })).toHaveLength(3);
  });

  it('bucketing keeps padding low compared with arrival order', () => {
    const costs = Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? 10 : 100));
    const bucketed = planBatches(items(costs), { maxBatchSize: 16, maxTokensPerBatch: 1e9 });
    const fifo = [0, 16, 32, 48].map((k) => items(costs).slice(k, k + 16));
    const eff = (bs: { cost: number }[][]) => bs.reduce((s, b) => s + paddingEfficiency(b), 0) / bs.length;
    expect(eff(bucketed)).toBe(1);
    expect(eff(fifo)).toBeLessThan(0.6);
  });
});
