// HTTP API of the tagger (fastify + TypeBox; built, not listening):
//   POST /ner                    {text} or {texts:[...]} → entities, model version
//   GET  /admin/model            what is serving
//   POST /admin/model            {modelUri, manifestSha256?, modelVersion?} → hot swap (waits for it)
//   POST /admin/model/rollback   swap back to the previous version
//   GET  /metrics, /healthz, /readyz
// Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`; without ADMIN_TOKEN they are closed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ModelVersionRef, refuseModelPaths } from '@zhner/contracts';
import { ValidationError } from '@zhner/core';
import { createAdminGuard, createHttpApp, registerOpsRoutes, type HttpApp, type Logger, type Registry } from '@zhner/kit';
import { textsOfRequest } from '../domain/input';
import type { ModelManager } from '../app/modelManager';
import { withoutPaths, type CommandOutcome, ReplicaControl } from '../app/replicaControl';
import type { TagService } from '../app/tagService';
import type { PromTaggerMetrics } from './metrics';
import { errors } from '../errors';

export type TaggerHttpApp = ReturnType<typeof createHttpApp>;

export interface HttpDeps {
  logger: Logger;
  registry: Registry;
  metrics: PromTaggerMetrics;
  tags: TagService;
  models: ModelManager;
  control: ReplicaControl;
  replicaId: string;
  /** Reasons the replica is not ready (empty = ready). */
  readiness: () => string[];
  limits: { maxLength: number; maxTexts: number };
  adminToken?: string;
  /** INSECURE_OPEN_ADMIN: the admin routes accept anyone. */
  insecureOpenAdmin: boolean;
}

const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()), details: Type.Optional(Type.Unknown()) }),
});

const EntitySchema = Type.Object({
  start: Type.Integer({ description: 'UTF-16 offset, inclusive: text.slice(start, end) === text' }),
  end: Type.Integer({ description: 'UTF-16 offset, exclusive' }),
  cpStart: Type.Integer({ description: 'code-point offset (Python str index), inclusive' }),
  cpEnd: Type.Integer(),
  type: Type.String(),
  text: Type.String({ description: 'surface text' }),
  score: Type.Number({ description: 'confidence in [0,1] (CRF marginal of the span)' }),
});

const NerResult = Type.Object({
  modelVersion: Type.String(),
  textLength: Type.Integer(),
  entities: Type.Array(EntitySchema),
  cached: Type.Boolean(),
  timings: Type.Object({ queueMs: Type.Number(), inferenceMs: Type.Number(), totalMs: Type.Number() }),
});

const NerBody = Type.Object(
  {
    text: Type.Optional(Type.String({ description: 'one text' })),
    texts: Type.Optional(Type.Array(Type.String(), { description: 'several texts, tagged in one request' })),
  },
  { additionalProperties: false },
);

const ModelStatus = Type.Object({
  replicaId: Type.String(),
  modelVersion: Type.Union([Type.String(), Type.Null()]),
  previousVersion: Type.Union([Type.String(), Type.Null()]),
  precision: Type.Union([Type.String(), Type.Null()]),
  state: Type.String(),
  lastError: Type.Union([Type.Object({ code: Type.String(), message: Type.String(), at: Type.Number() }), Type.Null()]),
});

const SwapBody = Type.Object(
  {
    modelVersion: ModelVersionRef,
  },
  { additionalProperties: false },
);

const SwapReply = Type.Object({
  status: Type.Literal('applied'),
  commandId: Type.String(),
  modelVersion: Type.String(),
  previousVersion: Type.Union([Type.String(), Type.Null()]),
  precision: Type.String(),
  changed: Type.Boolean(),
  loadMs: Type.Number(),
});


/** Builds the tagger's HTTP app (not listening). */
export function buildHttpApp(deps: HttpDeps): TaggerHttpApp {
  // room for maxTexts texts of maxTextLength characters (3 bytes each in UTF-8, 6 when \u-escaped)
  const bodyLimit = Math.max(1024 * 1024, deps.limits.maxTexts * deps.limits.maxLength * 6 + 4096);
  const app = createHttpApp({ logger: deps.logger, bodyLimit });

  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.httpRequest(req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  registerOpsRoutes(app as unknown as HttpApp, {
    registry: deps.registry,
    readiness: deps.readiness,
    info: () => ({ service: 'tagger', replicaId: deps.replicaId, modelVersion: deps.models.version ?? null, modelState: deps.models.state }),
  });

  app.post(
    '/ner',
    {
      schema: {
        body: NerBody,
        response: { 200: Type.Union([NerResult, Type.Object({ results: Type.Array(NerResult) })]), 400: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (req) => {
      const started = performance.now();
      let parsed: { texts: string[]; single: boolean };
      try {
        parsed = textsOfRequest(req.body, deps.limits);
      } catch (err) {
        if (err instanceof ValidationError) {
          deps.metrics.rejected(err.code, 'http');
          deps.tags.countRejected();
        }
        throw err;
      }
      if (deps.models.version === undefined) throw errors.create('NOT_READY');
      deps.tags.admitHttp(parsed.texts.reduce((n, t) => n + t.length, 0));
      const tagged = await Promise.all(parsed.texts.map((t) => deps.tags.tag(t, 'http')));
      const totalMs = performance.now() - started;
      const results = tagged.map((t, i) => ({
        modelVersion: t.modelVersion,
        textLength: parsed.texts[i].length,
        entities: t.prediction.entities,
        cached: t.cached,
        timings: { queueMs: t.queueMs, inferenceMs: t.inferenceMs, totalMs },
      }));
      return parsed.single ? results[0] : { results };
    },
  );

  // Admin routes: closed unless ADMIN_TOKEN is set (or INSECURE_OPEN_ADMIN=true), one check for every service
  const adminAuth = createAdminGuard({ adminToken: deps.adminToken, insecureOpenAdmin: deps.insecureOpenAdmin, logger: deps.logger, service: 'tagger' });

  app.get('/admin/model', { onRequest: adminAuth, schema: { response: { 200: ModelStatus, 401: ErrorBody } } }, async () => {
    const e = deps.models.engine;
    return {
      replicaId: deps.replicaId,
      modelVersion: e?.version ?? null,
      previousVersion: deps.models.previousVersion ?? null,
      precision: e?.precision ?? null,
      state: deps.control.state(),
      lastError: deps.models.lastError ? { code: deps.models.lastError.code, message: withoutPaths(deps.models.lastError.message, deps.models.lastError.modelUri, ''), at: deps.models.lastError.at } : null,
    };
  });

  const answer = (outcome: CommandOutcome, reply: FastifyReply) => {
    if (outcome.status === 'applied') return { status: 'applied' as const, commandId: outcome.commandId, ...outcome.result };
    // the failure of a swap is the command's outcome, not a thrown error (heartbeats report it too),
    // whatever raised it (this catalogue or the runtime): an unknown version is a 404 as at the
    // reloader; a version that fails to load or verify, 422
    if (outcome.status === 'failed') return reply.status(outcome.code === 'UNKNOWN_MODEL_VERSION' ? 404 : 422).send({ error: { code: outcome.code, message: outcome.message, details: { commandId: outcome.commandId } } });
    throw errors.create('COMMAND_IGNORED', { commandId: outcome.commandId, reason: outcome.reason });
  };

  app.post(
    '/admin/model',
    { onRequest: adminAuth, preValidation: async (req) => refuseModelPaths(req.body), schema: { body: SwapBody, response: { 200: SwapReply, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody } } },
    async (req, reply) => answer(await deps.control.operatorCommand('LOAD_MODEL', req.body), reply as unknown as FastifyReply),
  );

  app.post(
    '/admin/model/rollback',
    { onRequest: adminAuth, schema: { response: { 200: SwapReply, 401: ErrorBody, 409: ErrorBody, 422: ErrorBody } } },
    async (_req, reply) => answer(await deps.control.operatorCommand('ROLLBACK', {}), reply as unknown as FastifyReply),
  );

  return app;
}
