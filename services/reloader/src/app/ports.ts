// Ports of the reloader's use cases; adapters/repository.ts implements them on SQL + the outbox.
import type { ReplicaCommand, ReplicaHeartbeat } from '@zhner/contracts';
import type { ReplicaView, Rollout, Transition } from '../domain/rollout';

/** A replica row as shown on the HTTP API. */
export interface ReplicaRecord extends ReplicaView {
  service: string;
  docsTagged: number;
  p99LatencyMs: number | null;
}

export interface ReplicaRepository {
  /** Upserts heartbeats; an older heartbeat never overwrites a newer one. */
  record(heartbeats: readonly ReplicaHeartbeat[]): Promise<void>;
  list(): Promise<ReplicaRecord[]>;
}

export type InsertResult = { result: 'inserted'; rollout: Rollout } | { result: 'duplicate'; rollout: Rollout } | { result: 'conflict'; active: Rollout };

export interface RolloutRepository {
  /**
   * Adds a rollout. `exclusive`: refused ('conflict') while another rollout is pending or active
   * (operators); otherwise it queues behind the active one. An existing id is a 'duplicate'
   * (a redelivered PUBLISHED event).
   */
  insert(rollout: Rollout, opts: { exclusive: boolean }): Promise<InsertResult>;
  /**
   * In one transaction: locks the rollout to drive (the one in canary/rolling, else the oldest
   * pending), hands it and the replicas to `step`, and saves the result with the transition's
   * commands and events in the outbox. Returns null when no rollout is active (or another
   * reloader holds it).
   */
  driveActive(step: (rollout: Rollout, replicas: ReplicaView[]) => Transition): Promise<Transition | null>;
  /** Same for one rollout by id (operator rollback). Returns null when the id is unknown. */
  drive(rolloutId: string, step: (rollout: Rollout) => Transition): Promise<Transition | null>;
  /** Commands outside any rollout (reconciliation), through the outbox. */
  enqueueCommands(commands: readonly ReplicaCommand[]): Promise<void>;
  get(rolloutId: string): Promise<Rollout | null>;
  list(limit: number): Promise<Array<Rollout & { updatedAt: number }>>;
  /** The newest completed rollout (its version is what replicas should run). */
  lastCompleted(): Promise<Rollout | null>;
  countsByState(): Promise<Record<string, number>>;
}

export interface Clock {
  now(): number;
}

/** A registered model version: where it lives and its manifest checksum (the registry's word). */
export interface RegisteredModel {
  version: string;
  uri: string;
  manifestSha256: string;
}

/** The model registry (the orchestrator's published API): rollouts name versions, never paths. */
export interface ModelRegistry {
  model(version: string): Promise<RegisteredModel | undefined>;
  promoted(): Promise<RegisteredModel | undefined>;
}
