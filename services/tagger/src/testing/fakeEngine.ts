// A deterministic stand-in for the model runtime, for unit tests of the use cases and the HTTP
// API: a dictionary tagger over code points, the runtime's own document plan and merge (pure
// functions of @zhner/model: same cuts, same offsets contract), and hooks to slow a run down or
// make it fail.
import { sha256Hex, type PlatformError } from '@zhner/core';
// failures are the runtime's own errors, as the real engine passes them through
import { InferenceError, InvalidInputError, ModelChecksumError, ModelError, planDocument, type DocumentPlan, type SegmentResult } from '@zhner/model';
import type { EngineLoader, InferenceEngine, LoadOptions, Precision , ModelResolver, ResolvedModel } from '../app/ports';
import type { DocPrediction } from '../domain/prediction';
import { mergeToDoc } from '../adapters/documents';

export const FAKE_DICTIONARY: Record<string, string> = { 北京: 'LOC', 上海: 'LOC', 李鹏: 'PER', 国务院: 'ORG', 新华社: 'ORG', '𠮷野家': 'ORG' };

/** Text containing this marker makes a model run fail (non-retriable), like a runtime crash on one input. */
export const POISON_MARKER = '\u2620';
/** Text containing this marker makes every model run fail with a retriable error. */
export const FLAKY_MARKER = '\u26a1';

export interface FakeEngineOptions {
  version?: string;
  maxLength?: number;
  precision?: Precision;
  location?: string;
  /** Delay of each model run, ms. */
  delayMs?: number;
  dictionary?: Record<string, string>;
  embeddingDim?: number;
}

export class FakeEngine implements InferenceEngine {
  readonly version: string;
  readonly precision: Precision;
  readonly location: string;
  readonly manifestSha256: string;
  readonly labels = ['O', 'B-LOC', 'I-LOC', 'B-ORG', 'I-ORG', 'B-PER', 'I-PER'];
  readonly entityTypes = ['LOC', 'ORG', 'PER'];
  readonly maxLength: number;
  /** Sizes of the model runs, in order. */
  readonly runs: number[] = [];
  /** Every segment predicted, in order. */
  readonly seen: string[] = [];
  disposed = false;
  inflight = 0;
  maxInflight = 0;
  delayMs: number;
  private readonly dict: Array<[string[], string]>;
  private readonly dim: number;

  constructor(opts: FakeEngineOptions = {}) {
    this.version = opts.version ?? 'fake-v1';
    this.precision = opts.precision ?? 'int8';
    this.location = opts.location ?? `/models/${this.version}`;
    this.manifestSha256 = sha256Hex(this.version);
    this.maxLength = opts.maxLength ?? 64;
    this.delayMs = opts.delayMs ?? 0;
    this.dict = Object.entries(opts.dictionary ?? FAKE_DICTIONARY)
      .map(([w, t]) => [Array.from(w), t] as [string[], string])
      .sort((a, b) => b[0].length - a[0].length);
    this.dim = opts.embeddingDim ?? 4;
  }

  plan(text: string): DocumentPlan {
    return planDocument(text, this.maxLength);
  }

  merge(plan: DocumentPlan, results: readonly SegmentResult[]): DocPrediction {
    return mergeToDoc(plan, results, this.version);
  }

  async predictBatch(segments: readonly string[]): Promise<SegmentResult[]> {
    if (this.disposed) throw new Error(`engine ${this.version} used after dispose`);
    this.inflight++;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    try {
      this.runs.push(segments.length);
      this.seen.push(...segments);
      await new Promise((r) => setTimeout(r, this.delayMs));
      for (const s of segments) {
        const n = Array.from(s).length;
        if (n > this.maxLength) throw new InvalidInputError(`segment of ${n} tokens > ${this.maxLength}`, { code: 'SEGMENT_TOO_LONG' });
        if (s.includes(POISON_MARKER)) throw new ModelError('INFERENCE_FAILED', 'the runtime choked on this input');
        if (s.includes(FLAKY_MARKER)) throw new InferenceError('the runtime failed (retriable)', { modelVersion: this.version, batchSize: segments.length, sequenceLength: this.maxLength });
      }
      return segments.map((s) => this.predictSegment(s));
    } finally {
      this.inflight--;
    }
  }

  /** The dictionary's spans of one segment (code points of the segment), like a runtime result. */
  predictSegment(segment: string): SegmentResult {
    const cps = Array.from(segment);
    const entities: Array<SegmentResult['entities'][number]> = [];
    let i = 0;
    while (i < cps.length) {
      const hit = this.dict.find(([w]) => w.every((c, k) => cps[i + k] === c));
      if (hit) {
        entities.push({ cpStart: i, cpEnd: i + hit[0].length, type: hit[1], score: 0.9, minMarginal: 0.9 });
        i += hit[0].length;
      } else i++;
    }
    const n = cps.length;
    return {
      length: n,
      entities,
      tokenEntropy: new Array<number>(n).fill(0.25),
      tokenConfidence: new Array<number>(n).fill(0.9),
      bestPathLogProb: -0.5 * n,
      embedding: Array.from({ length: this.dim }, (_, k) => (k + 1) / 10),
    };
  }

  /** The whole text as ONE segment, whatever its length (the reference a split document must match). */
  predictOne(text: string): DocPrediction {
    const plan = planDocument(text, Math.max(1, Array.from(text).length));
    return this.merge(plan, plan.segments.map((s) => this.predictSegment(s.text)));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

/** Loads FakeEngines by directory: `dir` → its version (basename unless mapped), optional failures. */
export class FakeLoader implements EngineLoader {
  readonly loads: Array<{ dir: string; opts: LoadOptions }> = [];
  readonly engines: FakeEngine[] = [];
  /** Directories that fail to load, with the error. */
  readonly failures = new Map<string, PlatformError>();
  loadDelayMs = 0;

  constructor(private readonly engineOpts: Omit<FakeEngineOptions, 'version' | 'location'> = {}) {}

  async load(dir: string, opts: LoadOptions): Promise<InferenceEngine> {
    this.loads.push({ dir, opts });
    await new Promise((r) => setTimeout(r, this.loadDelayMs));
    const failure = this.failures.get(dir);
    if (failure) throw failure;
    const version = dir.split('/').filter(Boolean).pop() ?? 'fake';
    const engine = new FakeEngine({ ...this.engineOpts, version, location: dir, precision: opts.precision });
    if (opts.expectedManifestSha256 && opts.expectedManifestSha256 !== engine.manifestSha256) {
      throw new ModelChecksumError({ dir, file: 'manifest.json', expected: opts.expectedManifestSha256, actual: engine.manifestSha256 });
    }
    this.engines.push(engine);
    return engine;
  }
}

/**
 * A registry for tests: every version `vN` is registered at `/models/vN` with the fake engine's
 * manifest checksum (sha256 of the version); `unknown` versions are not registered; `promotedVersion`
 * is what a starting replica is told to serve (undefined: none promoted).
 */
export class FakeResolver implements ModelResolver {
  readonly unknown = new Set<string>();
  promotedVersion: string | undefined;
  /** Versions whose registered checksum is wrong (the load must refuse them). */
  readonly badChecksum = new Set<string>();

  async model(version: string): Promise<ResolvedModel | undefined> {
    if (this.unknown.has(version)) return undefined;
    return { version, uri: `/models/${version}`, manifestSha256: this.badChecksum.has(version) ? '0'.repeat(64) : sha256Hex(version) };
  }

  async promoted(): Promise<ResolvedModel | undefined> {
    return this.promotedVersion ? this.model(this.promotedVersion) : undefined;
  }
}
