// The span editor of the review queue. Select characters with the mouse to propose a span, then
// pick its type (button or key 1..9); click an entity to select it, then change its type (1..9),
// delete it (Delete/Backspace/X) or move its boundaries (Alt+←/→ start, Shift+←/→ end). Enter
// submits, S skips, Esc clears. Each character is its own element carrying its UTF-16 offset, so
// a DOM selection maps exactly to text offsets (surrogate pairs stay whole).
import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties, type MouseEvent as ReactMouseEvent, type ReactElement } from 'react';
import { colourOf, keyOf, typePresentation } from '../labels';
import type { Span } from '@zhner/contracts/http';
import { sortSpans } from '@zhner/core/spans';
import { EDITOR_SHORTCUTS, actionOfKey, addSpan, moveBoundary } from '../editorLogic';

export interface EntityEditorProps {
  text: string;
  entities: Span[];
  labels: readonly string[];
  onChange: (entities: Span[]) => void;
  onSubmit?: () => void;
  onSkip?: () => void;
  /** Keyboard shortcuts are active (one editor per page has them). */
  shortcuts?: boolean;
  disabled?: boolean;
}

interface Char {
  ch: string;
  at: number;
}

/** Text offset of a DOM selection point inside the editor (undefined when outside any character). */
function offsetOf(node: Node, offset: number, root: HTMLElement): number | undefined {
  const charEl = (n: Node | null): HTMLElement | null => {
    for (let e: Node | null = n; e && e !== root; e = e.parentNode) if (e instanceof HTMLElement && e.dataset.o !== undefined) return e;
    return null;
  };
  const startOf = (el: HTMLElement) => Number(el.dataset.o);
  const endOf = (el: HTMLElement) => Number(el.dataset.o) + (el.textContent ?? '').length;
  if (node.nodeType === Node.TEXT_NODE) {
    const el = charEl(node);
    if (!el) return undefined;
    return offset === 0 ? startOf(el) : endOf(el);
  }
  const el = node as HTMLElement;
  const own = charEl(el);
  if (own) return offset === 0 ? startOf(own) : endOf(own);
  const chars = (n: Node): HTMLElement[] => (n instanceof HTMLElement ? (n.dataset.o !== undefined ? [n] : Array.from(n.querySelectorAll<HTMLElement>('[data-o]'))) : []);
  if (offset < el.childNodes.length) {
    const first = chars(el.childNodes[offset])[0];
    if (first) return startOf(first);
  }
  const before = Array.from(el.childNodes).slice(0, offset).flatMap(chars);
  const last = before[before.length - 1];
  return last ? endOf(last) : undefined;
}

export function EntityEditor({ text, entities, labels, onChange, onSubmit, onSkip, shortcuts = true, disabled }: EntityEditorProps) {
  const root = useRef<HTMLDivElement>(null);
  const [pending, setPending] = useState<{ start: number; end: number } | null>(null);
  const [help, setHelp] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    setPending(null);
    setSelected(null);
    setNote(null);
  }, [text]);

  const chars: Char[] = useMemo(() => {
    const out: Char[] = [];
    let at = 0;
    for (const ch of text) {
      out.push({ ch, at });
      at += ch.length;
    }
    return out;
  }, [text]);

  const ents = useMemo(() => sortSpans(entities), [entities]);

  const apply = useCallback(
    (type: string) => {
      if (disabled) return;
      if (pending) {
        const { entities: next, selected: at, replaced } = addSpan(text, ents, pending, type);
        onChange(next);
        setSelected(at);
        setPending(null);
        setNote(replaced ? `replaced ${replaced} overlapping entit${replaced === 1 ? 'y' : 'ies'}` : null);
      } else if (selected !== null && ents[selected]) {
        onChange(ents.map((e, i) => (i === selected ? { ...e, type } : e)));
        setNote(null);
      }
    },
    [disabled, pending, selected, ents, text, onChange],
  );

  const remove = useCallback(
    (idx: number) => {
      if (disabled) return;
      onChange(ents.filter((_, i) => i !== idx));
      setSelected(null);
    },
    [disabled, ents, onChange],
  );

  const move = useCallback(
    (edge: 'start' | 'end', dir: -1 | 1) => {
      if (selected === null || !ents[selected] || disabled) return;
      const r = moveBoundary(text, ents, selected, edge, dir);
      if ('note' in r) return setNote(r.note);
      onChange(r.entities);
      setNote(null);
    },
    [selected, ents, text, onChange, disabled],
  );

  useEffect(() => {
    if (!shortcuts) return;
    const onKey = (ev: KeyboardEvent) => {
      const t = ev.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      const action = actionOfKey(ev, labels);
      if (!action) return;
      if (action.kind === 'label') {
        ev.preventDefault();
        apply(action.type);
      } else if (action.kind === 'delete') {
        if (selected !== null) {
          ev.preventDefault();
          remove(selected);
        }
      } else if (action.kind === 'move') {
        ev.preventDefault();
        move(action.edge, action.dir);
      } else if (action.kind === 'submit') {
        if (t && t.tagName === 'BUTTON') return;
        ev.preventDefault();
        onSubmit?.();
      } else if (action.kind === 'skip') {
        ev.preventDefault();
        onSkip?.();
      } else if (action.kind === 'help') {
        ev.preventDefault();
        setHelp(true);
      } else {
        setPending(null);
        setSelected(null);
        setHelp(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [shortcuts, labels, apply, remove, move, selected, onSubmit, onSkip]);

  const onMouseUp = (ev: ReactMouseEvent<HTMLDivElement>) => {
    if (disabled || !root.current) return;
    const sel = window.getSelection();
    const r = sel && sel.rangeCount > 0 ? sel.getRangeAt(0) : null;
    const inside = r !== null && root.current.contains(r.startContainer) && root.current.contains(r.endContainer);
    const a = inside ? offsetOf(r.startContainer, r.startOffset, root.current) : undefined;
    const b = inside ? offsetOf(r.endContainer, r.endOffset, root.current) : undefined;
    if (!sel || a === undefined || b === undefined || a === b) {
      // a click: select the entity under the pointer (its type badge included), if any
      const el = (ev.target as HTMLElement).closest<HTMLElement>('[data-ent]');
      setSelected(el ? Number(el.dataset.ent) : null);
      setPending(null);
      return;
    }
    setPending({ start: Math.min(a, b), end: Math.max(a, b) });
    setSelected(null);
    setNote(null);
    sel.removeAllRanges();
  };

  // characters grouped into entity wrappers
  const runs: ReactElement[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i];
    const entIdx = ents.findIndex((e) => c.at >= e.start && c.at < e.end);
    const charEl = (x: Char) => (
      <span key={x.at} data-o={x.at} className={pending && x.at >= pending.start && x.at < pending.end ? 'ch pending' : 'ch'}>
        {x.ch}
      </span>
    );
    if (entIdx < 0) {
      runs.push(charEl(c));
      i++;
      continue;
    }
    const e = ents[entIdx];
    const inside: Char[] = [];
    while (i < chars.length && chars[i].at < e.end) inside.push(chars[i++]);
    runs.push(
      <mark
        key={`e${e.start}`}
        data-ent={entIdx}
        data-type={e.type}
        data-tip={`${e.type} [${e.start},${e.end})`}
        className={`ent editable${selected === entIdx ? ' selected' : ''}`}
        style={{ '--ent': colourOf(labels, e.type) } as CSSProperties}
      >
        {inside.map(charEl)}
      </mark>,
    );
  }

  const sel = selected !== null ? ents[selected] : undefined;
  return (
    <div className={`editor${disabled ? ' disabled' : ''}`}>
      <div className="type-bar" role="toolbar" aria-label="entity type">
        {labels.map((l) => (
          <button key={l} type="button" className="type-btn" style={{ '--ent': colourOf(labels, l) } as CSSProperties} disabled={disabled || (!pending && !sel)} onClick={() => apply(l)} data-testid={`type-${l}`}>
            {keyOf(labels, l) ? <kbd>{keyOf(labels, l)}</kbd> : null} {l}
          </button>
        ))}
        <button type="button" className="type-btn help-btn" onClick={() => setHelp(true)} aria-label="shortcuts and guidelines" data-testid="editor-help-open">
          <kbd>?</kbd>
        </button>
        <span className="hint">
          {pending ? `selected [${pending.start},${pending.end}) “${text.slice(pending.start, pending.end)}”: pick a type` : sel ? `entity “${sel.text}” ${sel.type}: 1–9 type · Del delete · Alt/Shift+←→ boundaries` : 'select characters to add an entity · click an entity to edit it'}
        </span>
      </div>
      {help ? (
        <div className="editor-help panel" role="dialog" aria-label="shortcuts and guidelines" data-testid="editor-help">
          <button type="button" className="icon" aria-label="close" onClick={() => setHelp(false)}>
            ×
          </button>
          <h3>Shortcuts</h3>
          <table>
            <tbody>
              {EDITOR_SHORTCUTS.map((s) => (
                <tr key={s.keys}>
                  <td><kbd>{s.keys}</kbd></td>
                  <td>{s.does}</td>
                </tr>
              ))}
              {labels.map((l) => (
                <tr key={`k-${l}`}>
                  <td>{keyOf(labels, l) ? <kbd>{keyOf(labels, l)}</kbd> : '—'}</td>
                  <td>type {l}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Guidelines</h3>
          {labels.map((l) => {
            const g = typePresentation().find((t) => t.type === l)?.guideline;
            return (
              <section key={`g-${l}`} data-testid={`guideline-${l}`}>
                <h4 style={{ color: colourOf(labels, l) }}>
                  {l} {g ? <small className="muted">version {g.version}</small> : null}
                </h4>
                <p className="guideline">{g ? g.body : 'no guideline yet (an admin adds one on the Annotators page)'}</p>
              </section>
            );
          })}
        </div>
      ) : null}
      <div ref={root} className="text-view editable-text" onMouseUp={onMouseUp} data-testid="editor-text">
        {runs}
      </div>
      {note ? <p className="note">{note}</p> : null}
      <table className="entity-table" data-testid="entity-table">
        <thead>
          <tr>
            <th>type</th>
            <th>text</th>
            <th>span</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {ents.map((e, idx) => (
            <tr key={`${e.start}-${e.end}`} className={selected === idx ? 'selected' : ''} onClick={() => setSelected(idx)}>
              <td>
                <select
                  aria-label={`type of ${e.text}`}
                  value={e.type}
                  disabled={disabled}
                  onChange={(ev) => onChange(ents.map((x, k) => (k === idx ? { ...x, type: ev.target.value } : x)))}
                  style={{ '--ent': colourOf(labels, e.type) } as CSSProperties}
                >
                  {(labels.includes(e.type) ? labels : [...labels, e.type]).map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              </td>
              <td className="surface">{e.text}</td>
              <td className="mono">
                [{e.start},{e.end})
              </td>
              <td>
                <button type="button" className="icon" aria-label={`delete ${e.text}`} disabled={disabled} onClick={(ev) => (ev.stopPropagation(), remove(idx))}>
                  ×
                </button>
              </td>
            </tr>
          ))}
          {ents.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
                no entities
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
