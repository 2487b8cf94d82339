// Featurisers: code points of a segment -> model input ids/features, the same algorithms as
// zhner_trainer (features.py, models/hf_bert_crf.py). Built from files inside the model directory.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { classesOf } from '../decode/constraints';
import type { FeaturizerSpec } from '../manifest';
import { normalisedTokens } from '../text/codepoints';
import { Lexicon } from './lexicon';

/** Model inputs of one segment (n tokens). */
export interface SegmentFeatures {
  readonly length: number;
  /** Character class of every token (text/charclass.ts): the well-formedness rule needs them for every model. */
  readonly classes: Uint8Array;
  /** Present when the model takes `class_ids` (zhner.char_bigram_lexicon.v2): the same classes as ids. */
  readonly classIds?: Uint8Array;
  readonly inputIds: Int32Array;
  /** Present when the model takes `bigram_ids`. */
  readonly bigramIds?: Int32Array;
  /** [n * lexiconDim] levels 0..levels, present when the model takes `lexicon_feats`. */
  readonly lexiconLevels?: Uint8Array;
}

export interface Featurizer {
  readonly kind: FeaturizerSpec['kind'];
  /** Width of `lexicon_feats` (0 when absent). */
  readonly lexiconDim: number;
  /** Divisor turning levels into the float `lexicon_feats` input. */
  readonly lexiconLevels: number;
  featurise(cps: Uint32Array): SegmentFeatures;
}

function vocabMap(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  items.forEach((s, i) => m.set(s, i));
  return m;
}

/** "zhner.char_bigram_lexicon.v1", and v2 = v1 + the class_ids input (`withClasses`). */
export class CharBigramLexiconFeaturizer implements Featurizer {
  readonly kind: 'zhner.char_bigram_lexicon.v1' | 'zhner.char_bigram_lexicon.v2';
  readonly lexiconDim: number;
  readonly lexiconLevels: number;

  constructor(
    private readonly chars: Map<string, number>,
    private readonly bigrams: Map<string, number> | null,
    private readonly eos: string,
    private readonly unkId: number,
    readonly lexicon: Lexicon | null,
    levels: number,
    private readonly withClasses = false,
  ) {
    this.kind = withClasses ? 'zhner.char_bigram_lexicon.v2' : 'zhner.char_bigram_lexicon.v1';
    this.lexiconDim = lexicon ? 3 * lexicon.numCategories : 0;
    this.lexiconLevels = levels;
  }

  static async load(
    dir: string,
    spec: Extract<FeaturizerSpec, { kind: 'zhner.char_bigram_lexicon.v1' | 'zhner.char_bigram_lexicon.v2' }>,
  ): Promise<CharBigramLexiconFeaturizer> {
    const vocab = JSON.parse(await readFile(path.join(dir, spec.vocab_file), 'utf8')) as { chars?: unknown; bigrams?: unknown };
    if (!Array.isArray(vocab.chars)) throw new Error(`${spec.vocab_file}: "chars" must be a list`);
    if (spec.bigrams && !Array.isArray(vocab.bigrams)) throw new Error(`${spec.vocab_file}: "bigrams" must be a list`);
    const lexicon = spec.lexicon ? Lexicon.fromGzip(await readFile(path.join(dir, spec.lexicon.file)), spec.lexicon.categories.length) : null;
    if (lexicon && spec.lexicon && 3 * lexicon.numCategories !== spec.lexicon.dim) throw new Error('lexicon dim does not match its categories');
    return new CharBigramLexiconFeaturizer(
      vocabMap(vocab.chars as string[]),
      spec.bigrams ? vocabMap(vocab.bigrams as string[]) : null,
      spec.bigrams?.eos ?? '</s>',
      spec.unk_id,
      lexicon,
      spec.lexicon?.levels ?? 1,
      spec.kind === 'zhner.char_bigram_lexicon.v2' && spec.char_classes !== null && spec.char_classes !== undefined,
    );
  }

  featurise(cps: Uint32Array): SegmentFeatures {
    const t = normalisedTokens(cps);
    const n = t.length;
    const inputIds = new Int32Array(n);
    for (let i = 0; i < n; i++) inputIds[i] = this.chars.get(t[i]) ?? this.unkId;
    let bigramIds: Int32Array | undefined;
    if (this.bigrams) {
      bigramIds = new Int32Array(n);
      for (let i = 0; i < n; i++) bigramIds[i] = this.bigrams.get(t[i] + (i + 1 < n ? t[i + 1] : this.eos)) ?? this.unkId;
    }
    const lexiconLevels = this.lexicon ? this.lexicon.levels(t) : undefined;
    const classes = classesOf(cps);
    return { length: n, classes, classIds: this.withClasses ? classes : undefined, inputIds, bigramIds, lexiconLevels };
  }
}

/** "zhner.bert_char.v1": vocab.txt id of each normalised code point, else [UNK]. */
export class BertCharFeaturizer implements Featurizer {
  readonly kind = 'zhner.bert_char.v1' as const;
  readonly lexiconDim = 0;
  readonly lexiconLevels = 1;

  constructor(
    private readonly vocab: Map<string, number>,
    private readonly unkId: number,
  ) {}

  static async load(dir: string, spec: Extract<FeaturizerSpec, { kind: 'zhner.bert_char.v1' }>): Promise<BertCharFeaturizer> {
    const lines = (await readFile(path.join(dir, spec.vocab_file), 'utf8')).split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return new BertCharFeaturizer(vocabMap(lines), spec.unk_id);
  }

  featurise(cps: Uint32Array): SegmentFeatures {
    const t = normalisedTokens(cps);
    const inputIds = new Int32Array(t.length);
    for (let i = 0; i < t.length; i++) inputIds[i] = this.vocab.get(t[i]) ?? this.unkId;
    return { length: t.length, classes: classesOf(cps), inputIds };
  }
}

export async function loadFeaturizer(dir: string, spec: FeaturizerSpec): Promise<Featurizer> {
  switch (spec.kind) {
    case 'zhner.char_bigram_lexicon.v1':
    case 'zhner.char_bigram_lexicon.v2':
      return CharBigramLexiconFeaturizer.load(dir, spec);
    case 'zhner.bert_char.v1':
      return BertCharFeaturizer.load(dir, spec);
  }
}
