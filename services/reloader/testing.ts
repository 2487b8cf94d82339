// Test doubles of the reloader, for suites outside the package: `@zhner/reloader/testing`.
export { FakeReplica, type FakeReplicaOptions } from './src/testing/fakeReplica';
