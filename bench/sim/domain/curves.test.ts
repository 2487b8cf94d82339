import { CSV_HEADER, curvesCsv, labelsToReach, meanCurves, summariseCurves, type CurvePoint } from './curves';

const pt = (strategy: string, seed: number, round: number, labels: number, f1: number): CurvePoint => ({ strategy, seed, round, labels, f1, precision: f1 + 0.01, recall: f1 - 0.01 });

describe('labelsToReach', () => {
  const curve = [
    { labels: 0, f1: 0.4 },
    { labels: 50, f1: 0.5 },
    { labels: 100, f1: 0.6 },
    { labels: 150, f1: 0.55 },
  ];

  it('interpolates linearly between the rounds around the first crossing', () => {
    expect(labelsToReach(curve, 0.45)).toBeCloseTo(25, 10);
    expect(labelsToReach(curve, 0.58)).toBeCloseTo(90, 10);
  });

  it('returns the round itself when a point equals the target', () => {
    expect(labelsToReach(curve, 0.5)).toBe(50);
  });

  it('returns the first point when it already reaches the target', () => {
    expect(labelsToReach(curve, 0.3)).toBe(0);
  });

  it('returns null when no point reaches the target', () => {
    expect(labelsToReach(curve, 0.61)).toBeNull();
  });

  it('takes the FIRST crossing of a non-monotone curve', () => {
    const wobbly = [
      { labels: 0, f1: 0.4 },
      { labels: 10, f1: 0.56 },
      { labels: 20, f1: 0.5 },
      { labels: 30, f1: 0.6 },
    ];
    expect(labelsToReach(wobbly, 0.55)).toBeCloseTo(10 * (0.15 / 0.16), 10);
  });
});

describe('meanCurves', () => {
  it('averages each round over the seeds that reached it, rounds ascending', () => {
    const points = [pt('hybrid', 2, 1, 50, 0.6), pt('hybrid', 1, 0, 0, 0.4), pt('hybrid', 1, 1, 50, 0.5), pt('hybrid', 2, 0, 0, 0.4), pt('random', 1, 0, 0, 0.4), pt('hybrid', 1, 2, 100, 0.7)];
    const curves = meanCurves(points);
    expect([...curves.keys()]).toEqual(['hybrid', 'random']);
    const h = curves.get('hybrid')!;
    expect(h.map((p) => p.round)).toEqual([0, 1, 2]);
    expect(h[1].f1).toBeCloseTo(0.55, 12);
    expect(h[1].f1Std).toBeCloseTo(Math.sqrt(0.005), 12); // sample std of 0.5, 0.6
    expect(h[1].n).toBe(2);
    expect(h[2]).toMatchObject({ n: 1, labels: 100, f1Std: 0 });
    expect(h[1].precision).toBeCloseTo(0.56, 12);
  });
});

describe('summariseCurves', () => {
  const points = [
    ...[1, 2].flatMap((seed) => [pt('random', seed, 0, 0, 0.4), pt('hybrid', seed, 0, 0, 0.4)]),
    pt('random', 1, 1, 50, 0.44), pt('random', 2, 1, 50, 0.46),
    pt('random', 1, 2, 100, 0.48), pt('random', 2, 2, 100, 0.5),
    pt('hybrid', 1, 1, 50, 0.5), pt('hybrid', 2, 1, 50, 0.5),
    pt('hybrid', 1, 2, 100, 0.55), pt('hybrid', 2, 2, 100, 0.55),
  ];
  const s = summariseCurves(points, 'random', [0, 50, 100]);

  it('reports mean F1 per round per strategy and the nominal labels', () => {
    expect(s.labels).toEqual([0, 50, 100]);
    expect(s.f1).toEqual({ random: [0.4, 0.45, 0.49], hybrid: [0.4, 0.5, 0.55] });
  });

  it('reports labels to reach random\'s final F1, random\'s own included', () => {
    expect(s.random_final).toEqual({ labels: 100, f1: 0.49 });
    expect(s.labels_to_match_random.random).toBe(100);
    expect(s.labels_to_match_random.hybrid).toBeCloseTo(45, 6); // 0.4 → 0.5 over 50 labels: 0.49 at 45
  });

  it('checks the target: ≤ half the labels and ≥ 3 points at equal budget', () => {
    expect(s.target.hybrid).toEqual({ labelsRatio: 0.45, maxGainPoints: 6, roundOfMaxGain: 2, met: true });
    expect(s.target.random).toBeUndefined();
  });

  it('fails the target when the gain is below 3 points', () => {
    const close = summariseCurves(
      [pt('random', 1, 0, 0, 0.4), pt('random', 1, 1, 10, 0.5), pt('x', 1, 0, 0, 0.4), pt('x', 1, 1, 10, 0.52)],
      'random',
      [0, 10],
    );
    expect(close.target.x.met).toBe(false);
    expect(close.target.x.maxGainPoints).toBeCloseTo(2, 6);
  });

  it('gives null when a strategy never reaches random\'s final F1', () => {
    const never = summariseCurves([pt('random', 1, 0, 0, 0.4), pt('random', 1, 1, 10, 0.5), pt('x', 1, 0, 0, 0.4), pt('x', 1, 1, 10, 0.45)], 'random', [0, 10]);
    expect(never.labels_to_match_random.x).toBeNull();
    expect(never.target.x).toMatchObject({ labelsRatio: null, met: false });
  });
});

describe('curvesCsv', () => {
  it('writes the header and one row per point with 6-decimal scores', () => {
    const csv = curvesCsv([pt('hybrid', 1, 2, 100, 0.5), pt('a,b', 3, 0, 0, 0.25)]);
    expect(csv.split('\n')).toEqual([CSV_HEADER, 'hybrid,1,2,100,0.500000,0.510000,0.490000', '"a,b",3,0,0,0.250000,0.260000,0.240000', '']);
  });
});
