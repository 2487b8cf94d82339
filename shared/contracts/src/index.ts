export * from './types';
export * from './codec';
export * from './validate';
export * from './topics';
export * from './http/index';
export * from './http/client';
