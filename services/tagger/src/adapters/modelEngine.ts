// The one adapter over the model runtime (@zhner/model). Everything the tagger knows about the
// runtime's API is in this file: loading (checksums, precision, threads), the runtime's document
// API (plan, segment batches for the dynamic batcher, merge). The runtime's errors (ModelError)
// are PlatformErrors already (code, retriable, context) and pass through as they are.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '@zhner/core';
import { ModelChecksumError, loadModel, type DocumentPlan, type NerModel, type SegmentPrediction, type SegmentResult } from '@zhner/model';
import type { EngineLoader, InferenceEngine, LoadOptions, Precision } from '../app/ports';
import type { DocPrediction } from '../domain/prediction';
import { mergeToDoc } from './documents';
import { errors } from '../errors';

/**
 * The parts of a runtime SegmentPrediction the tagger uses, in a form that crosses threads cheaply
 * (typed arrays are transferred, not copied). Code-point offsets relative to the segment.
 */
export interface WireSegment extends SegmentResult {
  length: number;
  entities: Array<{ cpStart: number; cpEnd: number; type: string; score: number; minMarginal: number }>;
  tokenConfidence: Float64Array;
  tokenEntropy: Float64Array;
  bestPathLogProb: number;
  embedding: Float32Array;
}

function toWire(p: SegmentPrediction): WireSegment {
  return {
    length: p.length,
    entities: p.entities.map((e) => ({ cpStart: e.cpStart, cpEnd: e.cpEnd, type: e.type, score: e.score, minMarginal: e.minMarginal })),
    tokenConfidence: p.tokenConfidence,
    tokenEntropy: p.tokenEntropy,
    bestPathLogProb: p.bestPathLogProb,
    embedding: p.embedding,
  };
}

export class OnnxEngine implements InferenceEngine {
  readonly version: string;
  readonly precision: Precision;
  readonly labels: readonly string[];
  readonly entityTypes: readonly string[];
  readonly maxLength: number;

  constructor(
    private readonly model: NerModel,
    readonly location: string,
    readonly manifestSha256: string,
  ) {
    this.version = model.version;
    this.precision = model.precision;
    this.labels = model.labels;
    this.entityTypes = model.entityTypes;
    this.maxLength = model.maxLength;
  }

  plan(text: string): DocumentPlan {
    return this.model.plan(text);
  }

  predictBatch(segments: readonly string[]): Promise<SegmentResult[]> {
    return this.predictWire(segments);
  }

  merge(plan: DocumentPlan, results: readonly SegmentResult[]): DocPrediction {
    return mergeToDoc(plan, results, this.version);
  }

  /** One model run, results in their thread-transferable form (the inference worker's call). */
  async predictWire(segments: readonly string[]): Promise<WireSegment[]> {
    return (await this.model.predictSegments(segments)).map(toWire);
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

/**
 * Loads model directories with the runtime: manifest.json checked against the expected sha256 (when
 * given) before anything else, every file checked against the manifest by the runtime, INT8 when
 * asked for and present (else FP32).
 */
export class OnnxEngineLoader implements EngineLoader {
  async load(dir: string, opts: LoadOptions): Promise<OnnxEngine> {
    const abs = path.resolve(dir);
    let manifestBytes: Buffer;
    try {
      manifestBytes = await readFile(path.join(abs, 'manifest.json'));
    } catch (err) {
      throw errors.create('MODEL_NOT_FOUND', { dir: abs, detail: (err as Error).message }, { cause: err });
    }
    const manifestSha256 = sha256Hex(manifestBytes);
    if (opts.expectedManifestSha256 && opts.expectedManifestSha256.toLowerCase() !== manifestSha256) {
      throw new ModelChecksumError({ dir: abs, file: 'manifest.json', expected: opts.expectedManifestSha256, actual: manifestSha256 });
    }
    const model: NerModel = await loadModel(abs, {
      // int8 is the runtime's default when the directory has it; fp32 is forced on request
      precision: opts.precision === 'fp32' ? 'fp32' : undefined,
      intraOpThreads: opts.intraOpThreads > 0 ? opts.intraOpThreads : undefined,
      interOpThreads: opts.interOpThreads > 0 ? opts.interOpThreads : undefined,
      verifyChecksums: true,
      convention: opts.convention,
    });
    return new OnnxEngine(model, abs, manifestSha256);
  }
}
