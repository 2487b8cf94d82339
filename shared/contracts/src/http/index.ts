// Published HTTP contracts of the services (TypeBox schemas + their Static<> types).
export * from './common';
export * from './registry';
export * from './rollouts';
export * from './selections';
export * from './queue';
export * from './studio';
