// Test helpers of the studio, for suites outside the package: `@zhner/studio/testing`.
export * as testkit from './src/testkit';
