// The pure part of `npm run chaos:delivery`: when replicas are killed and the group is scaled, and
// what the arrivals on ner.entities.v1 say about delivery (missing, duplicates, pauses).
import { seededRandom } from '@zhner/core';

export type ChaosEvent = { atMs: number; kind: 'scale'; to: number } | { atMs: number; kind: 'kill'; pick: number };

export interface ChaosPlanOptions {
  /** Replica counts: the first is the start, each further one a scale step. */
  scale: readonly number[];
  kills: number;
  /** Time between two events, long enough for the group to settle after each (session timeout + heartbeats). */
  spacingMs: number;
  seed: number;
}

/**
 * Scale steps and kills interleaved, one every `spacingMs`, starting one spacing in. A kill picks
 * a running replica (seeded: `pick` is a fraction in [0, 1) of the running list).
 * Returns the events and the duration over which the documents should be produced.
 */
export function planChaos(o: ChaosPlanOptions): { events: ChaosEvent[]; durationMs: number } {
  if (o.scale.length === 0 || o.scale.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--scale must be positive integers, e.g. 1,3,1; got ${o.scale.join(',')}`);
  if (!Number.isInteger(o.kills) || o.kills < 0) throw new Error(`--kills must be a non-negative integer, got ${o.kills}`);
  const random = seededRandom(o.seed);
  const steps = o.scale.slice(1);
  const total = steps.length + o.kills;
  // kills spread evenly over the slots, the scale steps in order in the others
  const killSlots = new Set(Array.from({ length: o.kills }, (_, j) => Math.min(total - 1, Math.max(0, Math.round(((j + 0.5) * total) / o.kills - 0.5)))));
  for (let slot = 0; killSlots.size < o.kills; slot++) if (!killSlots.has(slot)) killSlots.add(slot); // collisions (never with even spreading)
  const events: ChaosEvent[] = [];
  let s = 0;
  for (let i = 0; i < total; i++) {
    const atMs = (i + 1) * o.spacingMs;
    if (killSlots.has(i)) events.push({ atMs, kind: 'kill', pick: random() });
    else events.push({ atMs, kind: 'scale', to: steps[s++] });
  }
  return { events, durationMs: (total + 1) * o.spacingMs };
}

export interface Arrival {
  docId: string;
  atMs: number;
}

export interface DeliveryStats {
  delivered: number;
  missing: number;
  duplicates: number;
  /** Longest pause between two arrivals inside any of `windows` (0 when none). */
  maxGapMs: number;
  /** Where it started (epoch ms), for the report. */
  maxGapAtMs: number | null;
}

/**
 * What a read_committed reader saw: distinct documents delivered, documents never delivered,
 * extra copies, and the longest pause between consecutive arrivals inside the given windows
 * (a window that saw fewer than two arrivals counts as one pause from its start to its end).
 */
export function deliveryStats(expected: ReadonlySet<string>, arrivals: readonly Arrival[], windows: ReadonlyArray<{ fromMs: number; toMs: number }>): DeliveryStats {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const a of arrivals) {
    if (!expected.has(a.docId)) continue;
    if (seen.has(a.docId)) duplicates++;
    else seen.add(a.docId);
  }
  const times = arrivals.map((a) => a.atMs).sort((a, b) => a - b);
  let maxGapMs = 0;
  let maxGapAtMs: number | null = null;
  const gap = (from: number, to: number) => {
    if (to - from > maxGapMs) {
      maxGapMs = to - from;
      maxGapAtMs = from;
    }
  };
  for (const w of windows) {
    let prev = w.fromMs;
    for (const t of times) {
      if (t < w.fromMs) continue;
      if (t > w.toMs) break;
      gap(prev, t);
      prev = t;
    }
    gap(prev, w.toMs);
  }
  return { delivered: seen.size, missing: expected.size - seen.size, duplicates, maxGapMs, maxGapAtMs };
}
