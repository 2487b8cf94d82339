// HTTP API of the orchestrator: runs (list, one, manual trigger), the model registry and its label
// set (admitting and removing types is an admin action), the training pool's counts.
import { Type } from '@sinclair/typebox';
import { AdmitTypeBody, EntityTypeName, ErrorBody, LabelSetView, LabelType, ModelList, ModelVersion, RUN_STATUSES, RunList, TrainingRun, type ModelVersion as ModelVersionT, type TrainingRun as TrainingRunT } from '@zhner/contracts';
import { createAdminGuard, type createHttpApp, type Logger } from '@zhner/kit';
import { errors } from '../errors';
import type { ModelRepository, ModelVersionRecord, RunRecord, RunRepository } from '../app/ports';
import type { ModelRegistry } from '../app/registry';
import type { SqlExampleRepository } from './repository';
import { publishedMetrics } from './publishedMetrics';
import type { TrainingRuns } from '../app/trainingRuns';

type App = ReturnType<typeof createHttpApp>;

export interface OrchestratorHttpDeps {
  runs: RunRepository;
  models: ModelRepository;
  trainingRuns: TrainingRuns;
  /** The label set corrections are checked against now (published with the model list). */
  labelSet: () => readonly string[];
  /** The label set's types and the admin actions on them. */
  labelTypes: Pick<ModelRegistry, 'labelTypes' | 'admit' | 'remove' | 'refreshAdmitted'>;
  examples: Pick<SqlExampleRepository, 'exampleCounts' | 'backlog'>;
  /** ADMIN_TOKEN / INSECURE_OPEN_ADMIN: POST /runs is an admin route. */
  adminToken?: string;
  insecureOpenAdmin: boolean;
  logger: Logger;
}


const runOut = (r: RunRecord): TrainingRunT => r as TrainingRunT;
const modelOut = (m: ModelVersionRecord): ModelVersionT => ({ ...m, metrics: publishedMetrics(m.metrics) });

export function registerOrchestratorRoutes(app: App, deps: OrchestratorHttpDeps): void {
  const admin = createAdminGuard({ adminToken: deps.adminToken, insecureOpenAdmin: deps.insecureOpenAdmin, logger: deps.logger, service: 'trainer-orchestrator' });
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
      if (!run) throw errors.create('RUN_NOT_FOUND', { id: req.params.id });
      return runOut(run);
    },
  );

  app.post(
    '/runs',
    {
      onRequest: admin,
      // a manual run takes no parameters: what it trains on, from and with is configuration
      preValidation: async (req) => {
        const b = req.body;
        if (b !== undefined && b !== null && !(typeof b === 'object' && !Array.isArray(b) && Object.keys(b).length === 0)) {
          throw errors.create('RUNS_TAKES_NO_BODY', { field: 'body' });
        }
      },
      schema: {
        headers: Type.Object({ authorization: Type.Optional(Type.String()) }),
        response: { 202: Type.Object({ run: TrainingRun }), 400: ErrorBody, 401: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
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

  app.get('/label-set', { schema: { response: { 200: LabelSetView } } }, async () => {
    await deps.labelTypes.refreshAdmitted(); // another replica may have admitted one
    return { labelSet: [...deps.labelSet()], types: deps.labelTypes.labelTypes() };
  });

  app.post(
    '/label-set/types',
    { onRequest: admin, schema: { body: AdmitTypeBody, response: { 201: LabelType, 400: ErrorBody, 401: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => reply.status(201).send(await deps.labelTypes.admit(req.body.type, req.body.by ?? 'admin', req.body.note ?? null)),
  );

  app.delete(
    '/label-set/types/:type',
    { onRequest: admin, schema: { params: Type.Object({ type: EntityTypeName }), querystring: Type.Object({ by: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }), response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => {
      await deps.labelTypes.remove(req.params.type, req.query.by ?? 'admin');
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/examples/stats',
    { schema: { response: { 200: Type.Object({ total: Type.Integer(), train: Type.Integer(), holdout: Type.Integer(), superseded: Type.Integer(), backlog: Type.Integer() }) } } },
    async () => {
      const [c, backlog] = await Promise.all([deps.examples.exampleCounts(), deps.examples.backlog()]);
      return { total: c.train + c.holdout, ...c, backlog };
    },
  );

  app.get(
    '/models/:version',
    { schema: { params: Type.Object({ version: Type.String({ minLength: 1, maxLength: 300 }) }), response: { 200: ModelVersion, 404: ErrorBody } } },
    async (req) => {
      const m = await deps.models.get(req.params.version);
      if (!m) throw errors.create('MODEL_VERSION_NOT_FOUND', { id: req.params.version });
      return modelOut(m);
    },
  );
}
