// The studio's Prometheus series (on the service's own registry).
import { Counter, Gauge, Histogram, LATENCY_BUCKETS_S, type Registry } from '@zhner/kit';
import type { StudioMetrics } from '../app/ports';

export interface StudioMetricsAdapter extends StudioMetrics {
  readonly sseClients: Gauge;
  readonly httpDuration: Histogram;
}

export function createStudioMetrics(registry: Registry): StudioMetricsAdapter {
  const submitted = new Counter({ name: 'zhner_studio_corrections_submitted_total', help: 'Corrections accepted (duplicate=true: a retried request, nothing new stored)', labelNames: ['origin', 'duplicate'], registers: [registry] });
  const rejected = new Counter({ name: 'zhner_studio_corrections_rejected_total', help: 'Corrections refused by validation, by rule', labelNames: ['reason'], registers: [registry] });
  const claims = new Counter({ name: 'zhner_studio_claims_total', help: 'Claim attempts by result', labelNames: ['result'], registers: [registry] });
  const skips = new Counter({ name: 'zhner_studio_skips_total', help: 'Items skipped by annotators', registers: [registry] });
  const sseClients = new Gauge({ name: 'zhner_studio_sse_clients', help: 'Connected live-update (SSE) clients', registers: [registry] });
  const httpDuration = new Histogram({ name: 'zhner_studio_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS_S, registers: [registry] });
  return {
    sseClients,
    httpDuration,
    correctionSubmitted: (origin, duplicate) => submitted.inc({ origin, duplicate: String(duplicate) }),
    correctionRejected: (reason) => rejected.inc({ reason }),
    claim: (result) => claims.inc({ result }),
    skip: () => skips.inc(),
  };
}
