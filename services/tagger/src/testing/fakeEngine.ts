// A deterministic stand-in for the model runtime, for unit tests of the use cases and the HTTP
// API: a dictionary tagger over code points with the same offsets contract (UTF-16 start/end,
// code-point cpStart/cpEnd, surface text = slice), the sentence splitter's rules, and hooks to
// slow a run down or make it fail.
import { PlatformError, sha256Hex } from '@zhner/core';
import type { Entity } from '@zhner/contracts';
import type { EngineLoader, InferenceEngine, LoadOptions, Precision , ModelResolver, ResolvedModel } from '../app/ports';
import { codePointLength, type DocPrediction, type TextPiece } from '../domain/prediction';

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

const SENTENCE_END = new Set(['。', '！', '？', '；', '\n']);

/** Splits like the runtime: pieces of at most maxLength code points, cut after 。！？；\n when possible. */
export function fakeSplit(text: string, maxLength: number): TextPiece[] {
  const cps = Array.from(text);
  const pieces: TextPiece[] = [];
  let start = 0; // code-point index
  let utf16Start = 0;
  const utf16At: number[] = [];
  let u = 0;
  for (const c of cps) {
    utf16At.push(u);
    u += c.length;
  }
  utf16At.push(u);
  while (start < cps.length) {
    let end = Math.min(cps.length, start + maxLength);
    if (end < cps.length) {
      for (let i = end - 1; i > start; i--) {
        if (SENTENCE_END.has(cps[i])) {
          end = i + 1;
          break;
        }
      }
    }
    utf16Start = utf16At[start];
    pieces.push({ start: utf16Start, end: utf16At[end] });
    start = end;
  }
  return pieces;
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
  private readonly dict: Array<[string, string]>;
  private readonly dim: number;

  constructor(opts: FakeEngineOptions = {}) {
    this.version = opts.version ?? 'fake-v1';
    this.precision = opts.precision ?? 'int8';
    this.location = opts.location ?? `/models/${this.version}`;
    this.manifestSha256 = sha256Hex(this.version);
    this.maxLength = opts.maxLength ?? 64;
    this.delayMs = opts.delayMs ?? 0;
    this.dict = Object.entries(opts.dictionary ?? FAKE_DICTIONARY).sort((a, b) => b[0].length - a[0].length);
    this.dim = opts.embeddingDim ?? 4;
  }

  split(text: string): TextPiece[] {
    return fakeSplit(text, this.maxLength);
  }

  tokenCount(segment: string): number {
    return codePointLength(segment);
  }

  async predictBatch(segments: readonly string[]): Promise<DocPrediction[]> {
    if (this.disposed) throw new Error(`engine ${this.version} used after dispose`);
    this.inflight++;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    try {
      this.runs.push(segments.length);
      this.seen.push(...segments);
      await new Promise((r) => setTimeout(r, this.delayMs));
      for (const s of segments) {
        if (codePointLength(s) > this.maxLength) throw new PlatformError('SEGMENT_TOO_LONG', `segment of ${codePointLength(s)} tokens > ${this.maxLength}`);
        if (s.includes(POISON_MARKER)) throw new PlatformError('INFERENCE_FAILED', 'the runtime choked on this input');
        if (s.includes(FLAKY_MARKER)) throw new PlatformError('INFERENCE_FAILED', 'the runtime failed (retriable)', { retriable: true });
      }
      return segments.map((s) => this.predictOne(s));
    } finally {
      this.inflight--;
    }
  }

  predictOne(text: string): DocPrediction {
    const entities: Entity[] = [];
    let i = 0;
    while (i < text.length) {
      const hit = this.dict.find(([w]) => text.startsWith(w, i));
      if (hit) {
        const [w, type] = hit;
        const cpStart = codePointLength(text, 0, i);
        entities.push({ start: i, end: i + w.length, cpStart, cpEnd: cpStart + codePointLength(w), type, text: w, score: 0.9 });
        i += w.length;
      } else i++;
    }
    const n = codePointLength(text);
    const tokenEntropy = new Array<number>(n).fill(0.25);
    return {
      entities,
      tokenCount: n,
      tokenEntropy,
      tokenConfidence: new Array<number>(n).fill(0.9),
      meanEntropy: n ? 0.25 : 0,
      maxEntropy: n ? 0.25 : 0,
      bestPathLogProb: -0.5 * n,
      entityMinMarginal: entities.length ? 0.9 : null,
      embedding: Array.from({ length: this.dim }, (_, k) => (k + 1) / 10),
    };
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
      throw new PlatformError('MODEL_CHECKSUM_MISMATCH', `manifest.json of ${dir} has sha256 ${engine.manifestSha256}, expected ${opts.expectedManifestSha256}`);
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
