// Read-only text with its entities highlighted inline by type. Text is only ever rendered as React
// text nodes (never as HTML), so "<script>" or "<img onerror>" in a text shows literally.
import type { CSSProperties, ReactElement } from 'react';
import { colourOf, fmtScore } from '../labels';
import type { Span } from '@zhner/contracts/http';

export interface HighlightedTextProps {
  text: string;
  entities: ReadonlyArray<Span & { score?: number }>;
  labels: readonly string[];
  testId?: string;
}

export function HighlightedText({ text, entities, labels, testId }: HighlightedTextProps) {
  const sorted = [...entities].filter((e) => e.start >= 0 && e.end <= text.length && e.start < e.end).sort((a, b) => a.start - b.start);
  const parts: ReactElement[] = [];
  let at = 0;
  sorted.forEach((e, i) => {
    if (e.start < at) return; // overlapping prediction: keep the first
    if (e.start > at) parts.push(<span key={`t${at}`}>{text.slice(at, e.start)}</span>);
    const tip = e.score === undefined ? e.type : `${e.type} · confidence ${fmtScore(e.score)}`;
    parts.push(
      <mark key={`e${i}`} className="ent" data-type={e.type} data-score={e.score === undefined ? undefined : fmtScore(e.score)} data-tip={tip} title={tip} style={{ '--ent': colourOf(labels, e.type) } as CSSProperties}>
        {text.slice(e.start, e.end)}
      </mark>,
    );
    at = e.end;
  });
  if (at < text.length) parts.push(<span key={`t${at}`}>{text.slice(at)}</span>);
  return (
    <div className="text-view" data-testid={testId}>
      {parts}
    </div>
  );
}

export function Legend({ labels }: { labels: readonly string[] }) {
  return (
    <ul className="legend" aria-label="entity types">
      {labels.map((l, i) => (
        <li key={l} style={{ '--ent': colourOf(labels, l) } as CSSProperties}>
          <span className="swatch" />
          {l}
          {i < 9 ? <kbd>{i + 1}</kbd> : null}
        </li>
      ))}
    </ul>
  );
}
