// Thin adapter over onnxruntime-node: one session, batches of featurised segments in,
// emissions/embeddings out. The only module that imports onnxruntime-node.
import './telemetry';
import * as ort from 'onnxruntime-node';
import type { SegmentFeatures } from '../features/featurizer';

export interface SessionOptions {
  /** Threads inside one operator; undefined = onnxruntime's default (one per physical core). */
  readonly intraOpThreads?: number;
  /** Threads across operators; undefined = onnxruntime's default. */
  readonly interOpThreads?: number;
}

export interface BatchOutput {
  readonly batch: number;
  readonly sequence: number;
  readonly numLabels: number;
  readonly embeddingDim: number;
  /** [batch * sequence * numLabels] */
  readonly emissions: Float32Array;
  /** [batch * embeddingDim] */
  readonly embedding: Float32Array;
}

export class OnnxTagger {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputNames: readonly string[],
  ) {}

  /** Throws whatever onnxruntime throws (the caller wraps it in ModelLoadError). */
  static async create(file: string, opts: SessionOptions): Promise<OnnxTagger> {
    const so: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' };
    if (opts.intraOpThreads !== undefined) so.intraOpNumThreads = opts.intraOpThreads;
    if (opts.interOpThreads !== undefined) so.interOpNumThreads = opts.interOpThreads;
    const session = await ort.InferenceSession.create(file, so);
    return new OnnxTagger(session, session.inputNames);
  }

  /** True when the graph takes this input (e.g. `convention_ids`, `class_ids`). */
  hasInput(name: string): boolean {
    return this.inputNames.includes(name);
  }

  /**
   * One run over non-empty segments padded to the longest. `levels` divides lexicon levels;
   * `convention` is fed as `convention_ids` (one per segment) when the graph takes it.
   */
  async run(segments: readonly SegmentFeatures[], lexiconDim: number, levels: number, convention = 0): Promise<BatchOutput> {
    const B = segments.length;
    let S = 1;
    for (const s of segments) S = Math.max(S, s.length);
    const ids = new BigInt64Array(B * S);
    const mask = new BigInt64Array(B * S);
    const names = new Set(this.inputNames);
    const bigrams = names.has('bigram_ids') ? new BigInt64Array(B * S) : null;
    const lex = names.has('lexicon_feats') ? new Float32Array(B * S * lexiconDim) : null;
    const classes = names.has('class_ids') ? new BigInt64Array(B * S) : null;
    for (let b = 0; b < B; b++) {
      const seg = segments[b];
      const base = b * S;
      for (let t = 0; t < seg.length; t++) {
        ids[base + t] = BigInt(seg.inputIds[t]);
        mask[base + t] = 1n;
      }
      if (bigrams && seg.bigramIds) for (let t = 0; t < seg.length; t++) bigrams[base + t] = BigInt(seg.bigramIds[t]);
      if (classes && seg.classIds) for (let t = 0; t < seg.length; t++) classes[base + t] = BigInt(seg.classIds[t]);
      if (lex && seg.lexiconLevels) {
        const lv = seg.lexiconLevels;
        const off = base * lexiconDim;
        for (let k = 0; k < lv.length; k++) if (lv[k] !== 0) lex[off + k] = lv[k] / levels;
      }
    }
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [B, S]),
      attention_mask: new ort.Tensor('int64', mask, [B, S]),
    };
    if (bigrams) feeds.bigram_ids = new ort.Tensor('int64', bigrams, [B, S]);
    if (lex) feeds.lexicon_feats = new ort.Tensor('float32', lex, [B, S, lexiconDim]);
    if (classes) feeds.class_ids = new ort.Tensor('int64', classes, [B, S]);
    if (names.has('convention_ids')) feeds.convention_ids = new ort.Tensor('int64', new BigInt64Array(B).fill(BigInt(convention)), [B]);
    const out = await this.session.run(feeds);
    const em = out.emissions;
    const emb = out.embedding;
    try {
      return {
        batch: B,
        sequence: S,
        numLabels: Number(em.dims[2]),
        embeddingDim: Number(emb.dims[1]),
        emissions: em.data as Float32Array,
        embedding: emb.data as Float32Array,
      };
    } finally {
      for (const t of Object.values(feeds)) t.dispose();
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
