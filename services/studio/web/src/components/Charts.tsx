// Small hand-rolled SVG charts (no chart library): lines over categories, bars, histograms.
// Every mark has a <title>, so hovering shows its value.

const W = 520;
const H = 220;
const PAD = { l: 44, r: 12, t: 14, b: 36 };

export interface Series {
  name: string;
  colour: string;
  values: Array<number | null>;
  dashed?: boolean;
}

/** Axis top and gridline values: 4–5 "nice" steps (1, 2, 2.5, 5 × 10^k); whole steps for counts. */
export function scaleFor(maxValue: number, opts: { integer?: boolean; fixedMax?: number } = {}): { top: number; ticks: number[] } {
  if (opts.fixedMax !== undefined) return { top: opts.fixedMax, ticks: [0, 0.25, 0.5, 0.75, 1].map((f) => f * opts.fixedMax!) };
  const raw = Math.max(maxValue, opts.integer ? 1 : 1e-9) / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((x) => x >= raw) ?? 10 * p;
  if (opts.integer) step = Math.max(1, Math.ceil(step));
  const top = Math.max(step, Math.ceil(maxValue / step) * step);
  const ticks: number[] = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(Number(t.toFixed(10)));
  return { top, ticks };
}

const countFmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

function Axes({ max, ticks, labels, fmt }: { max: number; ticks: number[]; labels: string[]; fmt: (v: number) => string }) {
  const iw = W - PAD.l - PAD.r;
  const step = labels.length > 1 ? iw / (labels.length - 1) : iw;
  const every = Math.max(1, Math.ceil(labels.length / 8));
  return (
    <g className="axes">
      {ticks.map((t) => {
        const y = PAD.t + (H - PAD.t - PAD.b) * (1 - t / max);
        return (
          <g key={t}>
            <line x1={PAD.l} x2={W - PAD.r} y1={y} y2={y} className="grid" />
            <text x={PAD.l - 6} y={y + 4} textAnchor="end">
              {fmt(t)}
            </text>
          </g>
        );
      })}
      {labels.map((l, i) =>
        i % every === 0 ? (
          <text key={`${l}-${i}`} x={PAD.l + (labels.length > 1 ? i * step : iw / 2)} y={H - PAD.b + 16} textAnchor={labels.length > 1 && i === labels.length - 1 ? 'end' : labels.length > 1 && i === 0 ? 'start' : 'middle'}>
            {l.length > 14 ? `${l.slice(0, 13)}…` : l}
          </text>
        ) : null,
      )}
    </g>
  );
}

export function LineChart({ title, labels, series, max, integer, fmt = integer ? countFmt : (v) => v.toFixed(2), testId }: { title: string; labels: string[]; series: Series[]; max?: number; integer?: boolean; fmt?: (v: number) => string; testId?: string }) {
  const { top, ticks } = scaleFor(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))), { integer, fixedMax: max });
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const x = (i: number) => PAD.l + (labels.length > 1 ? (i * iw) / (labels.length - 1) : iw / 2);
  const y = (v: number) => PAD.t + ih * (1 - v / top);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      {labels.length === 0 ? (
        <p className="muted">no data yet</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
          <Axes max={top} ticks={ticks} labels={labels} fmt={fmt} />
          {series.map((s) => {
            const pts = s.values.map((v, i) => (v === null ? null : `${x(i)},${y(v)}`)).filter(Boolean);
            return (
              <g key={s.name}>
                <polyline points={pts.join(' ')} fill="none" stroke={s.colour} strokeWidth={2} strokeDasharray={s.dashed ? '5 4' : undefined} />
                {s.values.map((v, i) =>
                  v === null ? null : (
                    <circle key={i} cx={x(i)} cy={y(v)} r={3.5} fill={s.colour}>
                      <title>{`${s.name} · ${labels[i]}: ${fmt(v)}`}</title>
                    </circle>
                  ),
                )}
              </g>
            );
          })}
        </svg>
      )}
      <ul className="chart-legend">
        {series.map((s) => (
          <li key={s.name}>
            <span className="swatch" style={{ background: s.colour }} />
            {s.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}

export function BarChart({ title, bars, colour = '#00e5ff', overlay, fmt = countFmt, testId }: { title: string; bars: Array<{ label: string; value: number }>; colour?: string; overlay?: { name: string; colour: string; values: number[]; baseName: string }; fmt?: (v: number) => string; testId?: string }) {
  const { top, ticks } = scaleFor(Math.max(0, ...bars.map((b) => b.value), ...(overlay?.values ?? [])), { integer: true });
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = bars.length ? iw / bars.length : iw;
  const y = (v: number) => PAD.t + ih * (1 - v / top);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p className="muted">no data yet</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
          <g className="axes">
            {ticks.map((t) => (
              <g key={t}>
                <line x1={PAD.l} x2={W - PAD.r} y1={y(t)} y2={y(t)} className="grid" />
                <text x={PAD.l - 6} y={y(t) + 4} textAnchor="end">
                  {fmt(t)}
                </text>
              </g>
            ))}
            {bars.map((b, i) =>
              i % Math.max(1, Math.ceil(bars.length / 8)) === 0 ? (
                <text key={i} x={PAD.l + i * bw + bw / 2} y={H - PAD.b + 16} textAnchor="middle">
                  {b.label}
                </text>
              ) : null,
            )}
          </g>
          {bars.map((b, i) => (
            <rect key={i} x={PAD.l + i * bw + 1} y={y(b.value)} width={Math.max(1, bw - 2)} height={Math.max(0, PAD.t + ih - y(b.value))} fill={colour} opacity={overlay ? 0.45 : 0.85}>
              <title>{`${overlay ? `${overlay.baseName} · ` : ''}${b.label}: ${fmt(b.value)}`}</title>
            </rect>
          ))}
          {overlay?.values.map((v, i) => (
            <rect key={`o${i}`} x={PAD.l + i * bw + bw * 0.25} y={y(v)} width={Math.max(1, bw * 0.5)} height={Math.max(0, PAD.t + ih - y(v))} fill={overlay.colour}>
              <title>{`${overlay.name} · ${bars[i]?.label}: ${fmt(v)}`}</title>
            </rect>
          ))}
        </svg>
      )}
      {overlay ? (
        <ul className="chart-legend">
          <li>
            <span className="swatch" style={{ background: colour }} />
            {overlay.baseName}
          </li>
          <li>
            <span className="swatch" style={{ background: overlay.colour }} />
            {overlay.name}
          </li>
        </ul>
      ) : null}
    </figure>
  );
}
