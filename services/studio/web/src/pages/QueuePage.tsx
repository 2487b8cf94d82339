// Review queue: candidates by priority with why each was picked; claim one, fix its entities,
// submit (Enter) or skip (S); the next item loads at once.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, describeError } from '../api';
import { EntityEditor } from '../components/EntityEditor';
import { HighlightedText, Legend } from '../components/HighlightedText';
import { priorityReason } from '../format';
import { fmtScore } from '../labels';
import type { LiveState } from '../live';
import type { QueueItem as Candidate, ClaimedItem, CorrectionOut as Correction, Depth, PrincipalOut as Principal, Span } from '@zhner/contracts/http';

const toSpans = (c: Candidate): Span[] => c.predicted.map(({ start, end, type, text }) => ({ start, end, type, text }));

function Why({ c }: { c: Candidate }) {
  return (
    <dl className="why" data-testid="why">
      <div>
        <dt>strategy</dt>
        <dd>{c.strategy}</dd>
      </div>
      <div>
        <dt>score</dt>
        <dd>{fmtScore(c.score, 3)}</dd>
      </div>
      <div>
        <dt>priority</dt>
        <dd>
          {fmtScore(c.priority, 3)} <span className="muted small" data-testid="priority-reason">{priorityReason(c)}</span>
        </dd>
      </div>
      {Object.entries(c.scores).map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{fmtScore(v, 3)}</dd>
        </div>
      ))}
      {c.cluster !== null ? (
        <div>
          <dt>cluster</dt>
          <dd>{c.cluster}</dd>
        </div>
      ) : null}
      {c.novelty !== null ? (
        <div>
          <dt>novelty</dt>
          <dd>{fmtScore(c.novelty, 3)}</dd>
        </div>
      ) : null}
      <div>
        <dt>model</dt>
        <dd>{c.modelVersion}</dd>
      </div>
    </dl>
  );
}

function Countdown({ until }: { until: number | null }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (!until) return null;
  const left = Math.max(0, Math.round((until - now) / 1000));
  return <span className={left < 60 ? 'warn' : 'muted'}>claim {left > 0 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left` : 'expired'}</span>;
}

export function QueuePage({ labels, me, live }: { labels: string[]; me: Principal | null; live: LiveState }) {
  const [items, setItems] = useState<Candidate[]>([]);
  const [depth, setDepth] = useState<Depth | null>(null);
  const [item, setItem] = useState<ClaimedItem | null>(null);
  const [entities, setEntities] = useState<Span[]>([]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [empty, setEmpty] = useState(false);
  const busyRef = useRef(false);

  const load = useCallback(async () => {
    // the queue holds document texts: it is listed to signed-in annotators only (STUDIO_PUBLIC_READS opens it)
    try {
      const q = await api<{ depth: Depth; items: Candidate[] }>('GET', 'api/queue?limit=100');
      setItems(q.items);
      setDepth(q.depth);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setItems([]);
        return;
      }
      setMessage({ kind: 'error', text: describeError(err) });
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, live.queueVersion, me]);

  const show = (next: ClaimedItem | null) => {
    setItem(next);
    setEntities(next ? toSpans(next.candidate) : []);
    setEmpty(!next);
  };

  const run = async (fn: () => Promise<void>) => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      setMessage({ kind: 'error', text: describeError(err) });
    } finally {
      busyRef.current = false;
      setBusy(false);
      void load();
    }
  };

  const claimNext = () =>
    run(async () => {
      const r = await api<{ item: ClaimedItem | null }>('POST', 'api/queue/claim', {});
      show(r.item);
      setMessage(r.item ? null : { kind: 'ok', text: 'the queue is empty' });
    });

  const claim = (id: string) =>
    run(async () => {
      show(await api<ClaimedItem>('POST', `api/queue/${encodeURIComponent(id)}/claim`, {}));
      setMessage(null);
    });

  const submit = useCallback(
    () =>
      item &&
      run(async () => {
        const r = await api<{ correction: Correction; duplicate: boolean; next: ClaimedItem | null }>('POST', 'api/corrections', {
          candidateId: item.candidate.candidateId,
          revision: item.revision,
          entities,
          claimNext: true,
        });
        setMessage({ kind: 'ok', text: `${r.duplicate ? 'already saved' : 'saved'} ${r.correction.correctionId} · ${r.correction.entities.length} entities` });
        show(r.next);
      }),
    [item, entities],
  );

  const skip = useCallback(
    () =>
      item &&
      run(async () => {
        const r = await api<{ next: ClaimedItem | null }>('POST', `api/queue/${encodeURIComponent(item.candidate.candidateId)}/skip`, { claimNext: true });
        setMessage({ kind: 'ok', text: `skipped ${item.candidate.candidateId}` });
        show(r.next);
      }),
    [item],
  );

  const release = () =>
    item &&
    run(async () => {
      await api('POST', `api/queue/${encodeURIComponent(item.candidate.candidateId)}/release`, {});
      show(null);
      setEmpty(false);
    });

  const d = live.depth ?? depth;
  return (
    <section className="page queue-page">
      <h1>Review queue</h1>
      <div className="queue-layout">
        <aside className="queue-list" data-testid="queue-list">
          <div className="panel-head">
            <span>by priority</span>
            {d ? (
              <span className="muted" data-testid="queue-depth">
                {d.open} open · {d.claimed} claimed · {d.done} done
              </span>
            ) : null}
          </div>
          <ol>
            {items.map((c) => (
              <li key={c.candidateId} className={`${item?.candidate.candidateId === c.candidateId ? 'current ' : ''}status-${c.status}`}>
                <button type="button" className="queue-item" onClick={() => me && void claim(c.candidateId)} disabled={!me || busy} title={me ? 'claim this item' : 'sign in to claim'} data-testid={`queue-item-${c.candidateId}`}>
                  <span className="qi-text">{c.text.length > 60 ? `${c.text.slice(0, 60)}…` : c.text}</span>
                  <span className="qi-why">
                    <b>{fmtScore(c.priority)}</b> · {priorityReason(c)}
                    {c.status === 'claimed' ? <em> · {c.claimedBy}</em> : null}
                  </span>
                </button>
              </li>
            ))}
            {items.length === 0 ? <li className="muted">nothing waiting</li> : null}
          </ol>
        </aside>
        <div className="queue-work">
          {!me ? (
            <div className="panel">
              <p>Sign in with your API token (top right) to claim and correct items.</p>
            </div>
          ) : !item ? (
            <div className="panel">
              <p>{empty ? 'Nothing to claim right now.' : 'Claim the most useful item to label next.'}</p>
              <button type="button" className="primary" onClick={() => void claimNext()} disabled={busy} data-testid="start">
                Start annotating
              </button>
            </div>
          ) : (
            <div className="panel" data-testid="queue-editor" data-candidate={item.candidate.candidateId}>
              <div className="panel-head">
                <span>
                  <code>{item.candidate.candidateId}</code> · doc <code>{item.candidate.docId}</code>
                  {item.revision > 0 ? <> · revision {item.revision}</> : null}
                </span>
                <Countdown until={item.candidate.claimExpiresAt} />
              </div>
              <Why c={item.candidate} />
              <h3>model said</h3>
              <HighlightedText text={item.candidate.text} entities={item.candidate.predicted} labels={labels} testId="predicted" />
              <h3>your correction</h3>
              <Legend labels={labels} />
              <EntityEditor text={item.candidate.text} entities={entities} labels={labels} onChange={setEntities} onSubmit={() => void submit()} onSkip={() => void skip()} disabled={busy} />
              <div className="actions">
                <button type="button" className="primary" onClick={() => void submit()} disabled={busy} data-testid="submit">
                  Submit <kbd>Enter</kbd>
                </button>
                <button type="button" onClick={() => void skip()} disabled={busy} data-testid="skip">
                  Skip <kbd>S</kbd>
                </button>
                <button type="button" className="ghost" onClick={() => setEntities(toSpans(item.candidate))} disabled={busy}>
                  reset to prediction
                </button>
                <button type="button" className="ghost" onClick={() => void release()} disabled={busy}>
                  release
                </button>
              </div>
            </div>
          )}
          {message ? (
            <p className={message.kind === 'error' ? 'error' : 'ok'} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="queue-message">
              {message.text}
            </p>
          ) : null}
        </div>
      </div>
    </section>
  );
}
