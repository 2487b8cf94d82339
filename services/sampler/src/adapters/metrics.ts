// The sampler's Prometheus series (the only place prom-client is touched).
import { Counter, Gauge, Histogram, LATENCY_BUCKETS_S, type Registry } from '@zhner/kit';
import { SCORE_NAMES, type Scores } from '../domain/scores';
import { SELECTION_STATES, type SelectionState, type DuplicateStage, type PredictionOutcome, type SamplerMetrics } from '../app/ports';

/** Covers every score's usual range: entropies up to ln(#labels) ≈ 2–3 nats, MNLP, and the [0, 1] scores. */
export const SCORE_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1, 1.5, 2, 3, 5];
const CONFIDENCE_BUCKETS = [0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1];

export function createSamplerMetrics(registry: Registry): SamplerMetrics & { readonly registry: Registry } {
  const registers = [registry];
  const score = new Histogram({ name: 'zhner_sampler_uncertainty_score', help: 'Uncertainty score of every consumed prediction, by score name', labelNames: ['score'], buckets: SCORE_BUCKETS, registers });
  const confidence = new Histogram({ name: 'zhner_sampler_average_confidence', help: 'Mean token confidence of every consumed prediction (the gate compares it with the threshold)', buckets: CONFIDENCE_BUCKETS, registers });
  const predictions = new Counter({ name: 'zhner_sampler_predictions_total', help: 'Consumed predictions by outcome: windowed, gated_out, duplicate, redelivered, stale_model', labelNames: ['outcome'], registers });
  const duplicates = new Counter({ name: 'zhner_sampler_duplicates_dropped_total', help: 'Near-duplicate texts dropped (same normalised-text hash), by where the first copy was: window or selected', labelNames: ['stage'], registers });
  const emitted = new Counter({ name: 'zhner_sampler_candidates_emitted_total', help: 'Review candidates selected and announced on the review-candidates topic, by strategy', labelNames: ['strategy'], registers });
  const reopened = new Counter({ name: 'zhner_sampler_candidates_reopened_total', help: 'Expired selections selected again because their text came back with new scores', registers });
  const expired = new Counter({ name: 'zhner_sampler_candidates_expired_total', help: 'Unlabelled selections expired because a newer model was promoted', registers });
  const windows = new Counter({ name: 'zhner_sampler_windows_total', help: 'Selection windows flushed, by trigger (size or interval)', labelNames: ['trigger'], registers });
  const windowDocs = new Histogram({ name: 'zhner_sampler_window_documents', help: 'Documents in a flushed window', buckets: [1, 5, 10, 25, 50, 100, 200, 500, 1000, 2000], registers });
  const windowSeconds = new Histogram({ name: 'zhner_sampler_window_seconds', help: 'Time to flush one window (selection and writes)', buckets: LATENCY_BUCKETS_S, registers });
  const clusters = new Gauge({ name: 'zhner_sampler_clusters', help: 'k-means clusters formed in the last flushed window', registers });
  const selections = new Gauge({ name: 'zhner_sampler_selections', help: "The sampler's selections by state: selected, labelled (a correction arrived), expired (refreshed from the database)", labelNames: ['state'], registers });
  for (const s of SELECTION_STATES) selections.set({ state: s }, 0);
  const labelled = new Counter({ name: 'zhner_sampler_labelled_total', help: 'Selections marked labelled from the corrections topic', registers });

  return {
    registry,
    scored(scores: Scores, averageConfidence: number) {
      for (const name of SCORE_NAMES) score.observe({ score: name }, scores[name]);
      confidence.observe(averageConfidence);
    },
    prediction(outcome: PredictionOutcome, n = 1) {
      if (n > 0) predictions.inc({ outcome }, n);
    },
    duplicates(stage: DuplicateStage, n: number) {
      if (n > 0) duplicates.inc({ stage }, n);
    },
    windowFlushed(w) {
      windows.inc({ trigger: w.trigger });
      windowDocs.observe(w.size);
      windowSeconds.observe(w.seconds);
      clusters.set(w.clusters);
    },
    candidatesEmitted(strategy: string, n: number, reopenedCount: number) {
      if (n > 0) emitted.inc({ strategy }, n);
      if (reopenedCount > 0) reopened.inc(reopenedCount);
    },
    expired(n: number) {
      if (n > 0) expired.inc(n);
    },
    selections(d: Record<SelectionState, number>) {
      for (const s of SELECTION_STATES) selections.set({ state: s }, d[s] ?? 0);
    },
    labelled(n: number) {
      if (n > 0) labelled.inc(n);
    },
  };
}
