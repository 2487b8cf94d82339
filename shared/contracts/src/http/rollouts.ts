// The reloader's published API (GET /replicas, GET /rollouts): tagger replicas as last heard from
// and rollouts of model versions. The studio's Models page reads it.
import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, Nullable } from './common';

export const Replica = Type.Object({
  replicaId: Type.String(),
  service: Type.String(),
  modelVersion: Nullable(Type.String()),
  state: Type.String(),
  lastCommandId: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
  docsTagged: Type.Number(),
  errors: Type.Number(),
  p99LatencyMs: Nullable(Type.Number()),
  lastSeen: Type.String({ description: 'ISO time of the last heartbeat' }),
  live: Type.Boolean({ description: 'heard from within REPLICA_STALE_AFTER and not STOPPING' }),
});
export type Replica = Static<typeof Replica>;
export const ReplicaList = Type.Object({ replicas: Type.Array(Replica) });
export type ReplicaList = Static<typeof ReplicaList>;

export const ROLLOUT_STATES = ['pending', 'canary', 'rolling', 'completed', 'rolled_back', 'failed'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export const RolloutStep = Type.Object({
  at: IsoTime,
  state: Type.String(),
  phase: Nullable(Type.String()),
  event: Type.String(),
  message: Type.String(),
  replicas: Type.Optional(Type.Array(Type.String())),
  commandId: Type.Optional(Type.String()),
});

export const Rollout = Type.Object({
  rolloutId: Type.String(),
  modelVersion: Type.String(),
  modelUri: Type.String(),
  manifestSha256: Nullable(Type.String()),
  previousVersion: Nullable(Type.String()),
  trigger: Type.String(),
  state: Type.Union(ROLLOUT_STATES.map((s) => Type.Literal(s))),
  phase: Nullable(Type.String()),
  canaryReplica: Nullable(Type.String()),
  targets: Type.Array(Type.String()),
  switched: Type.Array(Type.String()),
  commands: Type.Object({ canary: Nullable(Type.String()), all: Nullable(Type.String()), rollback: Type.Array(Type.String()) }),
  reason: Nullable(Type.String()),
  steps: Type.Array(RolloutStep),
  startedAt: IsoTime,
  updatedAt: Nullable(IsoTime),
  finishedAt: Nullable(IsoTime),
});
export type Rollout = Static<typeof Rollout>;
export const RolloutList = Type.Object({ rollouts: Type.Array(Rollout) });
export type RolloutList = Static<typeof RolloutList>;
