import { excludeTrained, holdOut, mixSeed, poolShortfall, roundCandidates, sampleIndices, splitByIds } from './pool';

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

describe('excludeTrained', () => {
  const docs = Array.from({ length: 10 }, (_, i) => ({ id: `d${i}`, text: i === 9 ? 'text 1' : `text ${i}` }));

  it('drops documents trained on by id and by the same text under another id', () => {
    const { rest, excludedById, excludedBySameText } = excludeTrained(docs, new Set(['d1', 'd2', 'other-file-7']), (d) => d.id, (d) => d.text);
    expect(excludedById).toBe(2);
    expect(excludedBySameText).toBe(1); // d9 repeats d1's text
    expect(rest.map((d) => d.id)).toEqual(['d0', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8']);
  });

  it('keeps everything when the model saw none of the pool', () => {
    expect(excludeTrained(docs, new Set(), (d) => d.id, (d) => d.text).rest).toHaveLength(10);
  });
});

describe('splitByIds', () => {
  const docs = Array.from({ length: 6 }, (_, i) => ({ id: `d${i}`, text: i === 5 ? 'text 0' : `text ${i}` }));

  it('holds out the listed ids and drops their duplicates from the rest', () => {
    const s = splitByIds(docs, new Set(['d0', 'd3']), (d) => d.id, (d) => d.text);
    expect(s.heldOut.map((d) => d.id)).toEqual(['d0', 'd3']);
    expect(s.rest.map((d) => d.id)).toEqual(['d1', 'd2', 'd4']);
    expect(s.droppedAsDuplicates).toBe(1);
  });

  it('refuses an id file that lists none of the pool', () => {
    expect(() => splitByIds(docs, new Set(['x']), (d) => d.id, (d) => d.text)).toThrow(RangeError);
  });
});

describe('poolShortfall', () => {
  it('refuses a run that needs more labels than the unseen pool holds, and only then', () => {
    expect(poolShortfall(6, 100, 600, 'ids')).toBeNull();
    expect(poolShortfall(6, 100, 599, 'training_data.ids.gz')).toBe('--rounds 6 × --batch 100 = 600 labels, but only 599 pool sentences are unseen by the base model (training_data.ids.gz)');
  });

  it('with the trained sentences excluded first: a pool the model mostly saw cannot feed the run', () => {
    const docs = Array.from({ length: 10 }, (_, i) => ({ id: `d${i}` }));
    const { rest } = excludeTrained(docs, new Set(docs.slice(0, 7).map((d) => d.id)), (d) => d.id, (d) => d.id);
    expect(rest).toHaveLength(3);
    expect(poolShortfall(2, 2, rest.length, 'ids')).toMatch(/4 labels, but only 3 pool sentences/);
  });
});
