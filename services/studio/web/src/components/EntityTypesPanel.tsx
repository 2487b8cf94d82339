// Entity types of the label set: colour, key, guideline version; an admin adds a type (the
// registry admits it, annotators are offered it at once), publishes a new guideline version, or
// removes a type added here. Nothing here knows a type by name.
import { useState, type CSSProperties, type FormEvent } from 'react';
import { api, describeError } from '../api';
import type { StudioEntityType } from '@zhner/contracts/http';

const changed = () => window.dispatchEvent(new Event('zhner:config-changed'));

export function EntityTypesPanel({ types, isAdmin }: { types: readonly StudioEntityType[]; isAdmin: boolean }) {
  const [form, setForm] = useState({ type: '', colour: '#00ff88', shortcut: '', guideline: '' });
  const [editing, setEditing] = useState<{ type: string; body: string } | null>(null);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const used = new Set(types.map((t) => t.shortcut).filter(Boolean));

  const add = async (ev: FormEvent) => {
    ev.preventDefault();
    try {
      await api('POST', 'api/admin/types', { type: form.type.trim(), colour: form.colour, shortcut: form.shortcut || null, guideline: form.guideline });
      setNote({ ok: true, text: `${form.type} added: annotators can mark it now; the next training run learns it.` });
      setForm({ type: '', colour: '#00ff88', shortcut: '', guideline: '' });
      changed();
    } catch (err) {
      setNote({ ok: false, text: describeError(err) });
    }
  };
  const saveGuideline = async () => {
    if (!editing) return;
    try {
      await api('PUT', `api/admin/types/${encodeURIComponent(editing.type)}/guideline`, { guideline: editing.body });
      setNote({ ok: true, text: `new guideline version of ${editing.type} published` });
      setEditing(null);
      changed();
    } catch (err) {
      setNote({ ok: false, text: describeError(err) });
    }
  };
  const remove = async (type: string) => {
    if (!window.confirm(`Remove ${type}? Stored corrections keep their ${type} spans; training and scoring leave them out from now on, and new corrections with it are refused.`)) return;
    try {
      await api('DELETE', `api/admin/types/${encodeURIComponent(type)}`);
      setNote({ ok: true, text: `${type} removed` });
      changed();
    } catch (err) {
      setNote({ ok: false, text: describeError(err) });
    }
  };

  return (
    <div className="panel" data-testid="entity-types">
      <h2>Entity types</h2>
      <table>
        <thead>
          <tr>
            <th>type</th>
            <th>key</th>
            <th>guideline</th>
            <th>origin</th>
            {isAdmin ? <th /> : null}
          </tr>
        </thead>
        <tbody>
          {types.map((t) => (
            <tr key={t.type} data-testid={`entity-type-${t.type}`}>
              <td>
                <span className="tag-chip" style={{ '--ent': t.colour } as CSSProperties}>{t.type}</span>
              </td>
              <td>{t.shortcut ? <kbd>{t.shortcut}</kbd> : '—'}</td>
              <td>{t.guideline ? `v${t.guideline.version} by ${t.guideline.createdBy}` : '—'}</td>
              <td>{t.custom ? 'added in the studio' : 'the model'}</td>
              {isAdmin ? (
                <td>
                  <button type="button" onClick={() => setEditing({ type: t.type, body: t.guideline?.body ?? '' })}>guideline</button>{' '}
                  {t.custom ? <button type="button" onClick={() => void remove(t.type)}>remove</button> : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {editing ? (
        <div className="guideline-edit">
          <label>
            Guideline of {editing.type} (markdown; a new version, the old ones stay with the corrections made under them)
            <textarea rows={6} value={editing.body} onChange={(e) => setEditing({ ...editing, body: e.target.value })} data-testid="guideline-body" />
          </label>
          <button type="button" onClick={() => void saveGuideline()}>publish version</button> <button type="button" onClick={() => setEditing(null)}>cancel</button>
        </div>
      ) : null}
      {isAdmin ? (
        <form className="type-add" onSubmit={(e) => void add(e)} data-testid="type-add">
          <h3>Add a type</h3>
          <label>
            name <input value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value.toUpperCase() })} placeholder="TIME" pattern="[A-Z][A-Z0-9_]{0,31}" required data-testid="type-name" />
          </label>
          <label>
            colour <input type="color" value={form.colour} onChange={(e) => setForm({ ...form, colour: e.target.value })} data-testid="type-colour" />
          </label>
          <label>
            key{' '}
            <select value={form.shortcut} onChange={(e) => setForm({ ...form, shortcut: e.target.value })} data-testid="type-key">
              <option value="">none</option>
              {['1', '2', '3', '4', '5', '6', '7', '8', '9'].filter((k) => !used.has(k)).map((k) => (
                <option key={k} value={k}>{k}</option>
              ))}
            </select>
          </label>
          <label>
            guideline <textarea rows={3} value={form.guideline} onChange={(e) => setForm({ ...form, guideline: e.target.value })} required placeholder="What counts as this type, with examples; what does not." data-testid="type-guideline" />
          </label>
          <button type="submit" data-testid="type-submit">add type</button>
        </form>
      ) : null}
      {note ? <p className={note.ok ? 'ok' : 'error'} role={note.ok ? 'status' : 'alert'}>{note.text}</p> : null}
    </div>
  );
}
