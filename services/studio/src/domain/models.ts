// Figures of a registered model version for the Models page, from the registry's published
// metrics (one shape, @zhner/contracts ModelMetrics: no guessing at keys).
import type { MetricSummary, ModelMetrics } from '@zhner/contracts';

const f1PerType = (s: ModelMetrics['dev']): Record<string, number> => Object.fromEntries(Object.entries(s?.perType ?? {}).map(([t, v]) => [t, v.f1]));

export function summarizeMetrics(m: ModelMetrics): MetricSummary {
  return { devF1: m.dev?.f1 ?? null, holdoutF1: m.holdout?.f1 ?? null, devPerType: f1PerType(m.dev), holdoutPerType: f1PerType(m.holdout) };
}
