export * from './infra';
export * from './records';
