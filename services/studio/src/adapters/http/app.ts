// Builds the studio's HTTP app (not listening): platform error format, OpenAPI from the route
// schemas (/api/openapi.json, UI at /api/docs), ops routes, the API plugins and the web bundle.
import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import { createHttpApp, registerOpsRoutes, type HttpApp, type Registry } from '@zhner/kit';
import { errors } from '../../errors';
import { Candidate, Correction, ErrorBody } from './schemas';
import { adjudicationRoutes } from './routes/adjudication';
import { annotatorRoutes } from './routes/annotators';
import { correctionRoutes } from './routes/corrections';
import { dataRoutes } from './routes/data';
import type { StudioDeps } from './routes/deps';
import { eventRoutes } from './routes/events';
import { modelRoutes } from './routes/models';
import { queueRoutes } from './routes/queue';
import { sessionRoutes } from './routes/session';
import { tagRoutes } from './routes/tag';
import { typeRoutes } from './routes/types';
import { auditRoutes } from './routes/audit';
import { webRoutes } from './web';

export interface StudioAppOptions {
  registry: Registry;
  webDir: string;
  readiness?: () => Promise<string[]> | string[];
  /** Serve swagger-ui at /api/docs. Default true. */
  docsUi?: boolean;
  /** SSE keep-alive comment interval, ms. Default 15 s. */
  sseHeartbeatMs?: number;
}

export async function buildStudioApp(d: StudioDeps, opts: StudioAppOptions): Promise<{ app: HttpApp; closeStreams: () => void }> {
  const app = createHttpApp({
    logger: d.logger,
    handleError: (err, req, reply) => {
      // the platform's handler answers (status from the error, details of 5xx only in the log);
      // the studio adds the challenge header and counts schema refusals of corrections
      if (errors.is(err) && err.status === 401) reply.header('www-authenticate', 'Bearer realm="zhner-studio"');
      if (req.method === 'POST' && req.routeOptions.url === '/api/corrections' && (err as { validation?: unknown }).validation) d.metrics.correctionRejected('SCHEMA');
      return undefined;
    },
  });
  app.decorateRequest('principal', null);

  app.addHook('onResponse', async (req, reply) => {
    d.metrics.httpDuration.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'zh-NER studio API', version: '1', description: 'Tagging, review queue, corrections, adjudication and model history. Writes need `Authorization: Bearer zhner_…` (npm run studio:token).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'zhner_<id>_<secret>' } } },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  for (const s of [ErrorBody, Candidate, Correction]) app.addSchema(s);
  if (opts.docsUi ?? true) {
    // optional: swagger-ui's own static-file stack needs require(esm) (Node >= 20.19), which some
    // runners (jest) lack; the OpenAPI document does not depend on it
    try {
      // load the static-file plugin swagger-ui will use now, so a failure is caught here
      createRequire(require.resolve('@fastify/swagger-ui'))('@fastify/static');
      const swaggerUi = (await import('@fastify/swagger-ui')).default;
      await app.register(swaggerUi, { routePrefix: '/api/docs' });
    } catch (err) {
      d.logger.warn({ err: (err as Error).message }, 'swagger-ui unavailable; /api/openapi.json still serves the document');
    }
  }
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerOpsRoutes(app as unknown as HttpApp, { registry: opts.registry, readiness: opts.readiness });
  await sessionRoutes(app, d);
  await typeRoutes(app, d);
  await auditRoutes(app, d);
  await tagRoutes(app, d);
  await queueRoutes(app, d);
  await correctionRoutes(app, d);
  await modelRoutes(app, d);
  await adjudicationRoutes(app, d);
  await dataRoutes(app, d);
  await annotatorRoutes(app, d);
  const streams = await eventRoutes(app, d, { heartbeatMs: opts.sseHeartbeatMs });
  await webRoutes(app, { webDir: opts.webDir });
  app.addHook('preClose', async () => streams.closeAll());
  return { app: app as unknown as HttpApp, closeStreams: () => streams.closeAll() };
}
