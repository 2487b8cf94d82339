// The Models page: registry, serving replicas, rollouts, chart series; admin model actions.
import { Type } from '@sinclair/typebox';
import { principalOf, requireRole } from '../auth';
import { Charts, ModelVersionRef, ModelsOverview, refuseModelPaths } from '@zhner/contracts';
import { Unknown, bearer, errorRefs } from '../schemas';
import type { StudioDeps, StudioHttpApp } from './deps';

const Accepted = Type.Object({ accepted: Type.Boolean(), upstream: Unknown });

export async function modelRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  const admin = requireRole(d.auth, 'admin');

  app.get(
    '/api/models',
    {
      schema: {
        tags: ['models'],
        summary: 'Model versions with metrics, training runs, replicas (which version serves where) and rollouts',
        response: { 200: ModelsOverview },
      },
    },
    async () => d.dashboard.models(),
  );

  app.get(
    '/api/models/charts',
    {
      schema: {
        tags: ['models'],
        summary: 'Chart series: F1 across versions, corrections per day, queue depth per day, uncertainty distribution',
        response: { 200: Charts },
      },
    },
    async () => d.dashboard.charts(30),
  );

  app.post(
    '/api/models/training',
    {
      preHandler: admin,
      schema: {
        tags: ['models'],
        summary: 'Trigger a training run now (admin; forwards to the trainer-orchestrator)',
        security: bearer,
        body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) })),
        response: { 202: Accepted, ...errorRefs(401, 403, 502, 503) },
      },
    },
    async (req, reply) => {
      const upstream = await d.modelAdmin.triggerTraining(principalOf(req), (req.body as { reason?: string } | undefined)?.reason);
      return reply.status(202).send({ accepted: true, upstream: upstream ?? null });
    },
  );

  app.post(
    '/api/models/rollouts',
    {
      preValidation: async (req) => refuseModelPaths(req.body),
      preHandler: admin,
      schema: {
        tags: ['models'],
        summary: "Start a rollout of a registered model version (admin; forwards the version's uri and manifest checksum to the reloader)",
        security: bearer,
        body: Type.Object({ modelVersion: ModelVersionRef }),
        response: { 202: Accepted, ...errorRefs(400, 401, 403, 404, 502, 503) },
      },
    },
    async (req, reply) => {
      const upstream = await d.modelAdmin.startRollout(principalOf(req), req.body.modelVersion);
      return reply.status(202).send({ accepted: true, upstream: upstream ?? null });
    },
  );

  app.post(
    '/api/models/rollouts/:rolloutId/rollback',
    {
      preHandler: admin,
      schema: {
        tags: ['models'],
        summary: 'Roll a rollout back (admin; forwards to the reloader)',
        security: bearer,
        params: Type.Object({ rolloutId: Type.String({ minLength: 1 }) }),
        body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) })),
        response: { 202: Accepted, ...errorRefs(401, 403, 502, 503) },
      },
    },
    async (req, reply) => {
      const upstream = await d.modelAdmin.rollback(principalOf(req), req.params.rolloutId, (req.body as { reason?: string } | undefined)?.reason);
      return reply.status(202).send({ accepted: true, upstream: upstream ?? null });
    },
  );
}
