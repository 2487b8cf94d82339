// The demo feed of the one-process platform: the texts of deploy/local/demo-texts.txt at start,
// then one new text every DEMO_FEED_INTERVAL, so a newcomer sees the review queue move. Texts after
// the first round are recombined from the file's clauses (clause of one sentence + clause of
// another), deterministic for a seed, so the sampler's text dedupe does not swallow them.
import { seededRandom } from '@zhner/core';

/** Clauses of a sentence: split after Chinese commas/semicolons, each keeping its punctuation. */
function clauses(text: string): string[] {
  return text.split(/(?<=[，；])/u).filter((c) => c.trim() !== '');
}

/**
 * An endless, deterministic sequence of demo texts: first `texts` as they are, then two-clause
 * recombinations in a seeded order (each sentence's ending kept, so every text ends as a sentence).
 */
export function* demoTexts(texts: readonly string[], seed = 1): Generator<string> {
  yield* texts;
  const parts = texts.map(clauses).filter((c) => c.length >= 2);
  if (parts.length < 2) return;
  const seen = new Set(texts);
  const random = seededRandom(seed);
  const pick = (n: number) => Math.min(n - 1, Math.floor(random() * n));
  for (let misses = 0; misses < 1000; ) {
    const a = parts[pick(parts.length)];
    const b = parts[pick(parts.length)];
    if (a === b) continue;
    const text = a.slice(0, Math.max(1, pick(a.length))).join('') + b.slice(Math.max(1, pick(b.length))).join('');
    if (seen.has(text)) {
      misses++;
      continue;
    }
    misses = 0;
    seen.add(text);
    yield text;
  }
}
