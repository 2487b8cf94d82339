/**
 * A least-recently-used map with a fixed capacity (entries, not bytes). `get` refreshes an entry;
 * `set` evicts the oldest entries beyond the capacity. Capacity 0 disables it (nothing is kept).
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  private hits_ = 0;
  private misses_ = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`LruCache capacity must be a non-negative integer, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  get hits(): number {
    return this.hits_;
  }

  get misses(): number {
    return this.misses_;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses_++;
      return undefined;
    }
    this.hits_++;
    // re-insert: Map iteration order is insertion order, so the first key is the oldest
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: K, value: V): void {
    if (this.capacity === 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
    }
  }

  clear(): void {
    this.map.clear();
  }
}
