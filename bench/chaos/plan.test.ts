import { deliveryStats, planChaos } from './plan';

describe('planChaos', () => {
  it('interleaves the scale steps and the kills, one per spacing, seeded', () => {
    const { events, durationMs } = planChaos({ scale: [1, 3, 1], kills: 3, spacingMs: 1000, seed: 7 });
    expect(events.map((e) => (e.kind === 'kill' ? 'kill' : `scale:${e.to}`))).toEqual(['kill', 'scale:3', 'kill', 'scale:1', 'kill']);
    expect(events.map((e) => e.atMs)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(durationMs).toBe(6000);
    expect(planChaos({ scale: [1, 3, 1], kills: 3, spacingMs: 1000, seed: 7 }).events).toEqual(events);
    for (const e of events) if (e.kind === 'kill') expect(e.pick).toBeGreaterThanOrEqual(0);
  });

  it('handles no kills, no scale steps and more kills than steps', () => {
    expect(planChaos({ scale: [2], kills: 0, spacingMs: 10, seed: 1 }).events).toEqual([]);
    expect(planChaos({ scale: [1, 2], kills: 0, spacingMs: 10, seed: 1 }).events).toEqual([{ atMs: 10, kind: 'scale', to: 2 }]);
    expect(planChaos({ scale: [2], kills: 4, spacingMs: 10, seed: 1 }).events.map((e) => e.kind)).toEqual(['kill', 'kill', 'kill', 'kill']);
  });

  it('refuses bad input, naming it', () => {
    expect(() => planChaos({ scale: [1, 0], kills: 0, spacingMs: 10, seed: 1 })).toThrow(/--scale/);
    expect(() => planChaos({ scale: [1], kills: -1, spacingMs: 10, seed: 1 })).toThrow(/--kills/);
  });
});

describe('deliveryStats', () => {
  const expected = new Set(['a', 'b', 'c', 'd']);
  it('counts delivered, missing and duplicate documents (unknown ids ignored)', () => {
    const s = deliveryStats(expected, [{ docId: 'a', atMs: 1 }, { docId: 'b', atMs: 2 }, { docId: 'a', atMs: 3 }, { docId: 'x', atMs: 4 }], []);
    expect(s).toEqual({ delivered: 2, missing: 2, duplicates: 1, maxGapMs: 0, maxGapAtMs: null });
  });

  it('finds the longest pause inside the windows, edges included', () => {
    const arrivals = [0, 100, 200, 1500, 1600, 5000].map((atMs, i) => ({ docId: 'abcd'[i % 4], atMs }));
    expect(deliveryStats(expected, arrivals, [{ fromMs: 50, toMs: 1700 }])).toEqual(expect.objectContaining({ maxGapMs: 1300, maxGapAtMs: 200 }));
    expect(deliveryStats(expected, arrivals, [{ fromMs: 1600, toMs: 4000 }]).maxGapMs).toBe(2400); // nothing until the window ends
    expect(deliveryStats(expected, arrivals, [{ fromMs: 0, toMs: 250 }, { fromMs: 1500, toMs: 1650 }]).maxGapMs).toBe(100);
  });
});
