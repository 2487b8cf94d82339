// Prometheus series of the tagger (prom-client, on the service's registry). Rates (documents and
// entities per second) come from the counters: rate(zhner_tagger_documents_total[1m]).
// Dead letters by reason: zhner_tagger_rejected_total{reason} here (texts the tagger refused) and
// zhner_bus_dead_letters_total{code} from the bus (every dead letter, decode failures included);
// consumer lag: zhner_bus_consumer_lag.
import { Counter, Gauge, Histogram, LATENCY_BUCKETS_S, type Registry } from '@zhner/kit';
import type { DocOrigin, Precision, TaggerMetrics } from '../app/ports';

const SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

export interface PromTaggerMetrics extends TaggerMetrics {
  httpRequest(route: string, status: number, seconds: number): void;
}

export function createTaggerMetrics(registry: Registry): PromTaggerMetrics {
  const r = [registry];
  const batchSeconds = new Histogram({ name: 'zhner_tagger_inference_batch_seconds', help: 'Model run + decoding of one batch', buckets: LATENCY_BUCKETS_S, registers: r });
  const docSeconds = new Histogram({
    name: 'zhner_tagger_document_seconds',
    help: 'Per document: from submission to the tagger to its result (queue wait + inference; cache hits included)',
    labelNames: ['origin'],
    buckets: LATENCY_BUCKETS_S,
    registers: r,
  });
  const batchSize = new Histogram({ name: 'zhner_tagger_batch_size', help: 'Segments per model run', buckets: SIZE_BUCKETS, registers: r });
  const padding = new Histogram({ name: 'zhner_tagger_batch_padding_efficiency', help: 'Real tokens / padded tokens per model run (1 = no padding)', buckets: [0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1], registers: r });
  const batchFailures = new Counter({ name: 'zhner_tagger_batch_failures_total', help: 'Model runs that failed', registers: r });
  const tokens = new Counter({ name: 'zhner_tagger_tokens_total', help: 'Tokens run through the model', registers: r });
  const queueWait = new Histogram({ name: 'zhner_tagger_queue_wait_seconds', help: 'Wait in the batching queue before the first model run', buckets: LATENCY_BUCKETS_S, registers: r });
  const queueDepth = new Gauge({ name: 'zhner_tagger_queue_depth', help: 'Documents waiting in the batching queue', registers: r });
  const docs = new Counter({ name: 'zhner_tagger_documents_total', help: 'Documents tagged', labelNames: ['origin'], registers: r });
  const entities = new Counter({ name: 'zhner_tagger_entities_total', help: 'Entities found, by type', labelNames: ['type'], registers: r });
  const cache = new Counter({ name: 'zhner_tagger_cache_lookups_total', help: 'Result cache lookups', labelNames: ['result'], registers: r });
  let hits = 0;
  let lookups = 0;
  new Gauge({
    name: 'zhner_tagger_cache_hit_ratio',
    help: 'Result cache hits / lookups since start',
    registers: r,
    collect() {
      this.set(lookups === 0 ? 0 : hits / lookups);
    },
  });
  const rejected = new Counter({ name: 'zhner_tagger_rejected_total', help: 'Documents refused or failed by the tagger (dead-lettered or answered 4xx), by reason', labelNames: ['reason', 'origin'], registers: r });
  const modelInfo = new Gauge({ name: 'zhner_tagger_model_info', help: 'The model version serving (value 1)', labelNames: ['version', 'precision'], registers: r });
  const loads = new Counter({ name: 'zhner_tagger_model_loads_total', help: 'Model loads (hot swaps), by result', labelNames: ['result', 'code'], registers: r });
  const http = new Histogram({ name: 'zhner_tagger_http_request_seconds', help: 'HTTP request latency', labelNames: ['route', 'status'], buckets: LATENCY_BUCKETS_S, registers: r });

  return {
    batchRun(i) {
      batchSeconds.observe(i.seconds);
      batchSize.observe(i.segments);
      tokens.inc(i.tokens);
      if (i.paddedTokens > 0) padding.observe(i.tokens / i.paddedTokens);
      if (i.failed) batchFailures.inc();
    },
    queueWait(s) {
      queueWait.observe(s);
    },
    documentDone(i: { origin: DocOrigin; seconds: number; entitiesByType: ReadonlyMap<string, number>; cached: boolean }) {
      docSeconds.observe({ origin: i.origin }, i.seconds);
      docs.inc({ origin: i.origin });
      for (const [type, n] of i.entitiesByType) entities.inc({ type }, n);
    },
    cacheLookup(hit) {
      lookups++;
      if (hit) hits++;
      cache.inc({ result: hit ? 'hit' : 'miss' });
    },
    rejected(reason, origin) {
      rejected.inc({ reason, origin });
    },
    modelLoaded(i: { version: string; precision: Precision; previous?: string }) {
      modelInfo.reset();
      modelInfo.set({ version: i.version, precision: i.precision }, 1);
      loads.inc({ result: 'ok', code: '' });
    },
    modelLoadFailed(code) {
      loads.inc({ result: 'failed', code });
    },
    queueDepth(n) {
      queueDepth.set(n);
    },
    httpRequest(route, status, seconds) {
      http.observe({ route, status: String(status) }, seconds);
    },
  };
}
