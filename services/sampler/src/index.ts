// The sampler service: scores predictions, selects review candidates per window, keeps the review
// queue. The pure scoring/selection/clustering functions are exported for the active-learning
// simulation (they need neither Kafka nor a database).
export {
  SCORE_NAMES,
  SCORERS,
  MEAN_ENTROPY,
  MAX_ENTROPY,
  LEAST_CONFIDENCE,
  MNLP,
  ENTITY_CONFIDENCE,
  entropy,
  meanTokenEntropy,
  maxTokenEntropy,
  leastConfidence,
  mnlp,
  entityUncertainty,
  averageConfidence,
  passesGate,
  computeScores,
  scoreDocument,
  isScoreName,
  type ScoreName,
  type Scores,
  type ScoredDocument,
  type UncertaintyInput,
} from './domain/scores';
export {
  HYBRID,
  RANDOM,
  STRATEGY_NAMES,
  REGISTRY,
  isStrategyName,
  selectCandidates,
  gateByConfidence,
  dedupeByTextHash,
  noveltyOf,
  clusterDocuments,
  type StrategyName,
  type SelectableDoc,
  type SelectionOptions,
  type SelectionResult,
  type Selected,
} from './domain/selection';
export { KMEANS, miniBatchKMeans, type KMeansOptions, type KMeansResult } from './domain/kmeans';
export { seededRandom } from '@zhner/kit';
export { cosineDistance, nearestCosineDistance, normalize, type Vector } from './domain/vectors';
export { windowDue, isStale, candidateIdFor, type WindowState, type FlushTrigger, type Promotion } from './domain/window';
export { Sampler, type SamplerSettings, type SamplerDeps, type IngestResult, type FlushResult } from './app/sampler';
export type { SamplerRepository, SamplerMetrics, WindowEntry, QueueItem, CandidateStatus } from './app/ports';
export { SqlSamplerRepository } from './adapters/repository';
export { configSpec, settingsFrom, type SamplerConfig } from './config';
export { startSampler, type RunningSampler } from './service';
