// The TypeScript model runtime (@zhner/model) as the simulation uses it: one loaded model per
// (strategy, round) that tags the eval set (strict F1 with the orchestrator's scorer) and scores
// the round's pool candidates (the sampler's pure scores + the sentence embedding for hybrid).
import { loadModel, type DocumentPrediction, type NerModel } from '@zhner/model';
import { computeScores, type SelectableDoc } from '@zhner/sampler';
import { scoreSpans, type CorpusExample, type Scores } from '@zhner/trainer-orchestrator';

/** A pool document as selection sees it, with its gold labels kept aside (revealed when selected). */
export interface PoolDoc extends SelectableDoc {
  readonly example: CorpusExample;
}

/** Texts per onnxruntime call (one padded batch). */
const BATCH = 64;

export class RuntimeModel {
  private constructor(
    readonly dir: string,
    private readonly model: NerModel,
  ) {}

  /** Loads a model directory (FP32: the simulation's fine-tunes export no INT8). Throws ModelLoadError. */
  static async open(dir: string, threads: number): Promise<RuntimeModel> {
    return new RuntimeModel(dir, await loadModel(dir, { precision: 'fp32', intraOpThreads: threads, interOpThreads: 1 }));
  }

  get version(): string {
    return this.model.version;
  }

  /** Predictions of the texts, in order, `BATCH` texts per runtime call. */
  async predict(texts: readonly string[]): Promise<DocumentPrediction[]> {
    const out: DocumentPrediction[] = [];
    for (let i = 0; i < texts.length; i += BATCH) out.push(...(await this.model.predict(texts.slice(i, i + BATCH))));
    return out;
  }

  /** Strict entity P/R/F1 (exact span + type, code points) on gold-labelled documents. */
  async evaluate(docs: readonly CorpusExample[]): Promise<Scores> {
    const preds = await this.predict(docs.map((d) => d.text));
    return scoreSpans(
      docs.map((d) => d.entities),
      preds.map((p) => p.entities.map((e) => ({ start: e.cpStart, end: e.cpEnd, type: e.type }))),
    );
  }

  /**
   * Every uncertainty score (the sampler's `computeScores` on what a Prediction event carries) and
   * the embedding of each document. `withEmbedding` false leaves embeddings empty (no diversity).
   */
  async score(docs: readonly { id: string; textHash: string; example: CorpusExample }[], withEmbedding: boolean): Promise<PoolDoc[]> {
    const preds = await this.predict(docs.map((d) => d.example.text));
    return docs.map((d, i) => {
      const p = preds[i];
      return {
        id: d.id,
        textHash: d.textHash,
        example: d.example,
        scores: computeScores({ tokenCount: p.tokens, tokenEntropy: p.tokenEntropy, tokenConfidence: p.tokenConfidence, bestPathLogProb: p.bestPathLogProb, entityMinMarginal: p.entityMinMarginal }),
        embedding: withEmbedding ? Array.from(p.embedding) : [],
      };
    });
  }

  /** Sentence embeddings of texts (novelty of hybrid against the labelled documents). */
  async embed(texts: readonly string[]): Promise<number[][]> {
    return (await this.predict(texts)).map((p) => Array.from(p.embedding));
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
