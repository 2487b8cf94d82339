// Inference in worker threads. onnxruntime-node runs a session synchronously on the thread that
// calls it; on the main thread every model run would stall Kafka fetches, produce acks, HTTP and
// heartbeats. A WorkerEngine keeps the model in `workers` threads (each its own copy, loaded and
// verified there: a hot swap does not block the main thread either) and sends each batch to the
// least busy one. Splitting and token counting stay on the main thread (pure, cheap). A worker
// that dies is replaced on the next batch; its batches in flight fail with a retriable error.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Logger } from '@zhner/kit';
import type { EngineLoader, InferenceEngine, LoadOptions, Precision } from '../app/ports';
import { planDocument, type DocumentPlan, type SegmentResult } from '@zhner/model';
import type { DocPrediction } from '../domain/prediction';
import { mergeToDoc } from './documents';
import type { WireSegment } from './modelEngine';
import { errors, relayedFromWorker, type WireError } from '../errors';

export interface EngineInfo {
  version: string;
  precision: Precision;
  location: string;
  manifestSha256: string;
  labels: string[];
  entityTypes: string[];
  maxLength: number;
}

export type WorkerRequest =
  | { id: number; op: 'load'; dir: string; options: LoadOptions }
  | { id: number; op: 'predict'; segments: string[] }
  | { id: number; op: 'dispose' };

export type WorkerReply =
  | { id: number; ok: true; info?: EngineInfo; segments?: WireSegment[] }
  | { id: number; ok: false; error: WireError };

const BOOT = path.join(__dirname, 'inferenceWorker.boot.cjs');

/** One worker thread and its pending requests. */
class WorkerClient {
  private readonly pending = new Map<number, { resolve: (r: WorkerReply & { ok: true }) => void; reject: (e: unknown) => void }>();
  private nextId = 1;
  private exited = false;
  private readonly worker: Worker;

  constructor(private readonly logger: Logger) {
    // no inherited execArgv: the boot file registers its own TypeScript loader
    this.worker = new Worker(BOOT, { execArgv: [], stdout: false, stderr: false });
    this.worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply);
      else p.reject(relayedFromWorker(reply.error));
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`exited with code ${code}`)));
  }

  get alive(): boolean {
    return !this.exited;
  }

  get load(): number {
    return this.pending.size;
  }

  call<T extends WorkerRequest['op']>(op: T, body: Omit<Extract<WorkerRequest, { op: T }>, 'id' | 'op'>): Promise<WorkerReply & { ok: true }> {
    if (this.exited) return Promise.reject(errors.create('INFERENCE_WORKER_EXITED'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...body });
    });
  }

  async terminate(): Promise<void> {
    this.exited = true;
    await this.worker.terminate();
  }

  private fail(err: unknown): void {
    if (!this.exited) this.logger.error({ err }, 'inference worker died');
    this.exited = true;
    const e = errors.create('INFERENCE_WORKER_STOPPED', { detail: (err as Error)?.message ?? String(err) }, { cause: err });
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

async function startClient(dir: string, options: LoadOptions, logger: Logger): Promise<{ client: WorkerClient; info: EngineInfo }> {
  const client = new WorkerClient(logger);
  try {
    const reply = await client.call('load', { dir, options });
    return { client, info: reply.info! };
  } catch (err) {
    await client.terminate().catch(() => undefined);
    throw err;
  }
}

export class WorkerEngine implements InferenceEngine {
  readonly version: string;
  readonly precision: Precision;
  readonly location: string;
  readonly manifestSha256: string;
  readonly labels: readonly string[];
  readonly entityTypes: readonly string[];
  readonly maxLength: number;
  private disposed = false;
  private reviving: Array<Promise<void> | undefined>;

  constructor(
    info: EngineInfo,
    private readonly clients: WorkerClient[],
    private readonly options: LoadOptions,
    private readonly logger: Logger,
  ) {
    this.version = info.version;
    this.precision = info.precision;
    this.location = info.location;
    this.manifestSha256 = info.manifestSha256;
    this.labels = info.labels;
    this.entityTypes = info.entityTypes;
    this.maxLength = info.maxLength;
    this.reviving = clients.map(() => undefined);
  }

  /** Planned and merged on the calling thread (pure, cheap); only segment runs go to a worker. */
  plan(text: string): DocumentPlan {
    return planDocument(text, this.maxLength);
  }

  merge(plan: DocumentPlan, results: readonly SegmentResult[]): DocPrediction {
    return mergeToDoc(plan, results, this.version);
  }

  async predictBatch(segments: readonly string[]): Promise<SegmentResult[]> {
    if (this.disposed) throw errors.create('MODEL_DISPOSED', { version: this.version });
    let k = 0;
    for (let i = 1; i < this.clients.length; i++) if (this.clients[i].load < this.clients[k].load) k = i;
    if (!this.clients[k].alive) await this.revive(k);
    const reply = await this.clients[k].call('predict', { segments: [...segments] });
    return reply.segments!;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled(
      this.clients.map(async (c) => {
        if (c.alive) await c.call('dispose', {}).catch(() => undefined);
        await c.terminate();
      }),
    );
  }

  /** Replaces a dead worker with a fresh one holding the same model (same directory, checked again). */
  private revive(k: number): Promise<void> {
    this.reviving[k] ??= (async () => {
      this.logger.warn({ modelVersion: this.version, worker: k }, 'restarting an inference worker');
      const { client, info } = await startClient(this.location, { ...this.options, expectedManifestSha256: this.manifestSha256 }, this.logger);
      if (info.version !== this.version) {
        await client.terminate();
        throw errors.create('MODEL_CHANGED_UNDER_WORKER', { location: this.location, found: info.version, expected: this.version });
      }
      this.clients[k] = client;
    })().finally(() => {
      this.reviving[k] = undefined;
    });
    return this.reviving[k]!;
  }
}

/** Loads a model into `workers` worker threads (all must load the same version). */
export class WorkerEngineLoader implements EngineLoader {
  constructor(private readonly opts: { workers: number; logger: Logger }) {
    if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new RangeError(`WorkerEngineLoader: workers must be >= 1, got ${opts.workers}`);
  }

  async load(dir: string, options: LoadOptions): Promise<InferenceEngine> {
    const started = await Promise.allSettled(Array.from({ length: this.opts.workers }, () => startClient(dir, options, this.opts.logger)));
    const ok = started.filter((s): s is PromiseFulfilledResult<{ client: WorkerClient; info: EngineInfo }> => s.status === 'fulfilled').map((s) => s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed || new Set(ok.map((o) => o.info.version)).size > 1) {
      await Promise.allSettled(ok.map((o) => o.client.terminate()));
      throw failed ? failed.reason : errors.create('MODEL_CHANGED_WHILE_LOADING', { dir });
    }
    return new WorkerEngine(ok[0].info, ok.map((o) => o.client), options, this.opts.logger);
  }
}
