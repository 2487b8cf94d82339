// The ports of the tagger's use cases. The model runtime (@zhner/model) is reached only through
// InferenceEngine/EngineLoader (one adapter: adapters/modelEngine.ts); metrics through TaggerMetrics
// (prom-client adapter: adapters/metrics.ts). Unit tests pass fakes.
import type { DocumentPlan, SegmentResult } from '@zhner/model';
import type { DocPrediction } from '../domain/prediction';

export type Precision = 'int8' | 'fp32';

/** One loaded model version. Safe to call concurrently; `dispose` only once nothing runs on it. */
export interface InferenceEngine {
  /** Version string from the model's manifest; stamped on every event it produces. */
  readonly version: string;
  /** The precision actually loaded (int8 falls back to fp32 when the directory has no int8 file). */
  readonly precision: Precision;
  /** Directory the model was loaded from. */
  readonly location: string;
  /** Sha256 hex of the directory's manifest.json. */
  readonly manifestSha256: string;
  /** Tag set in emission order (for the Prediction event). */
  readonly labels: readonly string[];
  readonly entityTypes: readonly string[];
  /** Longest segment (in tokens) one model run accepts. */
  readonly maxLength: number;
  /**
   * The runtime's plan of a document: non-empty segments the model accepts (at most `maxLength`
   * tokens each, cut after sentence punctuation first), in order; never truncates. The tagger only
   * batches: cutting and merging are the runtime's (one document API for every caller).
   */
  plan(text: string): DocumentPlan;
  /**
   * One model run over `segments` (each at most `maxLength` tokens); results in the same order,
   * offsets relative to each segment. Rejects when the run fails.
   */
  predictBatch(segments: readonly string[]): Promise<SegmentResult[]>;
  /** The document's prediction from its plan and one result per segment (the runtime's merge). */
  merge(plan: DocumentPlan, results: readonly SegmentResult[]): DocPrediction;
  dispose(): Promise<void>;
}

export interface LoadOptions {
  precision: Precision;
  /** ONNX Runtime intra-op threads (0 = runtime default). */
  intraOpThreads: number;
  interOpThreads: number;
  /** When given, the manifest.json's sha256 must equal it (ModelChecksumError otherwise). */
  expectedManifestSha256?: string;
  /** The annotation convention to serve (TAGGER_CONVENTION); default: the manifest's. Unknown: MODEL_CONVENTION_UNKNOWN. */
  convention?: string;
}

/**
 * Loads a model directory, verifying every file's sha256 against its manifest. Rejects with a
 * PlatformError whose code says why (MODEL_CHECKSUM_MISMATCH, MODEL_NOT_FOUND, ...).
 */
export interface EngineLoader {
  load(dir: string, opts: LoadOptions): Promise<InferenceEngine>;
}

export type DocOrigin = 'kafka' | 'http';

/** What the use cases report; the adapter turns it into Prometheus series. */
export interface TaggerMetrics {
  batchRun(info: { segments: number; tokens: number; paddedTokens: number; seconds: number; modelVersion: string; failed: boolean }): void;
  queueWait(seconds: number): void;
  documentDone(info: { origin: DocOrigin; seconds: number; entitiesByType: ReadonlyMap<string, number>; cached: boolean }): void;
  cacheLookup(hit: boolean): void;
  rejected(reason: string, origin: DocOrigin): void;
  modelLoaded(info: { version: string; precision: Precision; previous?: string }): void;
  modelLoadFailed(code: string): void;
  queueDepth(docs: number): void;
}

/** A TaggerMetrics that records nothing (tests, tools). */
export const noMetrics: TaggerMetrics = {
  batchRun: () => undefined,
  queueWait: () => undefined,
  documentDone: () => undefined,
  cacheLookup: () => undefined,
  rejected: () => undefined,
  modelLoaded: () => undefined,
  modelLoadFailed: () => undefined,
  queueDepth: () => undefined,
};

/** Whether another try may succeed: the platform's one rule (@zhner/core). */
export { isRetriable } from '@zhner/core';

/** A registered model version as the registry publishes it: where it lives and its manifest checksum. */
export interface ResolvedModel {
  version: string;
  uri: string;
  manifestSha256: string;
}

/**
 * The model registry, the only source of model locations: commands and operators name a version,
 * never a path (@zhner/contracts' RegistryClient reads the orchestrator's GET /models).
 */
export interface ModelResolver {
  /** The registered version, or undefined when the registry does not know it. */
  model(version: string): Promise<ResolvedModel | undefined>;
  /** The promoted version (what a starting replica serves), or undefined when none is. */
  promoted(): Promise<ResolvedModel | undefined>;
}
