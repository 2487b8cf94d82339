import { spanProblem } from '@zhner/core/spans';
import { EDITOR_SHORTCUTS, actionOfKey, addSpan, moveBoundary, nextCharBoundary, prevCharBoundary } from './editorLogic';
import { colourOf, keyOf, setTypePresentation, typeOfKey } from './labels';

const text = '李鹏在😀北京见到王军';
const key = (k: string, mods: Partial<{ altKey: boolean; shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }> = {}) => ({ key: k, altKey: false, shiftKey: false, ctrlKey: false, metaKey: false, ...mods });

describe('entity editor logic', () => {
  it('adds a span of the chosen type, replacing what it overlaps, and the result passes the span rule', () => {
    const ents = [{ start: 0, end: 2, type: 'PER', text: '李鹏' }, { start: 5, end: 7, type: 'LOC', text: '北京' }];
    const r = addSpan(text, ents, { start: 4, end: 7 }, 'ORG');
    expect(r.replaced).toBe(1);
    expect(r.entities).toEqual([{ start: 0, end: 2, type: 'PER', text: '李鹏' }, { start: 4, end: 7, type: 'ORG', text: text.slice(4, 7) }]);
    expect(r.selected).toBe(1);
    expect(spanProblem(text, r.entities, { labels: ['PER', 'ORG'] })).toMatchObject({ code: 'SPLITS_CHARACTER' }); // 4 is inside 😀
    const ok = addSpan(text, ents, { start: 3, end: 7 }, 'ORG');
    expect(spanProblem(text, ok.entities, { labels: ['PER', 'ORG'] })).toBeUndefined();
  });

  it('moves a boundary by whole characters, never to empty or onto another entity', () => {
    const ents = [{ start: 0, end: 2, type: 'PER', text: '李鹏' }, { start: 5, end: 7, type: 'LOC', text: '北京' }];
    expect(moveBoundary(text, ents, 1, 'start', -1)).toEqual({ entities: [ents[0], { start: 3, end: 7, type: 'LOC', text: '😀北京' }] });
    expect(moveBoundary(text, [{ start: 0, end: 1, type: 'PER', text: '李' }], 0, 'end', -1)).toEqual({ note: 'an entity needs at least one character' });
    expect(moveBoundary(text, ents, 0, 'end', 1)).toEqual({ entities: [{ start: 0, end: 3, type: 'PER', text: '李鹏在' }, ents[1]] });
    expect(moveBoundary(text, [{ start: 0, end: 3, type: 'PER', text: '李鹏在' }, ents[1]], 0, 'end', 1)).toEqual({ entities: [{ start: 0, end: 5, type: 'PER', text: '李鹏在😀' }, ents[1]] });
    expect(moveBoundary(text, [{ start: 0, end: 5, type: 'PER', text: '李鹏在😀' }, ents[1]], 0, 'end', 1)).toEqual({ note: 'that would overlap another entity' });
    expect(prevCharBoundary(text, 5)).toBe(3);
    expect(nextCharBoundary(text, 3)).toBe(5);
  });

  it('maps keys to actions: 1..9 label, Delete/X, Alt/Shift arrows, Enter, S, Esc', () => {
    const labels = ['PER', 'LOC', 'ORG'];
    expect(actionOfKey(key('2'), labels)).toEqual({ kind: 'label', type: 'LOC' });
    expect(actionOfKey(key('7'), labels)).toBeUndefined();
    expect(actionOfKey(key('x'), labels)).toEqual({ kind: 'delete' });
    expect(actionOfKey(key('ArrowLeft', { altKey: true }), labels)).toEqual({ kind: 'move', edge: 'start', dir: -1 });
    expect(actionOfKey(key('ArrowRight', { shiftKey: true }), labels)).toEqual({ kind: 'move', edge: 'end', dir: 1 });
    expect(actionOfKey(key('ArrowRight'), labels)).toBeUndefined();
    expect(actionOfKey(key('Enter'), labels)).toEqual({ kind: 'submit' });
    expect(actionOfKey(key('S'), labels)).toEqual({ kind: 'skip' });
    expect(actionOfKey(key('Escape'), labels)).toEqual({ kind: 'clear' });
    expect(actionOfKey(key('1', { ctrlKey: true }), labels)).toBeUndefined();
  });

  it('follows the studio\'s presentation of the types: an added type keeps its key and colour; ? opens the help', () => {
    const labels = ['PER', 'LOC', 'ORG', 'TIME'];
    const g = null;
    setTypePresentation([
      { type: 'PER', colour: '#111111', shortcut: '1', guideline: g, custom: false },
      { type: 'LOC', colour: '#222222', shortcut: '2', guideline: g, custom: false },
      { type: 'ORG', colour: '#333333', shortcut: null, guideline: g, custom: false },
      { type: 'TIME', colour: '#00ff88', shortcut: '3', guideline: { version: 1, body: 'dates', createdAt: 0, createdBy: 'root' }, custom: true },
    ]);
    try {
      expect(actionOfKey(key('3'), labels)).toEqual({ kind: 'label', type: 'TIME' });
      expect(keyOf(labels, 'ORG')).toBeUndefined();
      expect(typeOfKey(labels, '2')).toBe('LOC');
      expect(colourOf(labels, 'TIME')).toBe('#00ff88');
      expect(actionOfKey(key('?'), labels)).toEqual({ kind: 'help' });
      // the help lists every command the key handler knows
      for (const k of ['Enter', 'S', 'Esc', '?']) expect(EDITOR_SHORTCUTS.some((s) => s.keys.includes(k))).toBe(true);
    } finally {
      setTypePresentation([]);
    }
  });
});
