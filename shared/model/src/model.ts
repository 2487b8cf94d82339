// loadModel + NerModel: the public face of the runtime. A NerModel owns one ONNX session and the
// featuriser/CRF of its model directory; predict() makes exactly one onnxruntime run per call.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { verifyChecksums } from './checksum';
import { crfFromJson, type CrfParams } from './crf/crf';
import { blockedLabels } from './decode/constraints';
import { parseLabels, type ParsedLabel } from './decode/tags';
import { InferenceError, InvalidInputError, ModelDisposedError, ModelError, ModelLoadError } from './errors';
import { loadFeaturizer, type Featurizer, type SegmentFeatures } from './features/featurizer';
import { conventionsOf, parseManifest, type ModelManifest, type Precision } from './manifest';
import { decodeSegment, mergeDocument, planDocument, type DocumentPlan, type DocumentPrediction, type PredictTiming, type SegmentPrediction, type SegmentResult } from './predict';
import { OnnxTagger } from './runtime/onnx';
import { toCodePoints } from './text/codepoints';

export interface LoadModelOptions {
  /** 'int8' (default when the directory has model.int8.onnx) or 'fp32'. */
  readonly precision?: Precision;
  /** onnxruntime intra-op threads; default: onnxruntime's (one per physical core). */
  readonly intraOpThreads?: number;
  /** onnxruntime inter-op threads; default: onnxruntime's. */
  readonly interOpThreads?: number;
  /** Check every file against manifest.json's sha256 before loading (default true). */
  readonly verifyChecksums?: boolean;
  /**
   * The annotation convention to serve (one of `model.conventions`, e.g. the tagger's
   * TAGGER_CONVENTION); default: the manifest's default. A model without conventions has the one
   * implicit convention 'default'. An unknown name throws ModelLoadError (MODEL_CONVENTION_UNKNOWN).
   */
  readonly convention?: string;
}

export interface PredictOptions {
  /** Also return per-token label marginals (default false: they are large). */
  readonly marginals?: boolean;
  /** Serve another of the model's conventions for this call (default: the model's `convention`). Throws InvalidInputError when unknown. */
  readonly convention?: string;
}

/** A prepared segment: features of `codePoints` ready for predictSegments' batching. */
export interface PreparedSegment {
  readonly features: SegmentFeatures;
}

const RETRIABLE_FS = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY']);

function fsRetriable(err: unknown): boolean {
  return RETRIABLE_FS.has((err as NodeJS.ErrnoException)?.code ?? '');
}

/**
 * Load a model directory. Throws ModelLoadError (missing/invalid manifest or file, ONNX failure,
 * precision 'int8' without an int8 model) or ModelChecksumError (a file does not match
 * manifest.json) — in both cases nothing is loaded.
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<NerModel> {
  const absDir = path.resolve(dir);
  const read = async (file: string): Promise<Buffer> => {
    try {
      return await readFile(path.join(absDir, file));
    } catch (err) {
      throw new ModelLoadError(`cannot read ${file} of model ${absDir}: ${(err as Error).message}`, {
        dir: absDir, file, cause: err, retriable: fsRetriable(err), code: 'MODEL_FILE_MISSING',
      });
    }
  };
  let raw: unknown;
  try {
    raw = JSON.parse((await read('manifest.json')).toString('utf8'));
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelLoadError(`manifest.json of ${absDir} is not JSON: ${(err as Error).message}`, { dir: absDir, file: 'manifest.json', cause: err, code: 'MODEL_MANIFEST_INVALID' });
  }
  const manifest = parseManifest(raw, absDir);
  const conv = conventionsOf(manifest);
  const convention = options.convention ?? conv.default;
  if (!conv.names.includes(convention)) {
    throw new ModelLoadError(`model ${manifest.version} has no convention ${JSON.stringify(convention)}; it serves ${conv.names.join(', ')}`, {
      dir: absDir, code: 'MODEL_CONVENTION_UNKNOWN',
    });
  }
  const precision: Precision = options.precision ?? (manifest.onnx.int8 && existsSync(path.join(absDir, manifest.onnx.int8)) ? 'int8' : 'fp32');
  const onnxFile = precision === 'int8' ? manifest.onnx.int8 : manifest.onnx.fp32;
  if (!onnxFile) {
    throw new ModelLoadError(`model ${manifest.version} has no int8 variant; use precision 'fp32'`, { dir: absDir, code: 'MODEL_PRECISION_UNAVAILABLE' });
  }
  const featFiles = manifest.featurizer.kind === 'zhner.char_bigram_lexicon.v1' && manifest.featurizer.lexicon
    ? [manifest.featurizer.vocab_file, manifest.featurizer.lexicon.file]
    : [manifest.featurizer.vocab_file];
  const required = [onnxFile, manifest.crf.file, ...featFiles];
  if (options.verifyChecksums ?? true) await verifyChecksums(absDir, manifest, required);

  let crf: CrfParams;
  try {
    crf = crfFromJson(JSON.parse((await read(manifest.crf.file)).toString('utf8')), manifest.labels.length);
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelLoadError(`${manifest.crf.file} of ${absDir} is invalid: ${(err as Error).message}`, { dir: absDir, file: manifest.crf.file, cause: err });
  }
  let featurizer: Featurizer;
  try {
    featurizer = await loadFeaturizer(absDir, manifest.featurizer);
  } catch (err) {
    throw new ModelLoadError(`featuriser files of ${absDir} are invalid: ${(err as Error).message}`, {
      dir: absDir, file: featFiles.join(','), cause: err, retriable: fsRetriable(err),
    });
  }
  let session: OnnxTagger;
  try {
    session = await OnnxTagger.create(path.join(absDir, onnxFile), options);
  } catch (err) {
    throw new ModelLoadError(`onnxruntime cannot load ${onnxFile} of ${absDir}: ${(err as Error).message}`, { dir: absDir, file: onnxFile, cause: err });
  }
  if (conv.input !== null && !session.hasInput(conv.input)) {
    await session.release();
    throw new ModelLoadError(`${onnxFile} of ${absDir} lacks the ${conv.input} input its manifest's conventions name`, { dir: absDir, file: onnxFile, code: 'MODEL_MANIFEST_INVALID' });
  }
  return new NerModel(absDir, manifest, precision, featurizer, crf, session, convention);
}

export class NerModel {
  readonly version: string;
  readonly labels: readonly string[];
  readonly entityTypes: readonly string[];
  readonly maxLength: number;
  readonly embeddingDim: number;
  /** Every annotation convention the model serves, manifest order (['default'] for a model without any). */
  readonly conventions: readonly string[];
  /** The manifest's default convention. */
  readonly defaultConvention: string;
  /** Corpus folder -> convention for folders that are not one themselves (e.g. peoples_daily -> msra). */
  readonly conventionAliases: Readonly<Record<string, string>>;
  private readonly parsedLabels: readonly ParsedLabel[];
  private readonly blocked: readonly number[];
  private disposed = false;

  /** Use loadModel(). `convention` = the one served (LoadModelOptions.convention). */
  constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    readonly precision: Precision,
    private readonly featurizer: Featurizer,
    private readonly crf: CrfParams,
    private readonly session: OnnxTagger,
    /** The convention this model serves (predict's default). */
    readonly convention: string = conventionsOf(manifest).default,
  ) {
    this.version = manifest.version;
    this.labels = manifest.labels;
    this.entityTypes = manifest.entity_types;
    this.maxLength = manifest.max_length;
    this.embeddingDim = manifest.embedding_dim;
    this.parsedLabels = parseLabels(manifest.labels);
    this.blocked = blockedLabels(this.parsedLabels, manifest.scheme);
    const conv = conventionsOf(manifest);
    this.conventions = conv.names;
    this.defaultConvention = conv.default;
    this.conventionAliases = conv.aliases;
  }

  /** Index of a convention (the convention_ids value). Throws InvalidInputError when unknown. */
  private conventionIndex(name: string | undefined): number {
    const i = this.conventions.indexOf(name ?? this.convention);
    if (i < 0) throw new InvalidInputError(`unknown convention ${JSON.stringify(name)}; model ${this.version} serves ${this.conventions.join(', ')}`, { field: 'convention', code: 'CONVENTION_UNKNOWN' });
    return i;
  }

  /** Features of one segment of at most maxLength code points. Throws InvalidInputError otherwise. */
  prepareSegment(segmentText: string, index = 0): PreparedSegment {
    if (typeof segmentText !== 'string') throw new InvalidInputError(`segment ${index} is not a string`, { index });
    const { cps } = toCodePoints(segmentText);
    if (cps.length > this.maxLength) {
      throw new InvalidInputError(`segment ${index} has ${cps.length} code points, more than maxLength ${this.maxLength}; cut it with splitForModel`, {
        index, code: 'SEGMENT_TOO_LONG',
      });
    }
    return { features: this.featurizer.featurise(cps) };
  }

  /**
   * Lower-level API for dynamic batching: one onnxruntime run over the given segments (each at
   * most maxLength code points, e.g. from splitForModel over many documents), decoded per
   * segment. Empty segments are answered without the model. Throws InvalidInputError,
   * InferenceError (retriable), ModelDisposedError.
   */
  async predictSegments(segments: ReadonlyArray<string | PreparedSegment>, options: PredictOptions = {}): Promise<SegmentPrediction[]> {
    const prepared = segments.map((s, i) => (typeof s === 'string' ? this.prepareSegment(s, i) : s));
    return (await this.runPrepared(prepared, options)).preds;
  }

  /** Cut a document into the segments this model accepts (the document API's first step). */
  plan(text: string): DocumentPlan {
    return planDocument(text, this.maxLength);
  }

  /** Merge a plan's segment predictions (from predictSegments, any batching) into its document prediction. */
  merge(plan: DocumentPlan, preds: readonly SegmentResult[], timing?: PredictTiming): DocumentPrediction {
    return mergeDocument(plan, preds, { modelVersion: this.version, embeddingDim: this.embeddingDim, numLabels: this.labels.length, timing });
  }

  /**
   * Predict entities and uncertainty for whole documents (any length): plan, one onnxruntime run
   * over every document's segments (padded to the longest), merge. Throws InvalidInputError (a
   * non-string), InferenceError, ModelDisposedError.
   */
  async predict(texts: readonly string[], options: PredictOptions = {}): Promise<DocumentPrediction[]> {
    const t0 = performance.now();
    if (!Array.isArray(texts)) throw new InvalidInputError('texts must be an array of strings', { field: 'texts' });
    const plans = texts.map((text, i) => {
      if (typeof text !== 'string') throw new InvalidInputError(`texts[${i}] is not a string`, { index: i, field: 'texts' });
      return this.plan(text);
    });
    const all: PreparedSegment[] = plans.flatMap((d) => d.segments.map((s) => ({ features: this.featurizer.featurise(d.codePoints.subarray(s.cpStart, s.cpEnd)) })));
    const t1 = performance.now();
    const { preds, inferenceMs, decodeMs, batchSize, sequenceLength } = await this.runPrepared(all, options);
    const timing: PredictTiming = {
      featuriseMs: t1 - t0, inferenceMs, decodeMs, totalMs: performance.now() - t0, batchSize, sequenceLength,
    };
    let k = 0;
    return plans.map((d) => {
      const p = preds.slice(k, k + d.segments.length);
      k += d.segments.length;
      return this.merge(d, p, timing);
    });
  }

  private async runPrepared(prepared: readonly PreparedSegment[], options: PredictOptions) {
    if (this.disposed) throw new ModelDisposedError(this.version);
    const convention = this.conventionIndex(options.convention);
    const nonEmpty = prepared.map((p, i) => [p, i] as const).filter(([p]) => p.features.length > 0);
    const preds = new Array<SegmentPrediction>(prepared.length);
    const zeros = new Float32Array(this.embeddingDim);
    const L = this.labels.length;
    let inferenceMs = 0;
    let decodeMs = 0;
    let sequenceLength = 0;
    if (nonEmpty.length > 0) {
      const t0 = performance.now();
      let out;
      try {
        out = await this.session.run(nonEmpty.map(([p]) => p.features), this.featurizer.lexiconDim, this.featurizer.lexiconLevels, convention);
      } catch (err) {
        if (this.disposed) throw new ModelDisposedError(this.version);
        const S = Math.max(...nonEmpty.map(([p]) => p.features.length));
        throw new InferenceError(`onnxruntime failed on a batch of ${nonEmpty.length} x ${S}: ${(err as Error).message}`, {
          modelVersion: this.version, batchSize: nonEmpty.length, sequenceLength: S, cause: err,
        });
      }
      const t1 = performance.now();
      inferenceMs = t1 - t0;
      sequenceLength = out.sequence;
      nonEmpty.forEach(([p, i], b) => {
        const n = p.features.length;
        const em = out.emissions.subarray(b * out.sequence * L, (b * out.sequence + n) * L);
        const emb = out.embedding.slice(b * out.embeddingDim, (b + 1) * out.embeddingDim);
        preds[i] = decodeSegment(em, n, this.crf, this.parsedLabels, this.manifest.scheme, emb, options.marginals ?? false, {
          classes: p.features.classes, blocked: this.blocked,
        });
      });
      decodeMs = performance.now() - t1;
    }
    prepared.forEach((p, i) => {
      if (p.features.length === 0) preds[i] = decodeSegment(new Float32Array(0), 0, this.crf, this.parsedLabels, this.manifest.scheme, zeros, options.marginals ?? false);
    });
    return { preds, inferenceMs, decodeMs, batchSize: nonEmpty.length, sequenceLength };
  }

  /** Release the onnxruntime session. Idempotent; predict() afterwards throws ModelDisposedError. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}
