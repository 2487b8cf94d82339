import { candidateIdFor, isStale, windowDue } from './window';

describe('windowDue', () => {
  const opts = { size: 3, intervalMs: 1000 };
  it('is due by size, by age of the oldest document, and never when empty', () => {
    expect(windowDue({ count: 0, oldestAgeMs: null }, opts)).toBeNull();
    expect(windowDue({ count: 2, oldestAgeMs: 999 }, opts)).toBeNull();
    expect(windowDue({ count: 2, oldestAgeMs: 1000 }, opts)).toBe('interval');
    expect(windowDue({ count: 3, oldestAgeMs: 5 }, opts)).toBe('size');
  });
});

describe('isStale', () => {
  const promoted = { modelVersion: 'v2', at: 1000 };
  it('marks predictions of another model made before the promotion', () => {
    expect(isStale({ modelVersion: 'v1', predictedAt: 999 }, promoted)).toBe(true);
    expect(isStale({ modelVersion: 'v1', predictedAt: 1000 }, promoted)).toBe(false);
    expect(isStale({ modelVersion: 'v2', predictedAt: 1 }, promoted)).toBe(false);
    expect(isStale({ modelVersion: 'v1', predictedAt: 1 }, null)).toBe(false);
  });
});

describe('candidateIdFor', () => {
  it('is stable per text and model version', () => {
    expect(candidateIdFor('h', 'v1')).toBe(candidateIdFor('h', 'v1'));
    expect(candidateIdFor('h', 'v1')).not.toBe(candidateIdFor('h', 'v2'));
    expect(candidateIdFor('h', 'v1')).toMatch(/^rc-[0-9a-f]{32}$/);
  });
});
