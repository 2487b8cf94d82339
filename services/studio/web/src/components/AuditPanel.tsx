// The audit log for admins: who did what and when, filtered by actor and action (GET /api/admin/audit).
import { useEffect, useState } from 'react';
import { api, describeError } from '../api';
import { fmtTime } from '../labels';

interface Entry {
  seq: number | null;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  detail: Record<string, unknown>;
}

const ACTIONS = ['', 'queue.claim', 'queue.skip', 'queue.release', 'correction.submit', 'adjudication.submit', 'spotcheck.record', 'token.create', 'token.revoke', 'type.add', 'type.remove', 'type.guideline', 'data.import', 'training.request', 'rollout.request', 'rollback.request', 'training.run', 'rollout.run'];

export function AuditPanel({ version }: { version: number }) {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [data, setData] = useState<{ entries: Entry[]; unavailable: string[] }>({ entries: [], unavailable: [] });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const q = new URLSearchParams({ limit: '200', ...(actor ? { actor } : {}), ...(action ? { action } : {}) });
    api<{ entries: Entry[]; unavailable: string[] }>('GET', `api/admin/audit?${q}`).then(
      (r) => {
        setData(r);
        setError(null);
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, [actor, action, version]);
  return (
    <div className="panel" data-testid="audit">
      <h2>Audit log</h2>
      <div className="filters">
        <label>
          actor <input value={actor} onChange={(e) => setActor(e.target.value.trim())} placeholder="everyone" data-testid="audit-actor" />
        </label>{' '}
        <label>
          action{' '}
          <select value={action} onChange={(e) => setAction(e.target.value)} data-testid="audit-action">
            {ACTIONS.map((a) => (
              <option key={a} value={a}>{a || 'all'}</option>
            ))}
          </select>
        </label>
      </div>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {data.unavailable.length ? <p className="muted">not shown: {data.unavailable.join('; ')}</p> : null}
      <table>
        <thead>
          <tr>
            <th>when</th>
            <th>who</th>
            <th>what</th>
            <th>subject</th>
            <th>detail</th>
          </tr>
        </thead>
        <tbody>
          {data.entries.map((e, i) => (
            <tr key={`${e.seq ?? 'x'}-${e.at}-${i}`}>
              <td>{fmtTime(e.at)}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td className="mono">{e.subject ?? '—'}</td>
              <td className="mono">{JSON.stringify(e.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
