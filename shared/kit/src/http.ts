import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { PlatformError, ValidationError, errorMessage } from '@zhner/core';


export interface HttpAppOptions {
  logger: Logger;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /**
   * A service's own error translation, tried before the platform's: send a reply and return it to
   * handle the error, return undefined to fall through (one error handler per app, no override).
   */
  handleError?: (err: unknown, req: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;
}

/** The app every service builds with createHttpApp (TypeBox type provider, pino logger). */
export type HttpApp = ReturnType<typeof createHttpApp>;

/** The JSON shape of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: unknown };
}

/**
 * A fastify app with the platform's conventions: TypeBox route schemas, one error format
 * (`{error:{code,message,field}}`), 400 for validation problems, and the request id in every log
 * line. Building is separate from listening so tests can use `inject()`.
 */
export function createHttpApp(opts: HttpAppOptions) {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { allErrors: false, coerceTypes: false, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // bodies are JSON and never coerced; a query string is text, so numeric and boolean parameters
  // declared by the route's schema are converted before validation (GET /rollouts?limit=5)
  app.addHook('preValidation', async (req) => {
    const props = (req.routeOptions.schema?.querystring as { properties?: Record<string, { type?: string }> } | undefined)?.properties;
    const q = req.query as Record<string, unknown> | undefined;
    if (!props || !q) return;
    for (const [k, v] of Object.entries(q)) {
      const t = props[k]?.type;
      if (typeof v !== 'string') continue;
      if ((t === 'integer' || t === 'number') && /^-?\d+(\.\d+)?$/.test(v)) q[k] = Number(v);
      else if (t === 'boolean' && (v === 'true' || v === 'false')) q[k] = v === 'true';
    }
  });

  app.setErrorHandler((err: FastifyError | PlatformError | Error, req: FastifyRequest, reply: FastifyReply) => {
    const handled = opts.handleError?.(err, req, reply);
    if (handled) return handled;
    if ('validation' in err && err.validation) {
      const first = err.validation[0];
      const where = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
      const context = (err as FastifyError).validationContext ?? 'body';
      const field = where ? `${context}.${where}` : context;
      return reply.status(400).send({ error: { code: 'VALIDATION_FAILED', message: `${field} ${first?.message ?? 'is invalid'}`, field } } satisfies ErrorBody);
    }
    if (err instanceof ValidationError) {
      return reply.status(400).send({ error: { code: err.code, message: err.message, field: err.field, details: err.context } } satisfies ErrorBody);
    }
    if (err instanceof PlatformError) {
      const status = httpStatusOf(err);
      if (status >= 500) req.log.error({ err }, 'request failed');
      return reply.status(status).send({ error: { code: err.code, message: err.message } } satisfies ErrorBody);
    }
    const fe = err as FastifyError;
    if (fe.statusCode && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ error: { code: fe.code ?? 'BAD_REQUEST', message: fe.message } } satisfies ErrorBody);
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: errorMessage(err) } } satisfies ErrorBody);
  });
  return app;
}

/** Maps error codes to HTTP statuses; anything unknown is a 500 (or 503 when retriable). */
export function httpStatusOf(err: PlatformError): number {
  const table: Record<string, number> = {
    VALIDATION_FAILED: 400,
    UNAUTHENTICATED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    CONFLICT: 409,
    PAYLOAD_TOO_LARGE: 413,
    NOT_READY: 503,
  };
  return table[err.code] ?? (err.retriable ? 503 : 500);
}

export interface OpsRoutesOptions {
  registry: Registry;
  /** Readiness: resolve to a list of reasons the service is NOT ready (empty = ready). */
  readiness?: () => Promise<string[]> | string[];
  /** Facts added to /healthz (e.g. model version, replica id). */
  info?: () => Record<string, unknown>;
}

/** Mounts GET /metrics (Prometheus text), /healthz (alive) and /readyz (503 until ready). */
export function registerOpsRoutes(app: HttpApp | FastifyInstance, opts: OpsRoutesOptions): void {
  const host = app as FastifyInstance;
  host.get('/metrics', async (_req, reply) => {
    reply.header('content-type', opts.registry.contentType);
    return opts.registry.metrics();
  });
  host.get('/healthz', async () => ({ status: 'ok', ...(opts.info?.() ?? {}) }));
  host.get('/readyz', async (_req, reply) => {
    const reasons = (await opts.readiness?.()) ?? [];
    if (reasons.length > 0) return reply.status(503).send({ status: 'not_ready', reasons });
    return { status: 'ready' };
  });
}
