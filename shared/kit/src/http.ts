import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import secureJson from 'secure-json-parse';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { PlatformError, ValidationError, decodeUtf8Strict } from '@zhner/core';


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

  // JSON bodies are decoded as STRICT UTF-8 (invalid bytes are refused, as on Kafka, instead of being
  // replaced by U+FFFD) and parsed with fastify's prototype-poisoning guard
  app.removeContentTypeParser('application/json');
  // JSON only: a text/plain body would reach the routes as a string and fail their schema with a
  // misleading 400; now it is a 415 UNSUPPORTED_MEDIA_TYPE
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const text = decodeUtf8Strict(body as Buffer);
    if (typeof text !== 'string') {
      done(new ValidationError(`the body ${text.message}`, { code: text.code, field: 'body' }), undefined);
      return;
    }
    if (text.trim() === '') {
      done(new ValidationError('the body is empty; send a JSON object', { code: 'INVALID_JSON', field: 'body' }), undefined);
      return;
    }
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      const proto = /prototype|__proto__/i.test((err as Error).message);
      done(new ValidationError(proto ? 'the body uses a reserved key (__proto__ or constructor.prototype); rename it' : `the body is not valid JSON (${(err as Error).message})`, { code: proto ? 'FORBIDDEN_JSON_KEY' : 'INVALID_JSON', field: 'body' }), undefined);
    }
  });

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

  // security headers on every answer of every service (the studio adds its page's CSP)
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
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
      return reply.status(err.status ?? 400).send({ error: { code: err.code, message: err.message, field: err.field, details: err.context } } satisfies ErrorBody);
    }
    if (err instanceof PlatformError) {
      const status = httpStatusOf(err);
      if (status >= 500) return internal(err, req, reply, status, err.code, err.retriable);
      const field = (err as { field?: unknown }).field;
      const retryAfterS = err.context.retryAfterS;
      if (status === 429) reply.header('retry-after', String(typeof retryAfterS === 'number' && retryAfterS > 0 ? Math.ceil(retryAfterS) : 1));
      return reply.status(status).send({ error: { code: err.code, message: err.message, ...(typeof field === 'string' ? { field } : {}) } } satisfies ErrorBody);
    }
    const fe = err as FastifyError;
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (fe.statusCode === 400 && /__proto__|constructor\.prototype/.test(fe.message))) {
      const proto = /__proto__|prototype/.test(fe.message);
      return reply.status(400).send({ error: { code: proto ? 'FORBIDDEN_JSON_KEY' : 'INVALID_JSON', message: proto ? 'the body uses a reserved key (__proto__ or constructor.prototype); rename it' : 'the body is not valid JSON' } } satisfies ErrorBody);
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message: `the body is larger than this route's limit of ${req.routeOptions.bodyLimit ?? opts.bodyLimit ?? 1024 * 1024} bytes` } } satisfies ErrorBody);
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: `send the body as application/json (got ${JSON.stringify(req.headers['content-type'] ?? '')})` } } satisfies ErrorBody);
    }
    if (fe.statusCode && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ error: { code: fe.code ?? 'BAD_REQUEST', message: fe.message } } satisfies ErrorBody);
    }
    return internal(err, req, reply, 500, 'INTERNAL', false);
  });
  return app;
}

/**
 * A 5xx answer: the details (SQL, stack, paths) go to the log with the request id, never to the
 * caller, who gets a stable code, a generic message and the id to quote.
 */
function internal(err: unknown, req: FastifyRequest, reply: FastifyReply, status: number, code: string, retriable: boolean): FastifyReply {
  req.log.error({ err, reqId: req.id }, 'request failed');
  const message = retriable || status === 503 ? `a dependency is unavailable; retry later (request ${req.id})` : `internal error (request ${req.id}); the service log has the details`;
  if (status === 503) reply.header('retry-after', '5');
  return reply.status(status).send({ error: { code: retriable && code === 'INTERNAL' ? 'UNAVAILABLE' : code, message } } satisfies ErrorBody);
}

/**
 * The HTTP status of an error, decided here once: the status its catalogue gave it, else the
 * generic codes below; anything unknown is a 500 (or 503 when retriable).
 */
export function httpStatusOf(err: PlatformError): number {
  if (err.status !== undefined) return err.status;
  const table: Record<string, number> = {
    VALIDATION_FAILED: 400,
    UNAUTHENTICATED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    CONFLICT: 409,
    PAYLOAD_TOO_LARGE: 413,
    TOO_MANY_REQUESTS: 429,
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
