// The studio's Prometheus series (on the service's own registry).
import { Counter, Gauge, Histogram, LATENCY_BUCKETS_S, type Registry } from '@zhner/kit';
import { CANDIDATE_STATUSES, type CandidateStatus } from '@zhner/contracts';
import type { StudioMetrics } from '../app/ports';
import type { QueueFeedMetrics } from '../app/queueFeed';

export interface StudioMetricsAdapter extends StudioMetrics, QueueFeedMetrics {
  readonly sseClients: Gauge;
  readonly httpDuration: Histogram;
  queueDepth(depth: Record<CandidateStatus, number>): void;
}

export function createStudioMetrics(registry: Registry): StudioMetricsAdapter {
  const submitted = new Counter({ name: 'zhner_studio_corrections_submitted_total', help: 'Corrections accepted (duplicate=true: a retried request, nothing new stored)', labelNames: ['origin', 'duplicate'], registers: [registry] });
  const rejected = new Counter({ name: 'zhner_studio_corrections_rejected_total', help: 'Corrections refused by validation, by rule', labelNames: ['reason'], registers: [registry] });
  const claims = new Counter({ name: 'zhner_studio_claims_total', help: 'Claim attempts by result', labelNames: ['result'], registers: [registry] });
  const skips = new Counter({ name: 'zhner_studio_skips_total', help: 'Items skipped by annotators', registers: [registry] });
  const sseClients = new Gauge({ name: 'zhner_studio_sse_clients', help: 'Connected live-update (SSE) clients', registers: [registry] });
  const httpDuration = new Histogram({ name: 'zhner_studio_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS_S, registers: [registry] });
  const queueItems = new Counter({ name: 'zhner_studio_queue_candidates_total', help: 'Review candidates received from the sampler, by outcome: opened (new or re-opened) or ignored (already queued, claimed or done)', labelNames: ['outcome'], registers: [registry] });
  const expiredItems = new Counter({ name: 'zhner_studio_queue_expired_total', help: 'Open queue items expired because a newer model was promoted', registers: [registry] });
  const depth = new Gauge({ name: 'zhner_studio_queue_depth', help: 'Review queue items by status (refreshed from the database)', labelNames: ['status'], registers: [registry] });
  for (const s of CANDIDATE_STATUSES) depth.set({ status: s }, 0);
  return {
    sseClients,
    ingested: (opened, ignored) => {
      if (opened > 0) queueItems.inc({ outcome: 'opened' }, opened);
      if (ignored > 0) queueItems.inc({ outcome: 'ignored' }, ignored);
    },
    expired: (n) => {
      if (n > 0) expiredItems.inc(n);
    },
    queueDepth: (d) => {
      for (const s of CANDIDATE_STATUSES) depth.set({ status: s }, d[s] ?? 0);
    },
    httpDuration,
    correctionSubmitted: (origin, duplicate) => submitted.inc({ origin, duplicate: String(duplicate) }),
    correctionRejected: (reason) => rejected.inc({ reason }),
    claim: (result) => claims.inc({ result }),
    skip: () => skips.inc(),
  };
}
