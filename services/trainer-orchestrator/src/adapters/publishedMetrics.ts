// The registry's metrics blob as the published contract shape (ModelMetrics). Two writers fill the
// blob: the trainer's manifest (`per_type`, `extra_dev` keyed by file) for the bundled model, and
// this service's gate (`perType`, `docs`) for fine-tuned versions. This is the one reader.
import type { EvalScores, ModelMetrics } from '@zhner/contracts';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

function scores(v: unknown): EvalScores | null {
  const o = obj(v);
  if (!o) return null;
  const precision = num(o.precision);
  const recall = num(o.recall);
  const f1 = num(o.f1);
  if (precision === undefined || recall === undefined || f1 === undefined) return null;
  const perType: EvalScores['perType'] = {};
  for (const [type, raw] of Object.entries(obj(o.perType) ?? obj(o.per_type) ?? {})) {
    const t = obj(raw);
    const p = num(t?.precision);
    const r = num(t?.recall);
    const f = num(t?.f1);
    if (p === undefined || r === undefined || f === undefined) continue;
    perType[type] = { precision: p, recall: r, f1: f, support: Math.round(num(t?.support) ?? 0) };
  }
  const docs = num(o.docs);
  return { precision, recall, f1, docs: docs === undefined ? null : Math.round(docs), perType };
}

/** The name of an extra dev set: its corpus folder and file (`weibo/dev`) rather than a path. */
function devSetName(key: string): string {
  const parts = key.replace(/\\/g, '/').replace(/\.jsonl$/, '').split('/').filter(Boolean);
  return parts.slice(-2).join('/') || key;
}

export function publishedMetrics(raw: Record<string, unknown> | null | undefined): ModelMetrics {
  const m = raw ?? {};
  const extraDev: ModelMetrics['extraDev'] = {};
  for (const [key, v] of Object.entries(obj(m.extraDev) ?? obj(m.extra_dev) ?? {})) {
    const s = scores(v);
    if (s) extraDev[devSetName(key)] = s;
  }
  const base = obj(m.base);
  return {
    dev: scores(m.dev),
    holdout: scores(m.holdout),
    extraDev,
    base: base && typeof base.version === 'string' ? { version: base.version, dev: scores(base.dev), holdout: scores(base.holdout) } : null,
  };
}
