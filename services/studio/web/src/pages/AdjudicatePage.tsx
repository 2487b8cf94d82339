// Adjudicate (admin): conflicting corrections of one text side by side — pick one or merge —
// and spot checks of an annotator's recent corrections.
import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api';
import { EntityEditor } from '../components/EntityEditor';
import { HighlightedText, Legend } from '../components/HighlightedText';
import { fmtTime } from '../labels';
import type { AnnotatorStats, ConflictItem, PrincipalOut as Principal, Span, StoredCorrectionOut as StoredCorrection } from '@zhner/contracts/http';

function Conflict({ item, labels, onDone }: { item: ConflictItem; labels: string[]; onDone: (msg: string) => void }) {
  const [merging, setMerging] = useState<Span[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const send = async (body: { chosenCorrectionId?: string; entities?: Span[] }) => {
    try {
      await api('POST', 'api/adjudications', { textHash: item.textHash, ...body });
      onDone(`adjudicated ${item.docId}`);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <article className="panel conflict" data-testid="conflict">
      <div className="panel-head">
        <span>
          doc <code>{item.docId}</code> · {item.corrections.length} versions
        </span>
        <button type="button" onClick={() => setMerging(merging ? null : item.proposal)}>
          {merging ? 'cancel merge' : 'merge…'}
        </button>
      </div>
      <div className="side-by-side">
        {item.corrections.map((c) => (
          <div key={c.correctionId} className="version">
            <div className="version-head">
              <b>{c.annotator}</b> <span className="muted">rev {c.revision} · {fmtTime(c.createdAt)}</span>
            </div>
            <HighlightedText text={item.text} entities={c.entities} labels={labels} />
            <button type="button" className="primary" onClick={() => void send({ chosenCorrectionId: c.correctionId })}>
              pick {c.annotator}'s
            </button>
          </div>
        ))}
      </div>
      {merging ? (
        <div className="merge">
          <h3>merged gold</h3>
          <EntityEditor text={item.text} entities={merging} labels={labels} onChange={setMerging} shortcuts />
          <button type="button" className="primary" onClick={() => void send({ entities: merging })}>
            save merged
          </button>
        </div>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </article>
  );
}

function SpotChecks({ labels }: { labels: string[] }) {
  const [people, setPeople] = useState<AnnotatorStats[]>([]);
  const [who, setWho] = useState('');
  const [size, setSize] = useState(10);
  const [mode, setMode] = useState<'sample' | 'unreviewed'>('sample');
  const [items, setItems] = useState<Array<{ correction: StoredCorrection; verdict: string | null }>>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: AnnotatorStats[] }>('GET', 'api/annotators').then(
      (r) => {
        setPeople(r.items);
        setWho((w) => w || (r.items.find((p) => p.corrections > 0)?.annotatorId ?? r.items[0]?.annotatorId ?? ''));
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, []);
  const load = async () => {
    try {
      const r = await api<{ items: Array<{ correction: StoredCorrection; verdict: string | null }> }>('GET', `api/adjudication/spot-checks?annotator=${encodeURIComponent(who)}&size=${size}&mode=${mode}`);
      setItems(r.items);
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  };
  const judge = async (id: string, verdict: 'ok' | 'wrong') => {
    try {
      await api('POST', 'api/adjudication/spot-checks', { correctionId: id, verdict });
      setItems((xs) => xs.map((x) => (x.correction.correctionId === id ? { ...x, verdict } : x)));
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <div className="panel" data-testid="spot-checks">
      <div className="panel-head">
        <span>spot check</span>
        <span className="muted">in the first weeks, review every correction (mode “every unchecked”) to set a quality baseline</span>
      </div>
      <div className="actions">
        <select value={who} onChange={(e) => setWho(e.target.value)} aria-label="annotator">
          {people.map((p) => (
            <option key={p.annotatorId} value={p.annotatorId}>
              {p.displayName} ({p.corrections})
            </option>
          ))}
        </select>
        <select value={mode} onChange={(e) => setMode(e.target.value as 'sample' | 'unreviewed')} aria-label="mode">
          <option value="sample">random sample</option>
          <option value="unreviewed">every unchecked</option>
        </select>
        <input type="number" min={1} max={200} value={size} onChange={(e) => setSize(Number(e.target.value) || 10)} aria-label="sample size" />
        <button type="button" onClick={() => void load()} disabled={!who}>
          load
        </button>
      </div>
      {items.map(({ correction: c, verdict }) => (
        <div key={c.correctionId} className="spot">
          <HighlightedText text={c.text} entities={c.entities} labels={labels} />
          <div className="actions">
            <span className="muted">
              {fmtTime(c.createdAt)} · <code>{c.correctionId}</code>
            </span>
            {verdict ? <span className={`badge verdict-${verdict}`}>{verdict}</span> : null}
            <button type="button" onClick={() => void judge(c.correctionId, 'ok')}>
              ✓ right
            </button>
            <button type="button" className="danger" onClick={() => void judge(c.correctionId, 'wrong')}>
              ✗ wrong
            </button>
          </div>
        </div>
      ))}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function AdjudicatePage({ labels, me }: { labels: string[]; me: Principal | null }) {
  const [items, setItems] = useState<ConflictItem[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setItems((await api<{ items: ConflictItem[] }>('GET', 'api/adjudication/conflicts')).items);
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => {
    if (me?.role === 'admin') void load();
  }, [me, load]);
  if (me?.role !== 'admin') {
    return (
      <section className="page">
        <h1>Adjudicate</h1>
        <div className="panel">
          <p>This page is for admins: sign in with an admin token.</p>
        </div>
      </section>
    );
  }
  return (
    <section className="page adjudicate-page">
      <h1>Adjudicate</h1>
      <Legend labels={labels} />
      {message ? (
        <p className="ok" role="status">
          {message}
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <h2>conflicting corrections</h2>
      {items.length === 0 ? <p className="muted">no conflicts waiting</p> : null}
      {items.map((it) => (
        <Conflict
          key={it.textHash}
          item={it}
          labels={labels}
          onDone={(m) => {
            setMessage(m);
            void load();
          }}
        />
      ))}
      <h2>spot checks</h2>
      <SpotChecks labels={labels} />
    </section>
  );
}
