// HTTP API of the reloader: replicas, rollouts, starting a rollout and forcing a rollback.
import { Type } from '@sinclair/typebox';
import { ErrorBody, ModelVersionRef, Nullable, Replica, Rollout as RolloutSchema, refuseModelPaths, type Rollout as RolloutT } from '@zhner/contracts';
import { createAdminGuard, type createHttpApp, type Logger } from '@zhner/kit';
import { isLive, type Rollout } from '../domain/rollout';
import type { ModelRegistry, ReplicaRepository, RolloutRepository } from '../app/ports';
import type { RolloutEngine } from '../app/rolloutEngine';
import { errors } from '../errors';

type App = ReturnType<typeof createHttpApp>;

const ReplicaSchema = Replica;

const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString());

export function rolloutOut(r: Rollout & { updatedAt?: number }): RolloutT {
  return {
    rolloutId: r.rolloutId,
    modelVersion: r.modelVersion,
    modelUri: r.modelUri,
    manifestSha256: r.manifestSha256,
    previousVersion: r.previousVersion,
    trigger: r.trigger,
    state: r.state,
    phase: r.phase,
    canaryReplica: r.canaryReplica,
    targets: r.targets,
    switched: r.switched,
    commands: r.commands,
    reason: r.reason,
    steps: r.steps.map((s) => ({ ...s, at: iso(s.at)! })),
    startedAt: iso(r.createdAt)!,
    updatedAt: iso(r.updatedAt),
    finishedAt: iso(r.finishedAt),
  };
}

export interface ReloaderHttpDeps {
  engine: RolloutEngine;
  rollouts: RolloutRepository;
  replicas: ReplicaRepository;
  staleAfterMs: number;
  now: () => number;
  /** Resolves the versions POST /rollouts names (undefined: REGISTRY_URL unset). */
  registry?: ModelRegistry;
  /** ADMIN_TOKEN / INSECURE_OPEN_ADMIN: the POST routes are admin routes. */
  adminToken?: string;
  insecureOpenAdmin: boolean;
  logger: Logger;
}

export function registerReloaderRoutes(app: App, deps: ReloaderHttpDeps): void {
  const admin = createAdminGuard({ adminToken: deps.adminToken, insecureOpenAdmin: deps.insecureOpenAdmin, logger: deps.logger, service: 'reloader' });
  const AuthHeaders = Type.Object({ authorization: Type.Optional(Type.String()) });

  app.get('/replicas', { schema: { response: { 200: Type.Object({ replicas: Type.Array(ReplicaSchema) }) } } }, async () => {
    const now = deps.now();
    return { replicas: (await deps.replicas.list()).map((r) => ({ ...r, lastSeen: iso(r.lastSeen)!, live: isLive(r, now, deps.staleAfterMs) })) };
  });

  app.get(
    '/rollouts',
    { schema: { querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }), response: { 200: Type.Object({ rollouts: Type.Array(RolloutSchema) }) } } },
    async (req) => ({ rollouts: (await deps.rollouts.list(req.query.limit ?? 50)).map(rolloutOut) }),
  );

  app.get(
    '/rollouts/:id',
    { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) }), response: { 200: RolloutSchema, 404: ErrorBody } } },
    async (req) => {
      const r = await deps.rollouts.get(req.params.id);
      if (!r) throw errors.create('ROLLOUT_NOT_FOUND', { rolloutId: req.params.id });
      return rolloutOut(r);
    },
  );

  app.post(
    '/rollouts',
    {
      onRequest: admin,
      schema: {
        headers: AuthHeaders,
        body: Type.Object({ modelVersion: ModelVersionRef }, { additionalProperties: false }),
        response: { 202: Type.Object({ rollout: RolloutSchema }), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody },
      },
      preValidation: async (req) => refuseModelPaths(req.body),
    },
    async (req, reply) => {
      if (!deps.registry) throw errors.create('REGISTRY_NOT_CONFIGURED');
      const target = await deps.registry.model(req.body.modelVersion);
      if (!target) throw errors.create('UNKNOWN_MODEL_VERSION', { modelVersion: req.body.modelVersion });
      const current = await deps.registry.promoted();
      const previous = current && current.version !== target.version ? current : undefined;
      const r = await deps.engine.startRollout(
        { modelVersion: target.version, modelUri: target.uri, manifestSha256: target.manifestSha256, previousVersion: previous?.version ?? null, previousUri: previous?.uri ?? null },
        { trigger: 'manual' },
      );
      return reply.status(202).send({ rollout: rolloutOut((await deps.rollouts.get(r.rolloutId)) ?? r) });
    },
  );

  app.post(
    '/rollouts/:id/rollback',
    {
      onRequest: admin,
      schema: {
        headers: AuthHeaders,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) }),
        body: Type.Union([Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }), Type.Null()]),
        response: { 200: Type.Object({ rollout: RolloutSchema }), 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const reason = `forced by operator${req.body?.reason ? `: ${req.body.reason}` : ''}`;
      const r = await deps.engine.rollback(req.params.id, reason);
      return { rollout: rolloutOut((await deps.rollouts.get(r.rolloutId)) ?? r) };
    },
  );
}
