// Annotators: counts, agreement with adjudicated results, points.
import { useEffect, useState } from 'react';
import { ApiError, api, describeError } from '../api';
import { BarChart } from '../components/Charts';
import { fmtScore, fmtTime } from '../labels';
import type { AnnotatorStats } from '@zhner/contracts/http';

export function AnnotatorsPage({ version }: { version: number }) {
  const [rows, setRows] = useState<AnnotatorStats[]>([]);
  const [error, setError] = useState<string | null>(null);
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
      <BarChart title="points" bars={ranked.map((r) => ({ label: r.annotatorId, value: r.points }))} colour="#ffe600" testId="chart-points" />
    </section>
  );
}
