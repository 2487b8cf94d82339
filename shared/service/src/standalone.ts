// The body of every service's main.ts: config → logger → metrics → bus → store → service → HTTP
// → SIGTERM handling. Invalid configuration exits with every problem listed.
import { busConfigSpec, createBus, topicsFromConfig } from '@zhner/bus';
import { ConfigError, env, loadConfig, type ConfigOf, type ConfigSpec } from '@zhner/core';
import { Lifecycle, createLogger, createMetricsRegistry, installSignalHandlers } from '@zhner/kit';
import { openStore, storeConfigSpec } from '@zhner/store';
import type { RunningService, StartService } from './context';

export const httpConfigSpec = {
  httpHost: env.string('HTTP_HOST', { default: '0.0.0.0', doc: 'Address the HTTP server binds' }),
};

export async function runStandalone<S extends ConfigSpec>(
  name: string,
  spec: S,
  start: StartService<ConfigOf<S>>,
  opts: { defaultPort: number },
): Promise<RunningService> {
  const logger = createLogger(name);
  const fullSpec = { ...busConfigSpec, ...storeConfigSpec, ...httpConfigSpec, port: env.int('PORT', { default: opts.defaultPort, min: 0, max: 65535, doc: 'HTTP port' }), ...spec };
  const cfg = (() => {
    try {
      return loadConfig(fullSpec);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${name}: ${err.message}\n`);
        process.exit(2);
      }
      throw err;
    }
  })();
  const lifecycle = new Lifecycle(logger);
  const registry = createMetricsRegistry(name);
  const topics = topicsFromConfig(cfg);
  let service: RunningService | undefined;
  await lifecycle.start(async () => {
    const bus = createBus(cfg, topics, { logger, registry, service: name });
    lifecycle.onClose('bus', () => bus.close());
    const db = await openStore(cfg, { logger, service: name });
    lifecycle.onClose('store', () => db.close());
    service = await start(cfg as ConfigOf<S>, { logger, registry, bus, topics, db });
    lifecycle.onClose(name, () => service!.close());
    if (service.app) {
      const app = service.app;
      await app.listen({ port: cfg.port as number, host: cfg.httpHost as string });
      lifecycle.onClose('http', () => app.close());
      logger.info({ port: cfg.port }, `${name} listening`);
    }
  });
  installSignalHandlers(() => lifecycle.close(), logger);
  return service!;
}
