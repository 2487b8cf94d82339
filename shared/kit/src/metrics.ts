import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram, Summary } from 'prom-client';

export { Registry, Counter, Gauge, Histogram, Summary };

/**
 * A fresh prom-client registry per service (never the global one, so several services can share a
 * process in the one-machine default and in tests). Every series carries `service`.
 */
export function createMetricsRegistry(service: string, opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (opts.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: 'zhner_' });
    // prom-client names three GAUGES *_total (promtool: "non-counter metrics should not have _total
    // suffix"); the resources one is kept under a gauge's name, the other two are subsumed by it
    for (const n of ['active_handles', 'active_requests', 'active_resources']) {
      registry.removeSingleMetric(`zhner_nodejs_${n}`);
      registry.removeSingleMetric(`zhner_nodejs_${n}_total`);
    }
    new Gauge({
      name: 'zhner_nodejs_active_resources',
      help: 'Active libuv resources keeping the event loop alive (handles and requests), by type',
      labelNames: ['type'],
      registers: [registry],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const t of process.getActiveResourcesInfo()) counts.set(t, (counts.get(t) ?? 0) + 1);
        for (const [type, n] of counts) this.set({ type }, n);
      },
    });
  }
  return registry;
}

/** Latency buckets in seconds from 0.5 ms to 10 s, for request and inference timings. */
export const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
