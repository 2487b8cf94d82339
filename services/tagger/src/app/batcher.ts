// Dynamic batching: documents from Kafka batches and HTTP requests share one inference engine, each
// origin in its own lane. A lane's flush is due when it holds a full batch (segments or tokens) or
// when its oldest document has waited `maxWaitMs`; a flush takes a window of the lane's documents,
// leases the current model version, has the runtime plan each document (the segments the model
// accepts), groups the segments by length (planBatches) and queues the batches on the lane. Model runs (at most
// `maxInflightBatches` at a time) take the lanes' batches by DEFICIT ROUND ROBIN over tokens: while
// both lanes have work, the one served fewer tokens goes next, so each gets half of the model's
// time and a Kafka document waits behind about one batch's worth of HTTP work (plus the runs in
// flight), never behind a whole 64 × 10,000-character request, nor HTTP behind a Kafka backlog; a
// lane alone gets every run. The HTTP lane is bounded
// (`maxHttpQueuedChars`, counted until each document is done): beyond it a request is refused with
// 429 and Retry-After instead of queueing without limit; the Kafka lane is bounded by the
// consumer's batch size. A document resolves when its last segment is done (the runtime merges them). Because a window keeps
// the lease it was planned with, a hot swap takes effect between windows: work planned before the
// swap finishes on the old version.
import { IllegalStateError } from '@zhner/core';
import { errors } from '../errors';
import { planBatches, paddingEfficiency } from '../domain/batching';
import type { DocumentPlan, SegmentResult } from '@zhner/model';
import type { DocPrediction } from '../domain/prediction';
import type { Lease } from './modelManager';
import type { TaggerMetrics } from './ports';

export interface BatcherOptions {
  /** Most segments per model run. */
  maxBatchSize: number;
  /** How long the oldest queued document waits for company before a partial batch runs (ms). */
  maxWaitMs: number;
  /** Most padded tokens (segments × longest) per model run. */
  maxTokensPerBatch: number;
  /** Model runs in flight at once (>1 overlaps featurising/decoding with the runtime's threads). */
  maxInflightBatches: number;
  /** Batches planned per flush when there is a backlog: a wider window buckets lengths better. Default 32. */
  windowBatches?: number;
  /** Characters the HTTP lane may hold waiting; more: TOO_MANY_REQUESTS (429). Default: unbounded. */
  maxHttpQueuedChars?: number;
}

/** Where a document came from: each origin has its own lane. */
export type Lane = 'kafka' | 'http';

/** Where the batcher gets the model version for a window. */
export interface ModelSource {
  acquire(): Lease | undefined;
  /** Longest segment of the current version (for the flush estimate); undefined before a model. */
  readonly engine: { maxLength: number } | undefined;
}

export interface BatchedResult {
  prediction: DocPrediction;
  modelVersion: string;
  labels: readonly string[];
  /** From submit to the start of the first model run holding a piece of the document (ms). */
  queueMs: number;
  /** Time in model runs holding the document's pieces (the union of their intervals, ms). */
  inferenceMs: number;
}

interface Job {
  lane: Lane;
  text: string;
  enqueuedAt: number;
  resolve: (r: BatchedResult) => void;
  reject: (e: unknown) => void;
  plan: DocumentPlan | undefined;
  preds: SegmentResult[];
  remaining: number;
  startedAt: number | undefined;
  inferenceMs: number;
  /** End of the latest model run counted in inferenceMs (performance.now() ms). */
  busyUntil: number;
  done: boolean;
}

interface Seg {
  job: Job;
  index: number;
  text: string;
  cost: number;
}

const LANES: readonly Lane[] = ['kafka', 'http'];

interface LaneState {
  /** Documents not yet planned, oldest first. */
  queue: Job[];
  /** Batches planned from this lane's windows, waiting for a model run. */
  ready: Planned[];
  /** Tokens of the batches started from this lane (deficit round robin). */
  served: number;
}

interface Window {
  lease: Lease;
  remaining: number;
}

interface Planned {
  window: Window;
  segs: Seg[];
}

export class DynamicBatcher {
  private readonly lanes: Record<Lane, LaneState> = { kafka: { queue: [], ready: [], served: 0 }, http: { queue: [], ready: [], served: 0 } };
  private httpQueuedChars = 0;
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private idleWaiters: Array<() => void> = [];
  private readonly windowBatches: number;

  constructor(
    private readonly models: ModelSource,
    private readonly opts: BatcherOptions,
    private readonly metrics: TaggerMetrics,
  ) {
    for (const k of ['maxBatchSize', 'maxTokensPerBatch', 'maxInflightBatches'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 1) throw new RangeError(`DynamicBatcher: ${k} must be an integer >= 1, got ${opts[k]}`);
    }
    if (!(opts.maxWaitMs >= 0)) throw new RangeError(`DynamicBatcher: maxWaitMs must be >= 0, got ${opts.maxWaitMs}`);
    this.windowBatches = opts.windowBatches ?? 32;
  }

  /** Documents waiting for a model run. */
  get queued(): number {
    return this.lanes.kafka.queue.length + this.lanes.http.queue.length;
  }

  private get planned(): number {
    return this.lanes.kafka.ready.length + this.lanes.http.ready.length;
  }

  /**
   * Whether the HTTP lane takes `chars` more characters now (a request is admitted as a whole, and
   * always when the lane is empty, so a large request is never refused forever).
   * @throws TOO_MANY_REQUESTS (429, retriable, context.retryAfterS) when it does not.
   */
  admitHttp(chars: number): void {
    const limit = this.opts.maxHttpQueuedChars;
    if (limit === undefined || this.httpQueuedChars === 0 || this.httpQueuedChars + chars <= limit) return;
    throw errors.create('TOO_MANY_REQUESTS', { queuedChars: this.httpQueuedChars, limit, retryAfterS: Math.max(1, Math.ceil(this.httpQueuedChars / 20_000)) });
  }

  /** Queues one text in its origin's lane; resolves with its prediction. Rejects with NOT_READY (503, retriable: the consumer retries the batch) when no model is loaded. */
  submit(text: string, lane: Lane = 'kafka'): Promise<BatchedResult> {
    if (this.closing) return Promise.reject(new IllegalStateError('submit a document', 'STOPPING'));
    return new Promise<BatchedResult>((resolve, reject) => {
      this.lanes[lane].queue.push({ lane, text, enqueuedAt: performance.now(), resolve, reject, plan: undefined, preds: [], remaining: 0, startedAt: undefined, inferenceMs: 0, busyUntil: 0, done: false });
      // the bound counts characters until their document is done (queued or planned)
      if (lane === 'http') this.httpQueuedChars += text.length;
      this.metrics.queueDepth(this.queued);
      this.pump();
    });
  }

  /** Stops accepting documents, runs everything queued, resolves when idle. Idempotent. */
  close(): Promise<void> {
    this.closing = true;
    this.pump();
    return this.whenIdle();
  }

  whenIdle(): Promise<void> {
    if (this.queued === 0 && this.planned === 0 && this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    while (this.running < this.opts.maxInflightBatches) {
      for (const lane of LANES) {
        const l = this.lanes[lane];
        if (l.ready.length === 0 && l.queue.length > 0 && this.flushDue(l.queue)) this.planWindow(lane);
      }
      const lane = this.nextLane();
      if (!lane) {
        if (this.queued > 0) this.arm();
        break;
      }
      const next = this.lanes[lane].ready.shift()!;
      this.lanes[lane].served += next.segs.reduce((n, x) => n + x.cost, 0);
      this.running++;
      void this.run(next).finally(() => {
        this.running--;
        this.pump();
      });
    }
    if (this.queued === 0 && this.planned === 0 && this.running === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of w) wake();
    }
  }

  /**
   * Deficit round robin over the lanes with planned batches: the lane that has been served fewer
   * tokens goes next, so both get the same share of model time whatever their batch sizes (a lane
   * of many small interactive requests does not get one turn per tiny batch against Kafka's full
   * ones). An idle lane banks no credit: it rejoins at the other's count.
   */
  private nextLane(): Lane | undefined {
    const k = this.lanes.kafka;
    const h = this.lanes.http;
    for (const [me, other] of [[k, h], [h, k]] as const) {
      if (me.queue.length === 0 && me.ready.length === 0) me.served = Math.max(me.served, other.served);
    }
    if (k.ready.length > 0 && h.ready.length > 0) return k.served <= h.served ? 'kafka' : 'http';
    return k.ready.length > 0 ? 'kafka' : h.ready.length > 0 ? 'http' : undefined;
  }

  private flushDue(queue: readonly Job[]): boolean {
    if (this.closing) return true;
    const maxLength = this.models.engine?.maxLength ?? 128;
    let segments = 0;
    let tokens = 0;
    for (const j of queue) {
      segments += Math.max(1, Math.ceil(j.text.length / maxLength));
      tokens += j.text.length;
      if (segments >= this.opts.maxBatchSize || tokens >= this.opts.maxTokensPerBatch) return true;
    }
    return performance.now() - queue[0].enqueuedAt >= this.opts.maxWaitMs;
  }

  /** Arms the max-wait timer for the oldest document of a lane that has nothing planned. */
  private arm(): void {
    if (this.timer) return;
    const waiting = LANES.map((l) => this.lanes[l]).filter((l) => l.ready.length === 0 && l.queue.length > 0);
    if (waiting.length === 0) return; // the batches in flight will pump again
    const oldest = Math.min(...waiting.map((l) => l.queue[0].enqueuedAt));
    const wait = Math.max(0, oldest + this.opts.maxWaitMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.ceil(wait));
  }

  /** Takes a window of one lane's queued documents, splits them with the leased version and plans its batches. */
  private planWindow(laneName: Lane): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const lane = this.lanes[laneName];
    const lease = this.models.acquire();
    if (!lease) {
      for (const j of lane.queue.splice(0)) this.fail(j, errors.create('NOT_READY'));
      return;
    }
    const engine = lease.engine;
    const limit = this.opts.maxBatchSize * this.windowBatches;
    const segs: Seg[] = [];
    while (lane.queue.length > 0 && (segs.length === 0 || segs.length < limit)) {
      const job = lane.queue.shift()!;
      let plan: DocumentPlan;
      try {
        plan = job.plan = engine.plan(job.text);
      } catch (err) {
        this.fail(job, err);
        continue;
      }
      job.remaining = plan.segments.length;
      job.preds = new Array<SegmentResult>(plan.segments.length);
      if (plan.segments.length === 0) {
        this.finish(job, engine);
        continue;
      }
      plan.segments.forEach((s, index) => segs.push({ job, index, text: s.text, cost: s.cpEnd - s.cpStart }));
    }
    this.metrics.queueDepth(this.queued);
    if (segs.length === 0) {
      lease.release();
      return;
    }
    const batches = planBatches(segs, { maxBatchSize: this.opts.maxBatchSize, maxTokensPerBatch: this.opts.maxTokensPerBatch });
    const window: Window = { lease, remaining: batches.length };
    for (const b of batches) lane.ready.push({ window, segs: b });
  }

  private async run(batch: Planned): Promise<void> {
    const engine = batch.window.lease.engine;
    const started = performance.now();
    for (const s of batch.segs) {
      if (s.job.startedAt === undefined) {
        s.job.startedAt = started;
        this.metrics.queueWait((started - s.job.enqueuedAt) / 1000);
      }
    }
    const live = batch.segs.filter((s) => !s.job.done);
    try {
      if (live.length > 0) {
        let outcome: Array<SegmentResult | { error: unknown }>;
        try {
          outcome = await engine.predictBatch(live.map((s) => s.text));
          if (outcome.length !== live.length) throw new RangeError(`predictBatch returned ${outcome.length} predictions for ${live.length} segments`);
        } catch (err) {
          if (live.length === 1) outcome = [{ error: err }];
          else outcome = await this.isolate(engine, live);
        }
        const ms = performance.now() - started;
        const tokens = live.reduce((n, s) => n + s.cost, 0);
        this.metrics.batchRun({
          segments: live.length,
          tokens,
          paddedTokens: Math.round(tokens / paddingEfficiency(live)),
          seconds: ms / 1000,
          modelVersion: engine.version,
          failed: outcome.some((o) => 'error' in o),
        });
        // a text split into several segments of one batch spent this batch's time once
        const timed = new Set<Job>();
        live.forEach((s, i) => {
          const o = outcome[i];
          const job = s.job;
          if (job.done) return;
          if (!timed.has(job)) {
            timed.add(job);
            // union of the runs' intervals: runs in flight together (maxInflightBatches > 1) overlap
            const end = started + ms;
            job.inferenceMs += Math.max(0, end - Math.max(started, job.busyUntil));
            job.busyUntil = Math.max(job.busyUntil, end);
          }
          if ('error' in o) {
            this.fail(job, o.error);
            return;
          }
          job.preds[s.index] = o;
          if (--job.remaining === 0) this.finish(job, engine);
        });
      }
    } finally {
      if (--batch.window.remaining === 0) batch.window.lease.release();
    }
  }

  /** A batch failed: run its segments one by one so only the culprit's document fails (or retries). */
  private async isolate(engine: Lease['engine'], segs: Seg[]): Promise<Array<SegmentResult | { error: unknown }>> {
    const out: Array<SegmentResult | { error: unknown }> = [];
    for (const s of segs) {
      try {
        const [p] = await engine.predictBatch([s.text]);
        out.push(p);
      } catch (error) {
        out.push({ error });
      }
    }
    return out;
  }

  /** A document failed: reject it (once) and free its share of the HTTP bound. */
  private fail(job: Job, err: unknown): void {
    if (job.done) return;
    job.done = true;
    if (job.lane === 'http') this.httpQueuedChars -= job.text.length;
    job.reject(err);
  }

  private finish(job: Job, engine: Lease['engine']): void {
    job.done = true;
    if (job.lane === 'http') this.httpQueuedChars -= job.text.length;
    try {
      const prediction = engine.merge(job.plan!, job.preds);
      const now = performance.now();
      job.resolve({ prediction, modelVersion: engine.version, labels: engine.labels, queueMs: (job.startedAt ?? now) - job.enqueuedAt, inferenceMs: job.inferenceMs });
    } catch (err) {
      job.reject(err);
    }
  }
}
