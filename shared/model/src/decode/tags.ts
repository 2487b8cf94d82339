// Tag sequences -> entity spans for BIO and BIOES, with conlleval-style repair, identical to
// zhner_trainer.tagging.tags_to_spans: an I-/E- that does not continue an open entity of its
// type starts a new one; an entity still open at O, at a new B-/S- or at the end is closed there.
import type { Scheme } from '../manifest';

/** A label split into prefix (O, B, I, E, S) and type ('' for O). */
export interface ParsedLabel {
  readonly prefix: 'O' | 'B' | 'I' | 'E' | 'S';
  readonly type: string;
}

export function parseLabels(labels: readonly string[]): ParsedLabel[] {
  return labels.map((l) => {
    if (l === 'O') return { prefix: 'O', type: '' };
    const p = l[0];
    if ((p !== 'B' && p !== 'I' && p !== 'E' && p !== 'S') || l[1] !== '-') throw new Error(`not a BIO/BIOES label: ${l}`);
    return { prefix: p, type: l.slice(2) };
  });
}

/** Token-index span, end exclusive. */
export interface TagSpan {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

/** Spans of a label-id path. `scheme` only documents intent: the repair rules cover both. */
export function tagsToSpans(path: ArrayLike<number>, labels: readonly ParsedLabel[], _scheme: Scheme = 'BIOES'): TagSpan[] {
  const spans: TagSpan[] = [];
  let start = -1;
  let type: string | null = null;
  const close = (end: number): void => {
    if (type !== null) spans.push({ start, end, type });
    start = -1;
    type = null;
  };
  for (let i = 0; i < path.length; i++) {
    const { prefix, type: t } = labels[path[i]];
    switch (prefix) {
      case 'O':
        close(i);
        break;
      case 'B':
        close(i);
        start = i;
        type = t;
        break;
      case 'I':
        if (type !== t) {
          close(i);
          start = i;
          type = t;
        }
        break;
      case 'E':
        if (type !== t) {
          close(i);
          start = i;
          type = t;
        }
        close(i + 1);
        break;
      case 'S':
        close(i);
        start = i;
        type = t;
        close(i + 1);
        break;
    }
  }
  close(path.length);
  return spans;
}

/** Convenience: spans of a sequence of label strings. */
export function labelStringsToSpans(tags: readonly string[], scheme: Scheme = 'BIOES'): TagSpan[] {
  const uniq = Array.from(new Set(tags));
  const parsed = parseLabels(uniq);
  const index = new Map(uniq.map((l, i) => [l, i]));
  return tagsToSpans(tags.map((t) => index.get(t) as number), parsed, scheme);
}
