// @zhner/kit: the adapters every service shares — pino logger, prom-client metrics, the fastify
// app with the platform's error format and ops routes, and the service lifecycle. Errors, retry,
// config and text helpers are in @zhner/core.
export * from './logger';
export * from './metrics';
export * from './http';
export * from './lifecycle';
export * from './admin';
export * from './net';
