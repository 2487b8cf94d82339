import type { Scores } from '@zhner/core';
import { decideGate, DEFAULT_GATE_POLICY } from './gate';

const s = (f1: number, docs = 100): Scores => ({ precision: f1, recall: f1, f1, docs, tp: 0, fp: 0, fn: 0, perType: {} });

describe('decideGate', () => {
  it('passes a better candidate', () => {
    const d = decideGate({ dev: s(0.9), holdout: s(0.8, 50) }, { dev: s(0.89), holdout: s(0.7, 50) });
    expect(d.passed).toBe(true);
    expect(d.reasons).toEqual([]);
    expect(d.checks.map((c) => [c.name, c.skipped, c.deltaPoints])).toEqual([
      ['dev', false, 1],
      ['holdout', false, 10],
    ]);
  });

  it('tolerates a dev drop of up to 0.5 points, exactly included', () => {
    expect(decideGate({ dev: s(0.895), holdout: null }, { dev: s(0.9), holdout: null }).passed).toBe(true);
    expect(decideGate({ dev: s(0.8949), holdout: null }, { dev: s(0.9), holdout: null }).passed).toBe(false);
  });

  it('rejects any hold-out drop by default, naming it', () => {
    const d = decideGate({ dev: s(0.9), holdout: s(0.799, 40) }, { dev: s(0.9), holdout: s(0.8, 40) });
    expect(d.passed).toBe(false);
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toMatch(/holdout F1 dropped 0\.10 points/);
  });

  it('rejects on both checks at once, listing both reasons', () => {
    const d = decideGate({ dev: s(0.8), holdout: s(0.5, 40) }, { dev: s(0.9), holdout: s(0.6, 40) });
    expect(d.passed).toBe(false);
    expect(d.reasons).toHaveLength(2);
  });

  it('honours configured tolerances', () => {
    const policy = { maxDevDropPoints: 2, maxHoldoutDropPoints: 1, minHoldoutDocs: 1 };
    expect(decideGate({ dev: s(0.885), holdout: s(0.595, 5) }, { dev: s(0.9), holdout: s(0.6, 5) }, policy).passed).toBe(true);
    expect(decideGate({ dev: s(0.885), holdout: s(0.585, 5) }, { dev: s(0.9), holdout: s(0.6, 5) }, policy).passed).toBe(false);
  });

  it('skips the hold-out check below the minimum number of documents, or without hold-out', () => {
    const few = decideGate({ dev: s(0.9), holdout: s(0.1, 5) }, { dev: s(0.9), holdout: s(0.9, 5) });
    expect(few.passed).toBe(true);
    expect(few.checks[1]).toMatchObject({ name: 'holdout', skipped: true, docs: 5 });
    expect(few.checks[1].note).toMatch(/at least 20/);
    expect(decideGate({ dev: s(0.9), holdout: null }, { dev: s(0.9), holdout: null }).checks[1].skipped).toBe(true);
    expect(DEFAULT_GATE_POLICY).toEqual({ maxDevDropPoints: 0.5, maxHoldoutDropPoints: 0, minHoldoutDocs: 20 });
  });

  it('passes without a base model (nothing to compare with)', () => {
    const d = decideGate({ dev: s(0.1), holdout: s(0.1, 50) }, null);
    expect(d.passed).toBe(true);
    expect(d.checks.every((c) => c.skipped)).toBe(true);
  });
});
