// Prometheus series of the orchestrator. Gauges that mirror tables are computed when scraped.
import { errorMessage } from '@zhner/core';
import { Counter, Gauge, Histogram, type Logger, type Registry } from '@zhner/kit';
import type { RunObserver } from '../app/trainingRuns';

export interface MetricSources {
  runCounts: () => Promise<Record<string, number>>;
  backlog: () => Promise<number>;
  exampleCounts: () => Promise<{ train: number; holdout: number; superseded: number }>;
  logger: Logger;
}

export interface OrchestratorMetrics extends RunObserver {
  corrections(result: 'stored' | 'duplicate' | 'rejected', n: number): void;
  runStarted(trigger: string): void;
}

const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'rejected'];

export function createOrchestratorMetrics(registry: Registry, src: MetricSources): OrchestratorMetrics {
  const safe = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      src.logger.warn({ err: errorMessage(err), what }, 'metric collection failed');
    }
  };
  new Gauge({
    name: 'zhner_orchestrator_runs',
    help: 'Training runs by status (from training_runs)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      await safe('runs', async () => {
        const counts = await src.runCounts();
        for (const s of RUN_STATUSES) this.set({ status: s }, counts[s] ?? 0);
      });
    },
  });
  new Gauge({
    name: 'zhner_orchestrator_backlog_examples',
    help: 'Active training corrections no run has used yet (what TRAIN_BACKLOG_THRESHOLD compares with)',
    registers: [registry],
    async collect() {
      await safe('backlog', async () => this.set(await src.backlog()));
    },
  });
  new Gauge({
    name: 'zhner_orchestrator_training_examples',
    help: 'Stored corrections: active by split, and superseded',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      await safe('examples', async () => {
        const c = await src.exampleCounts();
        this.set({ kind: 'train' }, c.train);
        this.set({ kind: 'holdout' }, c.holdout);
        this.set({ kind: 'superseded' }, c.superseded);
      });
    },
  });
  const duration = new Histogram({
    name: 'zhner_orchestrator_run_duration_seconds',
    help: 'Wall time of a training run (training set, job, gate), by outcome',
    labelNames: ['status'],
    buckets: [10, 60, 300, 900, 1800, 3600, 7200, 14400, 28800],
    registers: [registry],
  });
  const lastF1 = new Gauge({
    name: 'zhner_orchestrator_last_f1',
    help: 'Strict entity F1 (0..1) of the last gate evaluation, by model (candidate/base) and dataset (dev/holdout)',
    labelNames: ['model', 'dataset'],
    registers: [registry],
  });
  const corrections = new Counter({
    name: 'zhner_orchestrator_corrections_total',
    help: 'Corrections consumed: stored, duplicate (already stored) or rejected (dead-lettered)',
    labelNames: ['result'],
    registers: [registry],
  });
  const started = new Counter({ name: 'zhner_orchestrator_runs_started_total', help: 'Training runs started, by trigger', labelNames: ['trigger'], registers: [registry] });
  return {
    runFinished: (status, seconds) => duration.observe({ status }, seconds),
    scored: (model, dataset, f1) => lastF1.set({ model, dataset }, f1),
    corrections: (result, n) => {
      if (n > 0) corrections.inc({ result }, n);
    },
    runStarted: (trigger) => started.inc({ trigger }),
  };
}
