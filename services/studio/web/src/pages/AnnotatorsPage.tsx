// Annotators: counts, agreement with adjudicated results, points.
import { useEffect, useState } from 'react';
import { ApiError, api, describeError, getToken } from '../api';
import { BarChart } from '../components/Charts';
import { fmtScore, fmtTime } from '../labels';
import type { AnnotatorStats, PairAgreement, StudioEntityType } from '@zhner/contracts/http';
import { EntityTypesPanel } from '../components/EntityTypesPanel';
import { AuditPanel } from '../components/AuditPanel';

export function AnnotatorsPage({ version, types, isAdmin }: { version: number; types: readonly StudioEntityType[]; isAdmin: boolean }) {
  const [rows, setRows] = useState<AnnotatorStats[]>([]);
  const [pairs, setPairs] = useState<PairAgreement[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ pairs: PairAgreement[] }>('GET', 'api/annotators/agreement').then(
      (r) => setPairs(r.pairs),
      () => setPairs([]),
    );
  }, [version]);
  useEffect(() => {
    api<{ items: AnnotatorStats[] }>('GET', 'api/annotators').then(
      (r) => {
        setRows(r.items);
        setError(null);
      },
      (err: unknown) => setError(err instanceof ApiError && err.status === 401 ? 'Sign in (top right) to see the annotators and their figures.' : describeError(err)),
    );
  }, [version]);
  const ranked = [...rows].sort((a, b) => b.points - a.points);
  // the CSV needs the bearer token, so it is fetched and handed to the browser as a file
  const downloadCsv = async () => {
    const token = getToken();
    const res = await fetch('api/annotators/agreement.csv', { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) return setError(`agreement.csv: HTTP ${res.status}`);
    const url = URL.createObjectURL(new Blob([await res.text()], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'agreement.csv';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <section className="page annotators-page">
      <h1>Annotators</h1>
      <p className="lede">Points: +1 per corrected item, +2 per exact agreement with an adjudication, +1 per spot check passed, −2 per spot check failed.</p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="panel">
        <table data-testid="annotators">
          <thead>
            <tr>
              <th>annotator</th>
              <th>role</th>
              <th>items corrected</th>
              <th>last 7 days</th>
              <th>skips</th>
              <th>adjudicated</th>
              <th>agreed</th>
              <th>agreement F1</th>
              <th>spot checks ✓/✗</th>
              <th>points</th>
              <th>last correction</th>
            </tr>
          </thead>
          <tbody>
            {ranked.map((r) => (
              <tr key={r.annotatorId} className={r.disabled ? 'muted' : ''}>
                <td>
                  {r.displayName} <span className="muted">{r.annotatorId !== r.displayName ? r.annotatorId : ''}</span>
                </td>
                <td>
                  <span className={`role role-${r.role}`}>{r.role}</span>
                </td>
                <td className="mono">{r.corrections}</td>
                <td className="mono">{r.last7Days}</td>
                <td className="mono">{r.skips}</td>
                <td className="mono">{r.adjudicated}</td>
                <td className="mono">{r.agreed}</td>
                <td className="mono">{fmtScore(r.agreementF1, 3)}</td>
                <td className="mono">
                  {r.spotChecksOk}/{r.spotChecksWrong}
                </td>
                <td className="mono points">{r.points}</td>
                <td>{fmtTime(r.lastCorrectionAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="panel">
        <h2>Agreement between annotators</h2>
        <p className="muted">
          On the texts both corrected (latest revision each): exact-span F1, partial-overlap F1 (same type, overlapping), Cohen's κ and Krippendorff's α on character labels
          (chance-corrected; empty when undefined).{' '}
          <button type="button" onClick={() => void downloadCsv()} data-testid="agreement-csv">
            download CSV
          </button>{' '}
          <span className="mono muted">GET /api/annotators/agreement.csv</span>
        </p>
        <table data-testid="agreement">
          <thead>
            <tr>
              <th>pair</th>
              <th>type</th>
              <th>shared texts</th>
              <th>exact F1</th>
              <th>partial F1</th>
              <th>Cohen's kappa</th>
              <th>Krippendorff's alpha</th>
            </tr>
          </thead>
          <tbody>
            {pairs.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  no text corrected by two annotators yet
                </td>
              </tr>
            ) : null}
            {pairs.flatMap((p) =>
              [['all', p] as const, ...Object.entries(p.perType)].map(([type, f]) => (
                <tr key={`${p.a}|${p.b}|${type}`} className={type === 'all' ? '' : 'muted'}>
                  <td>{type === 'all' ? `${p.a} · ${p.b}` : ''}</td>
                  <td>{type}</td>
                  <td className="mono">{f.items}</td>
                  <td className="mono">{fmtScore(f.exactF1, 3)}</td>
                  <td className="mono">{fmtScore(f.partialF1, 3)}</td>
                  <td className="mono">{fmtScore(f.kappa, 3)}</td>
                  <td className="mono">{fmtScore(f.alpha, 3)}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
      <BarChart title="points" bars={ranked.map((r) => ({ label: r.annotatorId, value: r.points }))} colour="#ffe600" testId="chart-points" />
      <EntityTypesPanel types={types} isAdmin={isAdmin} />
      {isAdmin ? <AuditPanel version={version} /> : null}
    </section>
  );
}
