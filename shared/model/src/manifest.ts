// manifest.json of a model directory (format "zhner-model/1", written by zhner_trainer export).
// parseManifest checks the fields the runtime relies on and throws ModelLoadError naming the field.
import { ModelLoadError } from './errors';

export type Scheme = 'BIO' | 'BIOES';
export type Precision = 'int8' | 'fp32';

export interface TensorSpec {
  readonly name: string;
  readonly dtype: 'int64' | 'float32';
  readonly shape: ReadonlyArray<string | number>;
}

export interface LexiconSpec {
  readonly file: string;
  readonly max_word_len: number;
  readonly categories: readonly string[];
  readonly slots: readonly string[];
  readonly levels: number;
  readonly dim: number;
  readonly words: number;
}

/** `featurizer.kind` "zhner.char_bigram_lexicon.v1": char + bigram ids + lexicon features; v2 adds class_ids. */
export interface CharBigramLexiconSpec {
  readonly kind: 'zhner.char_bigram_lexicon.v1' | 'zhner.char_bigram_lexicon.v2';
  readonly normalisation: string;
  readonly max_length: number;
  readonly pad_id: number;
  readonly unk_id: number;
  readonly vocab_file: string;
  readonly char_vocab_size: number;
  readonly bigrams: { readonly vocab_size: number; readonly eos: string } | null;
  readonly lexicon: LexiconSpec | null;
  /** v2: the class_ids input (text/charclass.ts, table zhner.char_class.v1). */
  readonly char_classes?: { readonly input: string; readonly table: string; readonly names: readonly string[] } | null;
}

/**
 * `conventions` (bilstm_crf.v2): the annotation conventions the model serves, one per training
 * corpus (names = corpus folders), fed as the index of the chosen one in `convention_ids`.
 * Absent or null = one implicit convention (IMPLICIT_CONVENTION).
 */
export interface ConventionsSpec {
  readonly names: readonly string[];
  readonly default: string;
  readonly input: string;
  /** Corpus folder -> convention, for folders that are not a convention themselves (peoples_daily -> msra). */
  readonly aliases: Readonly<Record<string, string>>;
}

/** `featurizer.kind` "zhner.bert_char.v1": one vocab.txt id per code point ([CLS]/[SEP] added in the graph). */
export interface BertCharSpec {
  readonly kind: 'zhner.bert_char.v1';
  readonly normalisation: string;
  readonly max_length: number;
  readonly vocab_file: string;
  readonly vocab_size: number;
  readonly pad_id: number;
  readonly unk_id: number;
}

export type FeaturizerSpec = CharBigramLexiconSpec | BertCharSpec;

export interface FileEntry {
  readonly sha256: string;
  readonly bytes: number;
}

export interface ModelManifest {
  readonly format: 'zhner-model/1';
  readonly name: string;
  readonly version: string;
  readonly created_at: string;
  readonly parent_version: string | null;
  readonly architecture: string;
  readonly labels: readonly string[];
  readonly scheme: Scheme;
  readonly entity_types: readonly string[];
  readonly max_length: number;
  readonly featurizer: FeaturizerSpec;
  readonly onnx: {
    readonly fp32: string;
    readonly int8: string | null;
    readonly opset: number;
    readonly quantized_ops: readonly string[];
    readonly inputs: readonly TensorSpec[];
    readonly outputs: readonly TensorSpec[];
  };
  readonly embedding_dim: number;
  readonly conventions?: ConventionsSpec | null;
  readonly crf: { readonly file: string; readonly layout: string };
  readonly weights: { readonly file: string; readonly dtype: string };
  readonly files: Readonly<Record<string, FileEntry>>;
  /** Free-form blocks kept as written by the trainer. */
  readonly training: Readonly<Record<string, unknown>>;
  readonly data: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** The ids of the sentences trained on (parent's included), one file per corpus (the AL simulation's pool excludes them). */
  readonly data_ids?: { readonly file: string; readonly sentences?: number; readonly includes_parent?: boolean } | null;
  readonly metrics: Readonly<Record<string, unknown>>;
}

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate the parsed JSON of manifest.json. Throws ModelLoadError (code MODEL_MANIFEST_INVALID). */
export function parseManifest(raw: unknown, dir: string): ModelManifest {
  const fail = (field: string, why: string): never => {
    throw new ModelLoadError(`manifest.json in ${dir}: ${field} ${why}`, { dir, file: 'manifest.json', code: 'MODEL_MANIFEST_INVALID' });
  };
  if (!isObj(raw)) return fail('(root)', 'is not an object');
  const str = (o: Json, k: string, path = k): string => (typeof o[k] === 'string' && (o[k] as string).length > 0 ? (o[k] as string) : fail(path, 'must be a non-empty string'));
  const int = (o: Json, k: string, path = k): number => (Number.isInteger(o[k]) && (o[k] as number) >= 0 ? (o[k] as number) : fail(path, 'must be a non-negative integer'));
  const strArr = (o: Json, k: string, path = k): string[] =>
    Array.isArray(o[k]) && (o[k] as unknown[]).every((x) => typeof x === 'string') ? (o[k] as string[]) : fail(path, 'must be a list of strings');
  const obj = (o: Json, k: string, path = k): Json => (isObj(o[k]) ? (o[k] as Json) : fail(path, 'must be an object'));

  if (raw.format !== 'zhner-model/1') fail('format', `must be "zhner-model/1", got ${JSON.stringify(raw.format)}`);
  str(raw, 'version');
  const labels = strArr(raw, 'labels');
  if (labels[0] !== 'O') fail('labels', 'must start with "O"');
  const scheme = raw.scheme;
  if (scheme !== 'BIO' && scheme !== 'BIOES') fail('scheme', `must be BIO or BIOES, got ${JSON.stringify(scheme)}`);
  for (const l of labels.slice(1)) {
    const m = /^([BIES])-(.+)$/.exec(l);
    if (!m || (scheme === 'BIO' && (m[1] === 'E' || m[1] === 'S'))) fail('labels', `holds ${JSON.stringify(l)}, not a ${String(scheme)} label`);
  }
  strArr(raw, 'entity_types');
  if (int(raw, 'max_length') < 1) fail('max_length', 'must be >= 1');
  int(raw, 'embedding_dim');
  const feat = obj(raw, 'featurizer');
  const kind = feat.kind;
  if (kind === 'zhner.char_bigram_lexicon.v1' || kind === 'zhner.char_bigram_lexicon.v2') {
    str(feat, 'vocab_file', 'featurizer.vocab_file');
    int(feat, 'unk_id', 'featurizer.unk_id');
    if (feat.bigrams !== null) obj(feat, 'bigrams', 'featurizer.bigrams');
    if (feat.lexicon !== null) {
      const lx = obj(feat, 'lexicon', 'featurizer.lexicon');
      str(lx, 'file', 'featurizer.lexicon.file');
      int(lx, 'max_word_len', 'featurizer.lexicon.max_word_len');
      int(lx, 'levels', 'featurizer.lexicon.levels');
      int(lx, 'dim', 'featurizer.lexicon.dim');
      strArr(lx, 'categories', 'featurizer.lexicon.categories');
    }
  } else if (kind === 'zhner.bert_char.v1') {
    str(feat, 'vocab_file', 'featurizer.vocab_file');
    int(feat, 'unk_id', 'featurizer.unk_id');
  } else {
    fail('featurizer.kind', `is not supported by this runtime: ${JSON.stringify(kind)}`);
  }
  if (kind === 'zhner.char_bigram_lexicon.v2' && feat.char_classes !== null && feat.char_classes !== undefined) {
    const cc = obj(feat, 'char_classes', 'featurizer.char_classes');
    if (cc.table !== 'zhner.char_class.v1') fail('featurizer.char_classes.table', `is not supported by this runtime: ${JSON.stringify(cc.table)}`);
  }
  if (raw.conventions !== undefined && raw.conventions !== null) {
    const c = obj(raw, 'conventions');
    const names = strArr(c, 'names', 'conventions.names');
    if (names.length === 0 || new Set(names).size !== names.length) fail('conventions.names', 'must be a non-empty list of unique names');
    if (!names.includes(str(c, 'default', 'conventions.default'))) fail('conventions.default', `must be one of ${JSON.stringify(names)}`);
    str(c, 'input', 'conventions.input');
    if (c.aliases !== undefined && !isObj(c.aliases)) fail('conventions.aliases', 'must be an object');
  }
  const onnx = obj(raw, 'onnx');
  str(onnx, 'fp32', 'onnx.fp32');
  if (onnx.int8 !== null) str(onnx, 'int8', 'onnx.int8');
  if (!Array.isArray(onnx.inputs)) fail('onnx.inputs', 'must be a list');
  const crf = obj(raw, 'crf');
  str(crf, 'file', 'crf.file');
  const files = obj(raw, 'files');
  for (const [name, entry] of Object.entries(files)) {
    if (!isObj(entry) || typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256)) fail(`files.${name}.sha256`, 'must be 64 hex digits');
  }
  return raw as unknown as ModelManifest;
}

/** The one convention of a model whose manifest lists none (older models, other architectures). */
export const IMPLICIT_CONVENTION = 'default';

/** Convention names of a manifest, the default first-class (IMPLICIT_CONVENTION for a model without any). */
export function conventionsOf(m: ModelManifest): { names: string[]; default: string; aliases: Record<string, string>; input: string | null } {
  if (!m.conventions) return { names: [IMPLICIT_CONVENTION], default: IMPLICIT_CONVENTION, aliases: {}, input: null };
  return { names: [...m.conventions.names], default: m.conventions.default, aliases: { ...(m.conventions.aliases ?? {}) }, input: m.conventions.input };
}

/** Entity types in label order, derived from the labels (never hard-coded). */
export function entityTypesOf(labels: readonly string[]): string[] {
  const seen: string[] = [];
  for (const l of labels) {
    if (l === 'O') continue;
    const t = l.slice(2);
    if (!seen.includes(t)) seen.push(t);
  }
  return seen;
}
