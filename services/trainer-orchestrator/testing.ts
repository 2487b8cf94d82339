// Test doubles of the orchestrator, for suites outside the package: `@zhner/trainer-orchestrator/testing`
// (kept out of the production index).
export { FakeTrainingJob, FixedEvaluator, fixedScores, writeFakeModelDir, type FakeTrainingJobOptions } from './src/testing/fakes';
