// Hot swap of model versions. A new version is loaded in the background (files verified against
// the manifest by the loader, the manifest itself against the expected sha256 when given), warmed
// up, then made current by one assignment: work planned afterwards uses it, work already holding a
// lease on the old version finishes on it, and the old version is disposed once its last lease is
// released. A failed load leaves the current version serving and is remembered as `lastError`.
// Loads are serialised: a second request waits for the first.
import { IllegalStateError, errorCode, errorMessage } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { resolveModelUri } from '../domain/modelLocation';
import { errors } from '../errors';
import type { EngineLoader, InferenceEngine, LoadOptions, TaggerMetrics } from './ports';

export type ModelState = 'EMPTY' | 'LOADING' | 'READY' | 'CLOSED';

/** A hold on one model version; release it when the work using it is done. */
export interface Lease {
  readonly engine: InferenceEngine;
  release(): void;
}

export interface LoadRequest {
  /** A directory path (absolute or relative to the base directory) or a file:// URL. */
  modelUri: string;
  /** sha256 hex of the directory's manifest.json, checked before anything is loaded. */
  manifestSha256?: string | null;
  /** When given, the loaded manifest must carry this version (MODEL_VERSION_MISMATCH otherwise). */
  modelVersion?: string | null;
}

export interface SwapResult {
  modelVersion: string;
  previousVersion: string | null;
  precision: string;
  /** False when the requested version was already serving (nothing was loaded). */
  changed: boolean;
  loadMs: number;
}

export interface LoadFailure {
  code: string;
  message: string;
  at: number;
  modelUri: string;
}

interface Slot {
  engine: InferenceEngine;
  refs: number;
  retired: boolean;
  disposed?: Promise<void>;
  drained?: () => void;
}

export interface ModelManagerOptions {
  load: Omit<LoadOptions, 'expectedManifestSha256'>;
  /** Texts run through a new version before it serves (first runs allocate and JIT-compile). */
  warmupTexts: readonly string[];
  /** Relative model URIs are resolved against this directory (the repository root). */
  baseDir: string;
}

export class ModelManager {
  private slot: Slot | undefined;
  private previous: { location: string; version: string } | undefined;
  private loadingCount = 0;
  private closed = false;
  private chain: Promise<unknown> = Promise.resolve();
  private lastError_: LoadFailure | undefined;

  constructor(
    private readonly loader: EngineLoader,
    private readonly opts: ModelManagerOptions,
    private readonly deps: { logger: Logger; metrics: TaggerMetrics; onSwap?: (r: SwapResult) => void },
  ) {}

  get engine(): InferenceEngine | undefined {
    return this.slot?.engine;
  }

  get version(): string | undefined {
    return this.slot?.engine.version;
  }

  get previousVersion(): string | undefined {
    return this.previous?.version;
  }

  get state(): ModelState {
    if (this.closed) return 'CLOSED';
    if (this.loadingCount > 0) return 'LOADING';
    return this.slot ? 'READY' : 'EMPTY';
  }

  /** The last failed load (cleared by the next successful one). */
  get lastError(): LoadFailure | undefined {
    return this.lastError_;
  }

  /** A lease on the current version, or undefined before the first successful load. */
  acquire(): Lease | undefined {
    const slot = this.slot;
    if (!slot) return undefined;
    slot.refs++;
    let released = false;
    return {
      engine: slot.engine,
      release: () => {
        if (released) return;
        released = true;
        slot.refs--;
        if (slot.retired && slot.refs === 0) this.dispose(slot);
      },
    };
  }

  /**
   * Loads, verifies and warms up a model, then makes it current. Resolves with what changed;
   * rejects (PlatformError with a code) when the directory cannot be used, leaving the current
   * version serving.
   */
  load(req: LoadRequest): Promise<SwapResult> {
    return this.serialise(() => this.doLoad(req));
  }

  /** Swaps back to the version served before the current one. */
  rollback(): Promise<SwapResult> {
    return this.serialise(async () => {
      const prev = this.previous;
      if (!prev) {
        const err = errors.create('NO_PREVIOUS_MODEL', { current: this.version ?? null });
        this.fail(err, '(rollback)');
        throw err;
      }
      return this.doLoad({ modelUri: prev.location, modelVersion: prev.version });
    });
  }

  /** Disposes the current version once its leases are released. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => undefined);
    const slot = this.slot;
    this.slot = undefined;
    if (slot) await this.retire(slot);
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new IllegalStateError('load a model', 'CLOSED'));
    this.loadingCount++;
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run.finally(() => {
      this.loadingCount--;
    });
  }

  private async doLoad(req: LoadRequest): Promise<SwapResult> {
    const started = performance.now();
    const log = this.deps.logger.child({ modelUri: req.modelUri });
    let engine: InferenceEngine | undefined;
    try {
      const dir = resolveModelUri(req.modelUri, this.opts.baseDir);
      const current = this.slot?.engine;
      if (current && current.location === dir && (!req.manifestSha256 || req.manifestSha256 === current.manifestSha256) && (!req.modelVersion || req.modelVersion === current.version)) {
        log.info({ modelVersion: current.version }, 'model already serving; nothing to load');
        this.lastError_ = undefined;
        return { modelVersion: current.version, previousVersion: this.previous?.version ?? null, precision: current.precision, changed: false, loadMs: 0 };
      }
      log.info({ dir, precision: this.opts.load.precision }, 'loading model');
      engine = await this.loader.load(dir, { ...this.opts.load, expectedManifestSha256: req.manifestSha256 ?? undefined });
      if (req.modelVersion && engine.version !== req.modelVersion) {
        throw errors.create('MODEL_VERSION_MISMATCH', { field: 'modelVersion', requested: req.modelVersion, found: engine.version, dir });
      }
      await this.warmUp(engine);
      if (this.closed) throw new IllegalStateError('swap models', 'CLOSED');
      // the swap: one assignment, between batches (work holding a lease keeps the old engine)
      const old = this.slot;
      this.slot = { engine, refs: 0, retired: false };
      if (old) this.previous = { location: old.engine.location, version: old.engine.version };
      this.lastError_ = undefined;
      const result: SwapResult = {
        modelVersion: engine.version,
        previousVersion: old?.engine.version ?? null,
        precision: engine.precision,
        changed: true,
        loadMs: performance.now() - started,
      };
      if (old) void this.retire(old);
      this.deps.metrics.modelLoaded({ version: engine.version, precision: engine.precision, previous: old?.engine.version });
      log.info({ modelVersion: engine.version, previousVersion: result.previousVersion, precision: engine.precision, loadMs: Math.round(result.loadMs) }, 'model swapped in');
      this.deps.onSwap?.(result);
      return result;
    } catch (err) {
      if (engine) await engine.dispose().catch(() => undefined);
      this.fail(err, req.modelUri);
      throw err;
    }
  }

  private fail(err: unknown, modelUri: string): void {
    this.lastError_ = { code: errorCode(err), message: errorMessage(err), at: Date.now(), modelUri };
    this.deps.metrics.modelLoadFailed(errorCode(err));
    this.deps.logger.error({ err, modelUri, serving: this.version ?? null }, 'model load failed; the current version keeps serving');
  }

  private async warmUp(engine: InferenceEngine): Promise<void> {
    const texts = this.opts.warmupTexts.filter((t) => t.length > 0);
    if (texts.length === 0) return;
    const segments = texts.flatMap((t) => engine.plan(t).segments.map((s) => s.text));
    // one run per shape class: single, and a small batch of mixed lengths
    await engine.predictBatch(segments.slice(0, 1));
    await engine.predictBatch(segments);
  }

  private retire(slot: Slot): Promise<void> {
    slot.retired = true;
    if (slot.refs === 0) return this.dispose(slot);
    return new Promise<void>((resolve) => {
      slot.drained = resolve;
    });
  }

  private dispose(slot: Slot): Promise<void> {
    if (!slot.disposed) {
      slot.disposed = slot.engine.dispose().then(
        () => this.deps.logger.info({ modelVersion: slot.engine.version }, 'retired model disposed'),
        (err: unknown) => this.deps.logger.warn({ err, modelVersion: slot.engine.version }, 'disposing a retired model failed'),
      );
      void slot.disposed.then(() => slot.drained?.());
    }
    return slot.disposed;
  }
}
