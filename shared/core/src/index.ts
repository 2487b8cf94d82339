// @zhner/core: what domain code, contracts and the model runtime may import — no npm dependency,
// no I/O beyond node built-ins (hashing, /proc/cpuinfo). Logging, metrics, HTTP and lifecycle
// live in @zhner/kit, on top of this package.
export * from './errors';
export * from './catalogue';
export * from './retry';
export * from './config';
export * from './text';
export * from './textPolicy';
export * from './random';
export * from './machine';
export * from './scoring';
export * from './corpus';
export * from './spans';
export * from './slices';
