export * from './port';
export * from './metrics';
export * from './runner';
export * from './memory';
export * from './kafka';
export * from './factory';
