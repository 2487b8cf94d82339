// The entity editor's logic without the DOM: what a key does, what adding a span or moving a
// boundary does to the entity list. Pure functions over data (unit-tested beside); the span rule
// itself is @zhner/core's, the same one the server applies to a submitted correction.
import { nextCharBoundary, overlaps, prevCharBoundary, sortSpans, type Span } from '@zhner/core/spans';
import { typeOfKey } from './labels';

export { nextCharBoundary, prevCharBoundary };

/** The pending selection becomes an entity of `type`; entities it overlaps are replaced. */
export function addSpan(text: string, ents: readonly Span[], pending: { start: number; end: number }, type: string): { entities: Span[]; selected: number; replaced: number } {
  const span: Span = { start: pending.start, end: pending.end, type, text: text.slice(pending.start, pending.end) };
  const kept = ents.filter((e) => !overlaps(e, span));
  const entities = sortSpans([...kept, span]);
  return { entities, selected: entities.findIndex((e) => e.start === span.start && e.end === span.end), replaced: ents.length - kept.length };
}

/**
 * Moves one boundary of entity `index` by one character (never inside a surrogate pair). Returns
 * the new list, or a note saying why the move is refused (empty entity, overlap).
 */
export function moveBoundary(text: string, ents: readonly Span[], index: number, edge: 'start' | 'end', dir: -1 | 1): { entities: Span[] } | { note: string } {
  const e = ents[index];
  if (!e) return { note: 'no entity selected' };
  const pos = dir < 0 ? prevCharBoundary(text, e[edge]) : nextCharBoundary(text, e[edge]);
  const next = { ...e, [edge]: pos };
  if (next.start >= next.end) return { note: 'an entity needs at least one character' };
  if (ents.some((o, i) => i !== index && overlaps(o, next))) return { note: 'that would overlap another entity' };
  next.text = text.slice(next.start, next.end);
  return { entities: ents.map((x, i) => (i === index ? next : x)) };
}

export type EditorAction =
  | { kind: 'label'; type: string }
  | { kind: 'delete' }
  | { kind: 'move'; edge: 'start' | 'end'; dir: -1 | 1 }
  | { kind: 'submit' }
  | { kind: 'skip' }
  | { kind: 'clear' }
  | { kind: 'help' };

/** Every shortcut of the editor, as the `?` help lists them (one list: the key handler below follows it). */
export const EDITOR_SHORTCUTS: ReadonlyArray<{ keys: string; does: string }> = [
  { keys: 'drag over characters', does: 'propose a span' },
  { keys: 'type key (below) or type button', does: 'give the proposed or selected span that type' },
  { keys: 'click an entity', does: 'select it' },
  { keys: 'Delete / Backspace / X', does: 'delete the selected entity' },
  { keys: 'Alt+← / Alt+→', does: "move the selected entity's start" },
  { keys: 'Shift+← / Shift+→', does: "move the selected entity's end" },
  { keys: 'Enter', does: 'submit the correction' },
  { keys: 'S', does: 'skip the item' },
  { keys: 'Esc', does: 'clear the selection (and close this help)' },
  { keys: '?', does: 'open this help: shortcuts and each type’s guideline' },
];

/** What a key press means in the editor (undefined: not ours). Shortcuts are listed in the `?` help. */
export function actionOfKey(ev: { key: string; altKey: boolean; shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }, labels: readonly string[]): EditorAction | undefined {
  if (ev.ctrlKey || ev.metaKey) return undefined;
  if (/^[1-9]$/.test(ev.key) && !ev.altKey) {
    const type = typeOfKey(labels, ev.key);
    return type ? { kind: 'label', type } : undefined;
  }
  if (ev.key === 'Delete' || ev.key === 'Backspace' || ev.key === 'x' || ev.key === 'X') return { kind: 'delete' };
  if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
    const dir = ev.key === 'ArrowLeft' ? -1 : 1;
    if (ev.altKey) return { kind: 'move', edge: 'start', dir };
    if (ev.shiftKey) return { kind: 'move', edge: 'end', dir };
    return undefined;
  }
  if (ev.key === 'Enter') return { kind: 'submit' };
  if (ev.key === 's' || ev.key === 'S') return { kind: 'skip' };
  if (ev.key === 'Escape') return { kind: 'clear' };
  if (ev.key === '?') return { kind: 'help' };
  return undefined;
}
