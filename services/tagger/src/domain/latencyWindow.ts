/**
 * The last `capacity` latency samples (ms) in a ring buffer, for the p99 reported in heartbeats.
 * Percentiles are computed on demand (heartbeats are seconds apart; the window is small).
 */
export class LatencyWindow {
  private readonly buf: Float64Array;
  private next = 0;
  private count = 0;

  constructor(capacity = 2048) {
    this.buf = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.buf[this.next] = ms;
    this.next = (this.next + 1) % this.buf.length;
    if (this.count < this.buf.length) this.count++;
  }

  /** Nearest-rank percentile (q in [0,1]) of the window, or null when empty. */
  percentile(q: number): number | null {
    if (this.count === 0) return null;
    const xs = Array.from(this.buf.subarray(0, this.count)).sort((a, b) => a - b);
    const rank = Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1));
    return xs[rank];
  }
}
