// Reading the model registry's metrics blob ({"dev": {"f1":..,"per_type":{..}}, "holdout": {..}})
// and a model manifest's label set. Tolerant by design: the registry is written by another service.

export interface MetricSummary {
  devF1: number | null;
  holdoutF1: number | null;
  /** F1 per entity type on the dev set, then on the hold-out. */
  devPerType: Record<string, number>;
  holdoutPerType: Record<string, number>;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function f1Of(v: unknown): number | null {
  if (typeof v === 'number') return num(v);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return num(o.f1) ?? num(o.F1) ?? num(o.f);
  }
  return null;
}

function perType(block: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!block || typeof block !== 'object') return out;
  const pt = (block as Record<string, unknown>).per_type ?? (block as Record<string, unknown>).perType;
  if (!pt || typeof pt !== 'object') return out;
  for (const [k, v] of Object.entries(pt as Record<string, unknown>)) {
    const f = f1Of(v);
    if (f !== null) out[k] = f;
  }
  return out;
}

/** Dev and hold-out F1 (overall and per type) from a metrics blob; missing figures are null / absent. */
export function summarizeMetrics(metrics: unknown): MetricSummary {
  const m = (metrics && typeof metrics === 'object' ? metrics : {}) as Record<string, unknown>;
  const dev = m.dev ?? m.test;
  const holdout = m.holdout ?? m.correction_holdout ?? m.corrections;
  return { devF1: f1Of(dev) ?? num(m.f1) ?? num(m.dev_f1), holdoutF1: f1Of(holdout) ?? num(m.holdout_f1), devPerType: perType(dev), holdoutPerType: perType(holdout) };
}

/**
 * The entity types of a model manifest: `entity_types` when present, else the types of its BIO
 * (or BIOES) `labels`. Undefined when the manifest names none.
 */
export function labelsFromManifest(manifest: unknown): string[] | undefined {
  if (!manifest || typeof manifest !== 'object') return undefined;
  const m = manifest as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  const types = strings(m.entity_types) ?? strings(m.entityTypes);
  if (types && types.length) return [...new Set(types)];
  const labels = strings(m.labels);
  if (!labels) return undefined;
  const derived = [...new Set(labels.filter((l) => l !== 'O').map((l) => l.replace(/^[BIESLU]-/, '')))];
  return derived.length ? derived : undefined;
}
