import * as path from 'node:path';

// @zhner/model: the NER model runtime (ONNX Runtime + CRF decoding in TypeScript).
export { loadModel, NerModel } from './model';
export type { LoadModelOptions, PredictOptions, PreparedSegment } from './model';
export type { DocumentPlan, DocumentPrediction, Entity, MergeOptions, PredictTiming, SegmentEntity, SegmentPrediction, SegmentResult } from './predict';
export { decodeSegment, mergeDocument, planDocument } from './predict';
export { splitForModel, splitCodePoints } from './text/split';
export type { ModelSegment } from './text/split';
export { codePointLength, codePointToUtf16Offsets, normaliseCodePoint, toCodePoints } from './text/codepoints';
export type { CodePoints } from './text/codepoints';
export { crfFromJson, forwardBackward, pathScore, tokenEntropies, viterbi } from './crf/crf';
export type { CrfParams, ForwardBackwardResult, ViterbiResult } from './crf/crf';
export { labelStringsToSpans, parseLabels, tagsToSpans } from './decode/tags';
export { BLOCKED, WELLFORMED_RULE, blockedLabels, classesOf, constrainEmissions, wellformedSpans } from './decode/constraints';
export { CHAR_CLASS_NAMES, charClass, isNonContent } from './text/charclass';
export type { WellformedInput } from './predict';
export type { ParsedLabel, TagSpan } from './decode/tags';
export { BertCharFeaturizer, CharBigramLexiconFeaturizer, loadFeaturizer } from './features/featurizer';
export type { Featurizer, SegmentFeatures } from './features/featurizer';
export { Lexicon } from './features/lexicon';
export { IMPLICIT_CONVENTION, conventionsOf, entityTypesOf, parseManifest } from './manifest';
export type { ConventionsSpec, FeaturizerSpec, FileEntry, ModelManifest, Precision, Scheme, TensorSpec } from './manifest';
export { sha256File, verifyChecksums } from './checksum';
export {
  InferenceError, InvalidInputError, ModelChecksumError, ModelDisposedError, ModelError, ModelLoadError,
} from './errors';
export type { ErrorContext } from './errors';
export { readCorpus, scoreDocuments } from './eval/score';
export { chooseConvention } from './eval/conventionChoice';
export type { ConventionChoice } from './eval/conventionChoice';
export type { CorpusDocument, GoldEntity, Scores, TypeScores } from './eval/score';

/** The bundled default model directory (models/zh-ner-default at the repository root). */
export const DEFAULT_MODEL_DIR = path.resolve(__dirname, '..', '..', '..', 'models', 'zh-ner-default');
