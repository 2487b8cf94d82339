export * from './client';
export * from './migrate';
export * from './outbox';
export * from './factory';
export * from './conformance';
