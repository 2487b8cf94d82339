// HTTP API of the orchestrator: runs (list, one, manual trigger) and the model registry.
import { Type, type Static } from '@sinclair/typebox';
import { PlatformError } from '@zhner/core';
import { type createHttpApp } from '@zhner/kit';
import { NotFoundError } from '../domain/errors';
import type { ModelRepository, ModelVersionRecord, RunRecord, RunRepository } from '../app/ports';
import type { TrainingRuns } from '../app/trainingRuns';

type App = ReturnType<typeof createHttpApp>;

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Prf = Type.Object({ precision: Type.Number(), recall: Type.Number(), f1: Type.Number() });
const Progress = Type.Object({ epoch: Type.Number(), step: Type.Number(), loss: Type.Number(), dev: Prf, elapsedS: Type.Number(), bestF1: Type.Number() });
const Json = Type.Unknown({ description: 'free-form JSON' });

export const RunSchema = Type.Object({
  runId: Type.String(),
  status: Type.Union(['queued', 'running', 'succeeded', 'failed', 'rejected'].map((s) => Type.Literal(s))),
  trigger: Type.Union(['schedule', 'backlog', 'manual'].map((s) => Type.Literal(s))),
  baseVersion: Nullable(Type.String()),
  newVersion: Nullable(Type.String()),
  config: Json,
  dataStats: Json,
  progress: Type.Array(Progress),
  metrics: Json,
  gate: Json,
  error: Nullable(Type.String()),
  runDir: Nullable(Type.String()),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  heartbeatAt: Nullable(Type.String()),
});

export const ModelSchema = Type.Object({
  version: Type.String(),
  name: Type.String(),
  uri: Type.String(),
  manifestSha256: Type.String(),
  parentVersion: Nullable(Type.String()),
  status: Type.String(),
  metrics: Json,
  trainingRunId: Nullable(Type.String()),
  createdAt: Type.String(),
  promotedAt: Nullable(Type.String()),
});

const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()), details: Type.Optional(Json) }) });

export interface OrchestratorHttpDeps {
  runs: RunRepository;
  models: ModelRepository;
  trainingRuns: TrainingRuns;
  /** Bearer token required by POST /runs when set. */
  adminToken?: string;
}

function checkAdmin(token: string | undefined, header: string | undefined): void {
  if (!token) return;
  if (header !== `Bearer ${token}`) throw new PlatformError('UNAUTHENTICATED', 'POST /runs needs "Authorization: Bearer <ADMIN_TOKEN>"');
}

const runOut = (r: RunRecord): Static<typeof RunSchema> => r as Static<typeof RunSchema>;
const modelOut = (m: ModelVersionRecord): Static<typeof ModelSchema> => m;

export function registerOrchestratorRoutes(app: App, deps: OrchestratorHttpDeps): void {
  app.get(
    '/runs',
    {
      schema: {
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          status: Type.Optional(Type.Union(['queued', 'running', 'succeeded', 'failed', 'rejected'].map((s) => Type.Literal(s)))),
        }),
        response: { 200: Type.Object({ runs: Type.Array(RunSchema) }) },
      },
    },
    async (req) => ({ runs: (await deps.runs.list({ limit: req.query.limit ?? 50, status: req.query.status as RunRecord['status'] | undefined })).map(runOut) }),
  );

  app.get(
    '/runs/:id',
    { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }), response: { 200: RunSchema, 404: ErrorBody } } },
    async (req) => {
      const run = await deps.runs.get(req.params.id);
      if (!run) throw new NotFoundError('run', req.params.id);
      return runOut(run);
    },
  );

  app.post(
    '/runs',
    {
      schema: {
        headers: Type.Object({ authorization: Type.Optional(Type.String()) }),
        response: { 202: Type.Object({ run: RunSchema }), 401: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      checkAdmin(deps.adminToken, req.headers.authorization);
      const started = await deps.trainingRuns.start('manual');
      return reply.status(202).send({ run: runOut(started.run) });
    },
  );

  app.get(
    '/models',
    {
      schema: {
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }),
        response: { 200: Type.Object({ promoted: Nullable(Type.String()), models: Type.Array(ModelSchema) }) },
      },
    },
    async (req) => {
      const [models, promoted] = await Promise.all([deps.models.list(req.query.limit ?? 100), deps.models.promoted()]);
      return { promoted: promoted?.version ?? null, models: models.map(modelOut) };
    },
  );

  app.get(
    '/models/:version',
    { schema: { params: Type.Object({ version: Type.String({ minLength: 1, maxLength: 300 }) }), response: { 200: ModelSchema, 404: ErrorBody } } },
    async (req) => {
      const m = await deps.models.get(req.params.version);
      if (!m) throw new NotFoundError('model version', req.params.version);
      return modelOut(m);
    },
  );
}
