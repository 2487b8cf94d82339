// Dynamic batching: documents from Kafka batches and HTTP requests share one queue. A flush is due
// when the queue holds a full batch (segments or tokens) or when its oldest document has waited
// `maxWaitMs`. A flush takes a window of queued documents (FIFO), leases the current model version,
// cuts long texts into pieces the model accepts, groups the pieces by length (planBatches) and runs
// the batches, at most `maxInflightBatches` model runs at a time. A document resolves when its last
// piece is done. Because a window keeps the lease it was planned with, a hot swap takes effect
// between windows: work planned before the swap finishes on the old version.
import { IllegalStateError, PlatformError } from '@zhner/core';
import { planBatches, paddingEfficiency } from '../domain/batching';
import { emptyPrediction, mergePieces, type DocPrediction, type TextPiece } from '../domain/prediction';
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
}

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
  text: string;
  enqueuedAt: number;
  resolve: (r: BatchedResult) => void;
  reject: (e: unknown) => void;
  pieces: TextPiece[];
  preds: DocPrediction[];
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

interface Window {
  lease: Lease;
  remaining: number;
}

interface Planned {
  window: Window;
  segs: Seg[];
}

/** The runtime has no model yet: retry later (HTTP 503, the consumer retries the batch). */
export class NotReadyError extends PlatformError {
  constructor() {
    super('NOT_READY', 'no model is loaded yet', { retriable: true });
  }
}

export class DynamicBatcher {
  private readonly queue: Job[] = [];
  private readonly ready: Planned[] = [];
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
    return this.queue.length;
  }

  /** Queues one text; resolves with its prediction. Rejects with NotReadyError when no model is loaded. */
  submit(text: string): Promise<BatchedResult> {
    if (this.closing) return Promise.reject(new IllegalStateError('submit a document', 'STOPPING'));
    return new Promise<BatchedResult>((resolve, reject) => {
      this.queue.push({ text, enqueuedAt: performance.now(), resolve, reject, pieces: [], preds: [], remaining: 0, startedAt: undefined, inferenceMs: 0, busyUntil: 0, done: false });
      this.metrics.queueDepth(this.queue.length);
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
    if (this.queue.length === 0 && this.ready.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    while (this.running < this.opts.maxInflightBatches) {
      if (this.ready.length === 0) {
        if (this.queue.length === 0) break;
        if (!this.flushDue()) {
          this.arm();
          break;
        }
        this.planWindow();
        if (this.ready.length === 0) continue;
      }
      const next = this.ready.shift()!;
      this.running++;
      void this.run(next).finally(() => {
        this.running--;
        this.pump();
      });
    }
    if (this.queue.length === 0 && this.ready.length === 0 && this.running === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of w) wake();
    }
  }

  private flushDue(): boolean {
    if (this.closing) return true;
    const maxLength = this.models.engine?.maxLength ?? 128;
    let segments = 0;
    let tokens = 0;
    for (const j of this.queue) {
      segments += Math.max(1, Math.ceil(j.text.length / maxLength));
      tokens += j.text.length;
      if (segments >= this.opts.maxBatchSize || tokens >= this.opts.maxTokensPerBatch) return true;
    }
    return performance.now() - this.queue[0].enqueuedAt >= this.opts.maxWaitMs;
  }

  private arm(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.queue[0].enqueuedAt + this.opts.maxWaitMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.ceil(wait));
  }

  /** Takes a window of queued documents, splits them with the leased version and plans its batches. */
  private planWindow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const lease = this.models.acquire();
    if (!lease) {
      const jobs = this.queue.splice(0);
      for (const j of jobs) j.reject(new NotReadyError());
      return;
    }
    const engine = lease.engine;
    const limit = this.opts.maxBatchSize * this.windowBatches;
    const segs: Seg[] = [];
    while (this.queue.length > 0 && (segs.length === 0 || segs.length < limit)) {
      const job = this.queue.shift()!;
      try {
        job.pieces = engine.split(job.text).filter((p) => p.end > p.start);
      } catch (err) {
        job.done = true;
        job.reject(err);
        continue;
      }
      job.remaining = job.pieces.length;
      job.preds = new Array<DocPrediction>(job.pieces.length);
      if (job.pieces.length === 0) {
        this.finish(job, engine.version, engine.labels);
        continue;
      }
      job.pieces.forEach((p, index) => {
        const text = job.text.slice(p.start, p.end);
        segs.push({ job, index, text, cost: engine.tokenCount(text) });
      });
    }
    this.metrics.queueDepth(this.queue.length);
    if (segs.length === 0) {
      lease.release();
      return;
    }
    const batches = planBatches(segs, { maxBatchSize: this.opts.maxBatchSize, maxTokensPerBatch: this.opts.maxTokensPerBatch });
    const window: Window = { lease, remaining: batches.length };
    for (const b of batches) this.ready.push({ window, segs: b });
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
        let outcome: Array<DocPrediction | { error: unknown }>;
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
            job.done = true;
            job.reject(o.error);
            return;
          }
          job.preds[s.index] = o;
          if (--job.remaining === 0) this.finish(job, engine.version, engine.labels);
        });
      }
    } finally {
      if (--batch.window.remaining === 0) batch.window.lease.release();
    }
  }

  /** A batch failed: run its segments one by one so only the culprit's document fails (or retries). */
  private async isolate(engine: Lease['engine'], segs: Seg[]): Promise<Array<DocPrediction | { error: unknown }>> {
    const out: Array<DocPrediction | { error: unknown }> = [];
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

  private finish(job: Job, version: string, labels: readonly string[]): void {
    job.done = true;
    try {
      const prediction = job.pieces.length === 0 ? emptyPrediction(0) : mergePieces(job.text, job.pieces, job.preds);
      const now = performance.now();
      job.resolve({ prediction, modelVersion: version, labels, queueMs: (job.startedAt ?? now) - job.enqueuedAt, inferenceMs: job.inferenceMs });
    } catch (err) {
      job.reject(err);
    }
  }
}
