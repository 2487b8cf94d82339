// Tag: paste or type Chinese text and see the serving model's entities inline.
import { useState, type CSSProperties } from 'react';
import { api, describeError } from '../api';
import { HighlightedText, Legend } from '../components/HighlightedText';
import { colourOf, fmtScore } from '../labels';
import type { PredictedEntity as ScoredSpan } from '@zhner/contracts/http';

interface NerAnswer {
  modelVersion: string | null;
  results: Array<{ text: string; entities: ScoredSpan[] }>;
}

const EXAMPLE = '李鹏在北京会见了日本客人，随后前往联合国总部。';

export function TagPage({ labels }: { labels: string[] }) {
  const [text, setText] = useState(EXAMPLE);
  const [answer, setAnswer] = useState<NerAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const tag = async () => {
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      setAnswer(await api<NerAnswer>('POST', 'api/ner', { text }));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const result = answer?.results[0];
  const shownLabels = [...labels, ...(result?.entities.map((e) => e.type).filter((t) => !labels.includes(t)) ?? [])];
  return (
    <section className="page tag-page">
      <h1>Tag</h1>
      <p className="lede">Paste or type Chinese text; the serving model marks people, places and organisations. Hover an entity for its confidence.</p>
      <textarea
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void tag();
        }}
        rows={5}
        spellCheck={false}
        data-testid="tag-input"
        aria-label="text to tag"
      />
      <div className="actions">
        <button type="button" className="primary" onClick={() => void tag()} disabled={busy} data-testid="tag-button">
          {busy ? 'tagging…' : 'Tag'} <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
        </button>
        <Legend labels={shownLabels} />
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <div className="panel" data-testid="tag-result">
          <div className="panel-head">
            <span>
              model <code data-testid="model-version">{answer?.modelVersion ?? 'unknown'}</code>
            </span>
            <span className="muted">{result.entities.length} entities</span>
          </div>
          <HighlightedText text={result.text} entities={result.entities} labels={shownLabels} testId="tag-highlighted" />
          <table className="entity-table">
            <thead>
              <tr>
                <th>type</th>
                <th>text</th>
                <th>confidence</th>
                <th>span</th>
              </tr>
            </thead>
            <tbody>
              {result.entities.map((e) => (
                <tr key={`${e.start}-${e.end}`}>
                  <td>
                    <span className="tag-chip" style={{ '--ent': colourOf(shownLabels, e.type) } as CSSProperties}>
                      {e.type}
                    </span>
                  </td>
                  <td className="surface">{e.text}</td>
                  <td className="mono">{fmtScore(e.score, 3)}</td>
                  <td className="mono">
                    [{e.start},{e.end})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
