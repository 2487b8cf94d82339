// The learning-curve plot as a hand-written SVG (pure string building, no dependency): one line per
// strategy (mean F1 vs labelled documents), with an optional ±1 std band, axes with ticks, a legend.

export interface SvgSeries {
  readonly name: string;
  readonly points: readonly { x: number; y: number; yStd?: number }[];
}

export interface SvgPlot {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly SvgSeries[];
  /** Pixel size. Defaults 760 × 460. */
  readonly width?: number;
  readonly height?: number;
}

/** Colour-blind-friendly palette (Okabe–Ito), cycled. */
const COLOURS = ['#000000', '#E69F00', '#0072B2', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442'];

/** Escapes text for XML content and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** "Nice" tick values (1, 2, 5 × 10^k steps) covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step + 0); // + 0 turns -0 into 0
  return out;
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4))));

/** Renders the plot. Series without points are listed in the legend only. */
export function learningCurveSvg(plot: SvgPlot): string {
  const W = plot.width ?? 760;
  const H = plot.height ?? 460;
  const m = { left: 64, right: 170, top: plot.subtitle ? 56 : 40, bottom: 52 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const all = plot.series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.flatMap((p) => [p.y - (p.yStd ?? 0), p.y + (p.yStd ?? 0)]);
  const xMax = xs.length ? Math.max(...xs) : 1;
  const xTicks = niceTicks(0, xMax > 0 ? xMax : 1, 6);
  const x1 = Math.max(xMax, xTicks[xTicks.length - 1]) || 1;
  let yLo = ys.length ? Math.min(...ys) : 0;
  let yHi = ys.length ? Math.max(...ys) : 1;
  const pad = Math.max((yHi - yLo) * 0.08, 0.005);
  yLo = Math.max(0, yLo - pad);
  yHi = Math.min(1, yHi + pad);
  if (!(yHi > yLo)) [yLo, yHi] = [Math.max(0, yLo - 0.05), Math.min(1, yHi + 0.05)];
  const yTicks = niceTicks(yLo, yHi, 6).filter((v) => v >= yLo - 1e-9 && v <= yHi + 1e-9);
  const sx = (x: number) => m.left + (x / x1) * pw;
  const sy = (y: number) => m.top + ph - ((y - yLo) / (yHi - yLo)) * ph;
  const n = (v: number) => v.toFixed(1);

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<title>${xmlEscape(plot.title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${n(m.left)}" y="22" font-size="15" font-weight="bold">${xmlEscape(plot.title)}</text>`);
  if (plot.subtitle) parts.push(`<text x="${n(m.left)}" y="40" font-size="11" fill="#555555">${xmlEscape(plot.subtitle)}</text>`);
  // grid + ticks
  parts.push('<g stroke="#e5e5e5" stroke-width="1">');
  for (const v of yTicks) parts.push(`<line x1="${n(m.left)}" y1="${n(sy(v))}" x2="${n(m.left + pw)}" y2="${n(sy(v))}"/>`);
  for (const v of xTicks) parts.push(`<line x1="${n(sx(v))}" y1="${n(m.top)}" x2="${n(sx(v))}" y2="${n(m.top + ph)}"/>`);
  parts.push('</g>');
  parts.push(`<g stroke="#333333" stroke-width="1"><line x1="${n(m.left)}" y1="${n(m.top + ph)}" x2="${n(m.left + pw)}" y2="${n(m.top + ph)}"/><line x1="${n(m.left)}" y1="${n(m.top)}" x2="${n(m.left)}" y2="${n(m.top + ph)}"/></g>`);
  parts.push('<g fill="#333333">');
  for (const v of xTicks) parts.push(`<text x="${n(sx(v))}" y="${n(m.top + ph + 16)}" text-anchor="middle">${fmt(v)}</text>`);
  for (const v of yTicks) parts.push(`<text x="${n(m.left - 6)}" y="${n(sy(v) + 4)}" text-anchor="end">${fmt(Math.round(v * 1000) / 10)}</text>`);
  parts.push('</g>');
  parts.push(`<text x="${n(m.left + pw / 2)}" y="${n(H - 12)}" text-anchor="middle">${xmlEscape(plot.xLabel)}</text>`);
  parts.push(`<text x="16" y="${n(m.top + ph / 2)}" text-anchor="middle" transform="rotate(-90 16 ${n(m.top + ph / 2)})">${xmlEscape(plot.yLabel)}</text>`);
  // series
  plot.series.forEach((s, i) => {
    const c = COLOURS[i % COLOURS.length];
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    parts.push(`<g class="series" data-name="${xmlEscape(s.name)}">`);
    if (pts.some((p) => (p.yStd ?? 0) > 0)) {
      const upper = pts.map((p) => `${n(sx(p.x))},${n(sy(Math.min(1, p.y + (p.yStd ?? 0))))}`);
      const lower = pts.map((p) => `${n(sx(p.x))},${n(sy(Math.max(0, p.y - (p.yStd ?? 0))))}`).reverse();
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${c}" fill-opacity="0.12" stroke="none"/>`);
    }
    if (pts.length) parts.push(`<polyline points="${pts.map((p) => `${n(sx(p.x))},${n(sy(p.y))}`).join(' ')}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const p of pts) parts.push(`<circle cx="${n(sx(p.x))}" cy="${n(sy(p.y))}" r="3" fill="${c}"><title>${xmlEscape(`${s.name}: ${fmt(p.x)} labels, F1 ${(p.y * 100).toFixed(2)}`)}</title></circle>`);
    parts.push('</g>');
  });
  // legend
  const lx = m.left + pw + 16;
  parts.push(`<g class="legend">`);
  plot.series.forEach((s, i) => {
    const y = m.top + 8 + i * 20;
    const c = COLOURS[i % COLOURS.length];
    parts.push(`<line x1="${n(lx)}" y1="${n(y)}" x2="${n(lx + 22)}" y2="${n(y)}" stroke="${c}" stroke-width="2"/><circle cx="${n(lx + 11)}" cy="${n(y)}" r="3" fill="${c}"/><text x="${n(lx + 28)}" y="${n(y + 4)}">${xmlEscape(s.name)}</text>`);
  });
  parts.push('</g>');
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
