// HTTP API of the reloader: replicas, rollouts, starting a rollout and forcing a rollback.
import { Type } from '@sinclair/typebox';
import { ErrorBody, Nullable, Replica, Rollout as RolloutSchema, type Rollout as RolloutT } from '@zhner/contracts';
import { PlatformError } from '@zhner/core';
import { type createHttpApp } from '@zhner/kit';
import { isLive, type Rollout } from '../domain/rollout';
import type { ReplicaRepository, RolloutRepository } from '../app/ports';
import { RolloutNotFoundError, type RolloutEngine } from '../app/rolloutEngine';

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
  /** Bearer token required by the POST routes when set. */
  adminToken?: string;
}

export function registerReloaderRoutes(app: App, deps: ReloaderHttpDeps): void {
  const admin = (header: string | undefined) => {
    if (deps.adminToken && header !== `Bearer ${deps.adminToken}`) throw new PlatformError('UNAUTHENTICATED', 'this route needs "Authorization: Bearer <ADMIN_TOKEN>"');
  };
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
      if (!r) throw new RolloutNotFoundError(req.params.id);
      return rolloutOut(r);
    },
  );

  app.post(
    '/rollouts',
    {
      schema: {
        headers: AuthHeaders,
        body: Type.Object(
          {
            modelVersion: Type.String({ minLength: 1, maxLength: 300 }),
            modelUri: Type.String({ minLength: 1, maxLength: 4096 }),
            manifestSha256: Type.Optional(Nullable(Type.String({ pattern: '^[0-9a-f]{64}$' }))),
            previousVersion: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
            previousUri: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ rollout: RolloutSchema }), 401: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      admin(req.headers.authorization);
      const b = req.body;
      const r = await deps.engine.startRollout(
        { modelVersion: b.modelVersion, modelUri: b.modelUri, manifestSha256: b.manifestSha256 ?? null, previousVersion: b.previousVersion ?? null, previousUri: b.previousUri ?? null },
        { trigger: 'manual' },
      );
      return reply.status(202).send({ rollout: rolloutOut((await deps.rollouts.get(r.rolloutId)) ?? r) });
    },
  );

  app.post(
    '/rollouts/:id/rollback',
    {
      schema: {
        headers: AuthHeaders,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) }),
        body: Type.Union([Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }), Type.Null()]),
        response: { 200: Type.Object({ rollout: RolloutSchema }), 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      admin(req.headers.authorization);
      const reason = `forced by operator${req.body?.reason ? `: ${req.body.reason}` : ''}`;
      const r = await deps.engine.rollback(req.params.id, reason);
      return { rollout: rolloutOut((await deps.rollouts.get(r.rolloutId)) ?? r) };
    },
  );
}
