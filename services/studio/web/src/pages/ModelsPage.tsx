// Models: versions and their metrics, who serves what, rollouts, training runs, and charts.
import { useCallback, useEffect, useState, type CSSProperties } from 'react';
import { api, describeError } from '../api';
import { BarChart, LineChart, type Series } from '../components/Charts';
import { binLabels } from '../format';
import { colourOf, fmtScore, fmtTime } from '../labels';
import type { LiveState } from '../live';
import type { Charts, ModelsOverview, PrincipalOut as Principal } from '@zhner/contracts/http';

const ACTIVE = new Set(['pending', 'canary', 'rolling']);

export function ModelsPage({ labels, me, live }: { labels: string[]; me: Principal | null; live: LiveState }) {
  const [data, setData] = useState<ModelsOverview | null>(null);
  const [charts, setCharts] = useState<Charts | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const admin = me?.role === 'admin';

  const load = useCallback(async () => {
    try {
      const [m, c] = await Promise.all([api<ModelsOverview>('GET', 'api/models'), api<Charts>('GET', 'api/models/charts')]);
      setData(m);
      setCharts(c);
    } catch (err) {
      setMessage({ kind: 'error', text: describeError(err) });
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, live.rolloutVersion]);

  const act = async (what: string, path: string, body: unknown) => {
    try {
      await api('POST', path, body);
      setMessage({ kind: 'ok', text: `${what}: accepted` });
      void load();
    } catch (err) {
      setMessage({ kind: 'error', text: `${what}: ${describeError(err)}` });
    }
  };

  const replicas = live.rolloutVersion > 0 ? live.replicas : (data?.replicas ?? []);
  const rollouts = live.rolloutVersion > 0 ? live.rollouts : (data?.rollouts ?? []);
  // a version every live replica already serves has nothing to roll out
  const servedEverywhere = (version: string) => (replicas.length > 0 ? replicas.every((r) => r.modelVersion === version) : version === data?.promoted);
  const types = [...new Set([...labels, ...(data?.versions.flatMap((v) => Object.keys(v.summary.devPerType)) ?? [])])];

  const f1Series: Series[] = charts
    ? [
        { name: 'dev F1', colour: '#e6f1ff', values: charts.f1.map((p) => p.devF1) },
        { name: 'correction hold-out F1', colour: '#8fa3ff', values: charts.f1.map((p) => p.holdoutF1) },
        ...types.map((t) => ({ name: `${t} (dev)`, colour: colourOf(types, t), values: charts.f1.map((p) => p.devPerType[t] ?? null), dashed: true })),
      ]
    : [];

  return (
    <section className="page models-page">
      <h1>Models</h1>
      {message ? (
        <p className={message.kind === 'error' ? 'error' : 'ok'} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      ) : null}
      <div className="grid-2">
        <div className="panel" data-testid="replicas">
          <div className="panel-head">
            <span>serving</span>
            <span className="muted">promoted: {data?.promoted ?? '—'}</span>
          </div>
          <table>
            <thead>
              <tr>
                <th>replica</th>
                <th>state</th>
                <th>model version</th>
                <th>p99 ms</th>
                <th>last seen</th>
              </tr>
            </thead>
            <tbody>
              {replicas.map((r) => (
                <tr key={r.replicaId}>
                  <td>
                    <code>{r.replicaId}</code> <span className="muted">{r.service}</span>
                  </td>
                  <td>
                    <span className={`badge state-${r.state.toLowerCase()}`}>{r.state}</span>
                  </td>
                  <td>
                    <code>{r.modelVersion ?? '—'}</code>
                  </td>
                  <td className="mono">{fmtScore(r.p99LatencyMs, 1)}</td>
                  <td>{fmtTime(r.lastSeen)}</td>
                </tr>
              ))}
              {replicas.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    no replica has reported yet
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        <div className="panel" data-testid="rollouts">
          <div className="panel-head">
            <span>rollouts</span>
            <span className={live.connected ? 'live on' : 'live'}>{live.connected ? 'live' : 'offline'}</span>
          </div>
          <table>
            <thead>
              <tr>
                <th>rollout</th>
                <th>version</th>
                <th>state</th>
                <th>updated</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rollouts.map((r) => (
                <tr key={r.rolloutId}>
                  <td>
                    <code>{r.rolloutId}</code>
                  </td>
                  <td>
                    <code>{r.modelVersion}</code>
                    {r.previousVersion ? <span className="muted"> ← {r.previousVersion}</span> : null}
                  </td>
                  <td>
                    <span className={`badge state-${r.state}`}>{r.state}</span>
                    {r.canaryReplica && ACTIVE.has(r.state) ? <span className="muted"> canary {r.canaryReplica}</span> : null}
                  </td>
                  <td>{fmtTime(r.updatedAt ?? r.startedAt)}</td>
                  <td>
                    {admin && (ACTIVE.has(r.state) || r.state === 'completed') ? (
                      <button type="button" className="danger" onClick={() => void act(`rollback ${r.rolloutId}`, `api/models/rollouts/${encodeURIComponent(r.rolloutId)}/rollback`, {})}>
                        roll back
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
              {rollouts.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    no rollouts yet
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </div>

      <div className="panel" data-testid="versions">
        <div className="panel-head">
          <span>versions</span>
          {admin ? (
            <button type="button" className="primary" onClick={() => void act('training', 'api/models/training', { reason: 'requested in the studio' })}>
              train now
            </button>
          ) : null}
        </div>
        <table>
          <thead>
            <tr>
              <th>version</th>
              <th>status</th>
              <th>dev F1</th>
              <th>hold-out F1</th>
              {types.map((t) => (
                <th key={t} style={{ color: colourOf(types, t) } as CSSProperties}>
                  {t}
                </th>
              ))}
              <th>created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data?.versions.map((v) => (
              <tr key={v.version} className={v.version === data.promoted ? 'current' : ''}>
                <td>
                  <code>{v.version}</code>
                  {v.parentVersion ? <div className="muted small">from {v.parentVersion}</div> : null}
                </td>
                <td>
                  <span className={`badge status-${v.status}`}>{v.status}</span>
                </td>
                <td className="mono">{fmtScore(v.summary.devF1, 3)}</td>
                <td className="mono">{fmtScore(v.summary.holdoutF1, 3)}</td>
                {types.map((t) => (
                  <td key={t} className="mono">
                    {fmtScore(v.summary.devPerType[t], 3)}
                  </td>
                ))}
                <td>{fmtTime(v.createdAt)}</td>
                <td>
                  {servedEverywhere(v.version) ? (
                    <span className="muted small" data-testid="serving">
                      serving
                    </span>
                  ) : admin && v.status !== 'rejected' && v.status !== 'retired' ? (
                    <button type="button" onClick={() => void act(`rollout of ${v.version}`, 'api/models/rollouts', { modelVersion: v.version })}>
                      roll out
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
            {data && data.versions.length === 0 ? (
              <tr>
                <td colSpan={6 + types.length} className="muted">
                  no model registered yet
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        <h3>training runs</h3>
        <table>
          <thead>
            <tr>
              <th>run</th>
              <th>status</th>
              <th>trigger</th>
              <th>base → new</th>
              <th>gate: per type, bias slices</th>
              <th>started</th>
              <th>finished</th>
            </tr>
          </thead>
          <tbody>
            {data?.runs.map((r) => (
              <tr key={r.runId}>
                <td>
                  <code>{r.runId}</code>
                </td>
                <td>
                  <span className={`badge status-${r.status}`}>{r.status}</span>
                  {r.error ? <div className="error small">{r.error}</div> : null}
                </td>
                <td>{r.trigger}</td>
                <td>
                  <code>{r.baseVersion ?? '—'}</code> → <code>{r.newVersion ?? '—'}</code>
                </td>
                <td data-testid={`gate-${r.runId}`}>
                  <GateSummary gate={r.gate} />
                </td>
                <td>{fmtTime(r.startedAt)}</td>
                <td>{fmtTime(r.finishedAt)}</td>
              </tr>
            ))}
            {data && data.runs.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  no training runs yet
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>

      {charts ? (
        <div className="grid-2 charts" data-testid="charts">
          <LineChart title="F1 across versions" labels={charts.f1.map((p) => p.version)} series={f1Series} max={1} testId="chart-f1" />
          <BarChart title="corrections per day" bars={charts.correctionsPerDay.map((p) => ({ label: p.day.slice(5), value: p.n }))} colour="#ff2bd6" testId="chart-corrections" />
          <LineChart title="queue depth (end of day)" labels={charts.queueDepth.map((p) => p.day.slice(5))} series={[{ name: 'items waiting', colour: '#ffe600', values: charts.queueDepth.map((p) => p.depth) }]} integer testId="chart-depth" />
          <BarChart
            title="uncertainty distribution (sampler score)"
            bars={((labels) => charts.uncertainty.all.map((b, i) => ({ label: labels[i], value: b.n })))(binLabels(charts.uncertainty.all))}
            overlay={{ name: 'still queued', baseName: 'all candidates', colour: '#7cff4f', values: charts.uncertainty.queued.map((b) => b.n) }}
            testId="chart-uncertainty"
          />
        </div>
      ) : null}
    </section>
  );
}

interface GateView {
  typeChecks?: Array<{ type: string; set: string; isNew: boolean; candidateF1: number | null; deltaPoints: number | null; passed: boolean; skipped: boolean; note: string }>;
  biasFlags?: Array<{ set: string; reason: string }>;
  reasons?: string[];
}

/** The gate decision of a run as the orchestrator stored it: each type's check and the bias slices that widened. */
function GateSummary({ gate }: { gate: unknown }) {
  const g = (gate ?? {}) as GateView;
  if (!gate) return <span className="muted">—</span>;
  return (
    <div className="gate-summary">
      {(g.typeChecks ?? []).filter((c) => !c.skipped).map((c) => (
        <span key={`${c.type}-${c.set}`} className={`badge ${c.passed ? 'status-succeeded' : 'status-failed'}`} title={c.note}>
          {c.type} {c.set}
          {c.isNew ? ' (new)' : ''} {c.candidateF1 === null ? '' : (c.candidateF1 * 100).toFixed(1)}
          {c.deltaPoints === null ? '' : ` (${c.deltaPoints >= 0 ? '+' : ''}${c.deltaPoints.toFixed(1)})`}
        </span>
      ))}
      {(g.biasFlags ?? []).map((f, i) => (
        <div key={`b${i}`} className="error small" data-testid="bias-flag">
          bias ({f.set}): {f.reason}
        </div>
      ))}
      {(g.biasFlags ?? []).length === 0 ? <div className="muted small">no bias slice widened</div> : null}
    </div>
  );
}
