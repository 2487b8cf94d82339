import { holdOut, mixSeed, roundCandidates, sampleIndices } from './pool';

describe('sampleIndices', () => {
  it('draws k distinct indices, the same for the same seed', () => {
    const a = sampleIndices(100, 30, 5);
    expect(new Set(a).size).toBe(30);
    expect(a.every((i) => i >= 0 && i < 100)).toBe(true);
    expect(sampleIndices(100, 30, 5)).toEqual(a);
    expect(sampleIndices(100, 30, 6)).not.toEqual(a);
    expect(sampleIndices(3, 10, 1).sort()).toEqual([0, 1, 2]);
  });
});

describe('mixSeed', () => {
  it('is deterministic and separates its parts', () => {
    expect(mixSeed(1, 2, 'x')).toBe(mixSeed(1, 2, 'x'));
    expect(mixSeed(1, 2, 'x')).not.toBe(mixSeed(1, 3, 'x'));
    expect(mixSeed(12, 3)).not.toBe(mixSeed(1, 23));
  });
});

describe('holdOut', () => {
  const docs = Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, text: i === 49 ? 'text 0' : `text ${i}` }));

  it('holds out n documents in input order and keeps the rest in input order', () => {
    const { heldOut, rest } = holdOut(docs, 10, 0, (d) => d.text);
    expect(heldOut).toHaveLength(10);
    const ids = (xs: { id: string }[]) => xs.map((d) => Number(d.id.slice(1)));
    expect(ids(heldOut)).toEqual([...ids(heldOut)].sort((a, b) => a - b));
    expect(ids(rest)).toEqual([...ids(rest)].sort((a, b) => a - b));
    expect(holdOut(docs, 10, 0, (d) => d.text).heldOut).toEqual(heldOut);
  });

  it('drops pool documents with the text of a held-out one', () => {
    // find a seed that holds out d0 (whose text d49 repeats) but not d49
    const seed = [...Array(200).keys()].find((s) => {
      const h = holdOut(docs, 10, s, (d) => d.text).heldOut.map((d) => d.id);
      return h.includes('d0') && !h.includes('d49');
    })!;
    const { rest, droppedAsDuplicates } = holdOut(docs, 10, seed, (d) => d.text);
    expect(droppedAsDuplicates).toBe(1);
    expect(rest.map((d) => d.id)).not.toContain('d49');
    expect(rest).toHaveLength(39);
  });

  it('refuses to hold out the whole pool', () => {
    expect(() => holdOut(docs, 50, 0, (d) => d.text)).toThrow(RangeError);
  });
});

describe('roundCandidates', () => {
  const pool = Array.from({ length: 20 }, (_, i) => i);

  it('samples the same positions for the same seed and drops labelled documents', () => {
    const a = roundCandidates(pool, 8, 42, () => false);
    expect(a).toHaveLength(8);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    const labelled = new Set(a.slice(0, 3));
    expect(roundCandidates(pool, 8, 42, (d) => labelled.has(d))).toEqual(a.slice(3));
  });

  it('uses the whole pool with size 0 or a size beyond it', () => {
    expect(roundCandidates(pool, 0, 1, (d) => d % 2 === 0)).toEqual(pool.filter((d) => d % 2 === 1));
    expect(roundCandidates(pool, 99, 1, () => false)).toEqual(pool);
  });
});
