// The sampler service: scores predictions, selects review candidates per window, keeps the review
// queue. Its public surface: the service itself and its scoring/selection rules by versioned name,
// which the active-learning simulation (bench/sim) runs without Kafka or a database.
export { SCORE_NAMES, computeScores, isScoreName, type ScoreName, type Scores } from './domain/scores';
export { HYBRID, RANDOM, STRATEGY_NAMES, REGISTRY, isStrategyName, selectCandidates, type StrategyName, type SelectableDoc, type SelectionOptions, type SelectionResult } from './domain/selection';
export { configSpec, type SamplerConfig } from './config';
export { errors } from './errors';
export { startSampler, type RunningSampler } from './service';
