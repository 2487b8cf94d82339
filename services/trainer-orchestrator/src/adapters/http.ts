// HTTP API of the orchestrator: runs (list, one, manual trigger) and the model registry.
import { Type } from '@sinclair/typebox';
import { ErrorBody, ModelList, ModelVersion, RUN_STATUSES, RunList, TrainingRun, type ModelVersion as ModelVersionT, type TrainingRun as TrainingRunT } from '@zhner/contracts';
import { PlatformError } from '@zhner/core';
import { type createHttpApp } from '@zhner/kit';
import { NotFoundError } from '../domain/errors';
import type { ModelRepository, ModelVersionRecord, RunRecord, RunRepository } from '../app/ports';
import { publishedMetrics } from './publishedMetrics';
import type { TrainingRuns } from '../app/trainingRuns';

type App = ReturnType<typeof createHttpApp>;

export interface OrchestratorHttpDeps {
  runs: RunRepository;
  models: ModelRepository;
  trainingRuns: TrainingRuns;
  /** The label set corrections are checked against now (published with the model list). */
  labelSet: () => readonly string[];
  /** Bearer token required by POST /runs when set. */
  adminToken?: string;
}

function checkAdmin(token: string | undefined, header: string | undefined): void {
  if (!token) return;
  if (header !== `Bearer ${token}`) throw new PlatformError('UNAUTHENTICATED', 'POST /runs needs "Authorization: Bearer <ADMIN_TOKEN>"');
}

const runOut = (r: RunRecord): TrainingRunT => r as TrainingRunT;
const modelOut = (m: ModelVersionRecord): ModelVersionT => ({ ...m, metrics: publishedMetrics(m.metrics) });

export function registerOrchestratorRoutes(app: App, deps: OrchestratorHttpDeps): void {
  app.get(
    '/runs',
    {
      schema: {
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          status: Type.Optional(Type.Union(RUN_STATUSES.map((s) => Type.Literal(s)))),
        }),
        response: { 200: RunList },
      },
    },
    async (req) => ({ runs: (await deps.runs.list({ limit: req.query.limit ?? 50, status: req.query.status as RunRecord['status'] | undefined })).map(runOut) }),
  );

  app.get(
    '/runs/:id',
    { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }), response: { 200: TrainingRun, 404: ErrorBody } } },
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
        response: { 202: Type.Object({ run: TrainingRun }), 401: ErrorBody, 409: ErrorBody },
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
        response: { 200: ModelList },
      },
    },
    async (req) => {
      const [models, promoted] = await Promise.all([deps.models.list(req.query.limit ?? 100), deps.models.promoted()]);
      return { promoted: promoted?.version ?? null, labelSet: [...deps.labelSet()], models: models.map(modelOut) };
    },
  );

  app.get(
    '/models/:version',
    { schema: { params: Type.Object({ version: Type.String({ minLength: 1, maxLength: 300 }) }), response: { 200: ModelVersion, 404: ErrorBody } } },
    async (req) => {
      const m = await deps.models.get(req.params.version);
      if (!m) throw new NotFoundError('model version', req.params.version);
      return modelOut(m);
    },
  );
}
