import { LruCache } from './lru';

describe('LruCache', () => {
  it('evicts the least recently used entry and counts hits and misses', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect([c.hits, c.misses, c.size]).toEqual([3, 1, 2]);
  });

  it('keeps nothing with capacity 0 and rejects a bad capacity', () => {
    const c = new LruCache<string, number>(0);
    c.set('a', 1);
    expect(c.get('a')).toBeUndefined();
    expect(() => new LruCache(-1)).toThrow(RangeError);
  });
});
