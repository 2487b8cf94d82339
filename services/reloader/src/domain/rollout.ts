// The rollout state machine (pure: the engine feeds it replica states and the time, it returns the
// next rollout and the commands/events to send). A rollout moves one model version across the
// tagger replicas:
//
//   pending ──► canary(loading) ──► canary(soak) ──► rolling ──► completed        (PROMOTED)
//      │              │                  │              │
//      └──────────────┴──────────────────┴──────────────┴──► rolled_back / failed (ROLLED_BACK)
//
//  pending   pick ONE live READY replica not yet on the version; send it LOAD_MODEL (command id
//            `<rolloutId>.canary`). Every live replica already on it: completed at once.
//  canary    loading: wait for a heartbeat of the canary with lastCommandId = that command,
//            modelVersion = the version and state READY. Soak: for CANARY_SOAK the canary must stay
//            READY on the version, without lastError, with at most CANARY_MAX_ERRORS new errors.
//  rolling   LOAD_MODEL to `*` (`<rolloutId>.all`); wait until every replica live at that moment
//            (the targets) reports the version and READY. A target that stops sending heartbeats
//            is no longer waited for; replicas that appear later are not waited for either.
//  failure   a LOAD error (lastError once the command is no longer LOADING), DEGRADED, the canary
//            disappearing, or a step taking longer than ROLLOUT_STEP_TIMEOUT: ROLLBACK to every
//            replica that switched (`<rolloutId>.rollback.<replica>`), ROLLED_BACK with the reason.
//            State rolled_back once any command was sent; failed when nothing was (pending).
//  forced    an operator's rollback of an active or completed rollout does the same.
import type { ModelEvent, ReplicaCommand, ReplicaState } from '@zhner/contracts';
import { errors } from '../errors';

export type RolloutState = 'pending' | 'canary' | 'rolling' | 'completed' | 'rolled_back' | 'failed';
export type CanaryPhase = 'loading' | 'soak';
export const ACTIVE_STATES: readonly RolloutState[] = ['pending', 'canary', 'rolling'];
export const TERMINAL_STATES: readonly RolloutState[] = ['completed', 'rolled_back', 'failed'];

/** A replica as last heard from (the `replicas` table). */
export interface ReplicaView {
  replicaId: string;
  modelVersion: string | null;
  state: ReplicaState;
  lastCommandId: string | null;
  lastError: string | null;
  errors: number;
  /** Epoch ms of its last heartbeat. */
  lastSeen: number;
}

export interface RolloutPolicy {
  /** A replica silent for longer is gone (REPLICA_STALE_AFTER). */
  staleAfterMs: number;
  /** Longest wait for one step (pending, canary load, rolling) before rolling back. */
  stepTimeoutMs: number;
  /** How long the canary must stay healthy on the new version. */
  canarySoakMs: number;
  /** Errors the canary may add during the soak. */
  canaryMaxErrors: number;
}

export interface RolloutStep {
  /** Epoch ms. */
  at: number;
  state: RolloutState;
  phase: CanaryPhase | null;
  event: string;
  message: string;
  replicas?: string[];
  commandId?: string;
}

export interface Rollout {
  rolloutId: string;
  modelVersion: string;
  modelUri: string;
  manifestSha256: string | null;
  /** The version the replicas ran before (ModelEvent.previousVersion, else the canary's). */
  previousVersion: string | null;
  previousUri: string | null;
  /** Model metrics carried from the PUBLISHED event into PROMOTED. */
  metrics: Record<string, number>;
  trigger: 'event' | 'manual';
  state: RolloutState;
  phase: CanaryPhase | null;
  canaryReplica: string | null;
  commands: { canary: string | null; all: string | null; rollback: string[] };
  /** Replicas waited for in the rolling step. */
  targets: string[];
  /** Replicas seen on the new version after our command (what a rollback must undo). */
  switched: string[];
  /** Each commanded replica's version before the command. */
  priorVersions: Record<string, string | null>;
  baselineErrors: number | null;
  /** When the current step began (timeouts), epoch ms. */
  stepStartedAt: number;
  soakStartedAt: number | null;
  reason: string | null;
  steps: RolloutStep[];
  createdAt: number;
  finishedAt: number | null;
}

export type RolloutEffect =
  | { kind: 'command'; command: ReplicaCommand }
  | { kind: 'event'; type: 'PROMOTED' | 'ROLLED_BACK'; eventId: string; reason: string | null };

export interface Transition {
  rollout: Rollout;
  effects: RolloutEffect[];
}

export interface NewRolloutInput {
  rolloutId: string;
  modelVersion: string;
  modelUri: string;
  manifestSha256: string | null;
  previousVersion?: string | null;
  previousUri?: string | null;
  metrics?: Record<string, number>;
  trigger: 'event' | 'manual';
}

export function newRollout(input: NewRolloutInput, now: number): Rollout {
  return {
    rolloutId: input.rolloutId,
    modelVersion: input.modelVersion,
    modelUri: input.modelUri,
    manifestSha256: input.manifestSha256,
    previousVersion: input.previousVersion ?? null,
    previousUri: input.previousUri ?? null,
    metrics: input.metrics ?? {},
    trigger: input.trigger,
    state: 'pending',
    phase: null,
    canaryReplica: null,
    commands: { canary: null, all: null, rollback: [] },
    targets: [],
    switched: [],
    priorVersions: {},
    baselineErrors: null,
    stepStartedAt: now,
    soakStartedAt: null,
    reason: null,
    steps: [{ at: now, state: 'pending', phase: null, event: 'created', message: `rollout of ${input.modelVersion} created (${input.trigger})` }],
    createdAt: now,
    finishedAt: null,
  };
}

/** A replica that sent a heartbeat within `staleAfterMs` and is not shutting down. */
export function isLive(r: ReplicaView, now: number, staleAfterMs: number): boolean {
  return now - r.lastSeen <= staleAfterMs && r.state !== 'STOPPING';
}

export const isActive = (r: Rollout) => ACTIVE_STATES.includes(r.state);

function clone(r: Rollout): Rollout {
  return JSON.parse(JSON.stringify(r)) as Rollout;
}

function step(r: Rollout, now: number, event: string, message: string, extra: Partial<RolloutStep> = {}): void {
  r.steps.push({ at: now, state: r.state, phase: r.phase, event, message, ...extra });
}

function loadCommand(r: Rollout, commandId: string, replicaId: string, now: number): ReplicaCommand {
  return { commandId, replicaId, type: 'LOAD_MODEL', modelVersion: r.modelVersion, modelUri: r.modelUri, manifestSha256: r.manifestSha256, issuedAt: now };
}

/** A command's failure as reported: an error once the replica is past LOADING, or DEGRADED. */
function commandFailed(rep: ReplicaView, commandIds: readonly (string | null)[]): string | null {
  if (!rep.lastCommandId || !commandIds.includes(rep.lastCommandId)) return null;
  if (rep.state === 'LOADING') return null; // the previous command's error may still be shown while loading
  if (rep.lastError) return rep.lastError;
  if (rep.state === 'DEGRADED') return 'replica is DEGRADED';
  return null;
}

const onVersion = (rep: ReplicaView, version: string) => rep.modelVersion === version && rep.state === 'READY';

/**
 * Ends the rollout: ROLLBACK to every replica that switched, ROLLED_BACK with the reason. Used for
 * every failure and for an operator's forced rollback.
 */
function rollBack(r: Rollout, now: number, reason: string, event = 'failure', forceRolledBack = false): RolloutEffect[] {
  const effects: RolloutEffect[] = [];
  r.reason = reason;
  step(r, now, event, reason);
  for (const replicaId of r.switched) {
    const commandId = `${r.rolloutId}.rollback.${replicaId}`;
    if (r.commands.rollback.includes(commandId)) continue;
    r.commands.rollback.push(commandId);
    effects.push({
      kind: 'command',
      command: { commandId, replicaId, type: 'ROLLBACK', modelVersion: r.priorVersions[replicaId] ?? r.previousVersion ?? '', modelUri: r.previousUri ?? '', manifestSha256: null, issuedAt: now },
    });
  }
  const anySent = forceRolledBack || r.commands.canary !== null || r.commands.all !== null;
  r.state = anySent ? 'rolled_back' : 'failed';
  r.phase = null;
  r.finishedAt = now;
  const undone = r.switched.length ? `ROLLBACK sent to ${r.switched.join(', ')}` : 'no replica had switched';
  step(r, now, anySent ? 'rolled_back' : 'failed', `${undone}; ROLLED_BACK published`, { replicas: [...r.switched] });
  effects.push({ kind: 'event', type: 'ROLLED_BACK', eventId: `${r.rolloutId}.rolled_back`, reason });
  return effects;
}

function complete(r: Rollout, now: number, message: string): RolloutEffect[] {
  r.state = 'completed';
  r.phase = null;
  r.finishedAt = now;
  step(r, now, 'completed', message, { replicas: [...r.targets] });
  return [{ kind: 'event', type: 'PROMOTED', eventId: `${r.rolloutId}.promoted`, reason: null }];
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/**
 * One step of the state machine: looks at the replicas at `now` and moves the rollout on when it
 * can. Returns the rollout unchanged (same content) when there is nothing to do. Terminal
 * rollouts never change.
 */
export function advance(current: Rollout, replicas: readonly ReplicaView[], now: number, policy: RolloutPolicy): Transition {
  if (!isActive(current)) return { rollout: current, effects: [] };
  const r = clone(current);
  const byId = new Map(replicas.map((x) => [x.replicaId, x]));
  const live = replicas.filter((x) => isLive(x, now, policy.staleAfterMs)).sort((a, b) => a.replicaId.localeCompare(b.replicaId));
  const timedOut = now - r.stepStartedAt > policy.stepTimeoutMs;
  const v = r.modelVersion;

  if (r.state === 'pending') {
    if (live.length > 0 && live.every((x) => onVersion(x, v))) {
      r.targets = live.map((x) => x.replicaId);
      return { rollout: r, effects: complete(r, now, `every live replica already serves ${v}`) };
    }
    const canary = live.find((x) => x.state === 'READY' && x.modelVersion !== v);
    if (!canary) {
      if (timedOut) return { rollout: r, effects: rollBack(r, now, live.length === 0 ? `no live replica within ${seconds(policy.stepTimeoutMs)}` : `no READY replica to use as canary within ${seconds(policy.stepTimeoutMs)}`) };
      return { rollout: r, effects: [] };
    }
    const commandId = `${r.rolloutId}.canary`;
    r.state = 'canary';
    r.phase = 'loading';
    r.canaryReplica = canary.replicaId;
    r.commands.canary = commandId;
    r.priorVersions[canary.replicaId] = canary.modelVersion;
    r.previousVersion ??= canary.modelVersion;
    r.stepStartedAt = now;
    step(r, now, 'canary_command', `LOAD_MODEL ${v} sent to canary ${canary.replicaId}`, { replicas: [canary.replicaId], commandId });
    return { rollout: r, effects: [{ kind: 'command', command: loadCommand(r, commandId, canary.replicaId, now) }] };
  }

  if (r.state === 'canary') {
    const id = r.canaryReplica!;
    const c = byId.get(id);
    if (!c || !isLive(c, now, policy.staleAfterMs)) return { rollout: r, effects: rollBack(r, now, `canary ${id} stopped sending heartbeats`) };
    if (r.phase === 'loading') {
      const failed = commandFailed(c, [r.commands.canary]);
      if (failed) return { rollout: r, effects: rollBack(r, now, `canary ${id} failed to load ${v}: ${failed}`) };
      if (c.lastCommandId === r.commands.canary && onVersion(c, v)) {
        r.switched.push(id);
        r.phase = 'soak';
        r.soakStartedAt = now;
        r.baselineErrors = c.errors;
        r.stepStartedAt = now;
        step(r, now, 'canary_ready', `canary ${id} serves ${v}; soaking for ${seconds(policy.canarySoakMs)}`, { replicas: [id] });
        return { rollout: r, effects: [] };
      }
      if (timedOut) return { rollout: r, effects: rollBack(r, now, `canary ${id} did not report ${v} READY within ${seconds(policy.stepTimeoutMs)}`) };
      return { rollout: r, effects: [] };
    }
    // soak
    if (c.state === 'DEGRADED') return { rollout: r, effects: rollBack(r, now, `canary ${id} became DEGRADED during the soak${c.lastError ? `: ${c.lastError}` : ''}`) };
    if (c.lastError && c.state !== 'LOADING') return { rollout: r, effects: rollBack(r, now, `canary ${id} reported an error during the soak: ${c.lastError}`) };
    if (c.modelVersion !== v) return { rollout: r, effects: rollBack(r, now, `canary ${id} no longer serves ${v} (now ${c.modelVersion ?? 'none'})`) };
    const added = c.errors - (r.baselineErrors ?? c.errors);
    if (added > policy.canaryMaxErrors) return { rollout: r, effects: rollBack(r, now, `canary ${id} logged ${added} errors during the soak (at most ${policy.canaryMaxErrors} allowed)`) };
    if (c.state !== 'READY') return { rollout: r, effects: [] };
    if (now - (r.soakStartedAt ?? now) < policy.canarySoakMs) return { rollout: r, effects: [] };
    const commandId = `${r.rolloutId}.all`;
    r.state = 'rolling';
    r.phase = null;
    r.commands.all = commandId;
    r.targets = live.map((x) => x.replicaId);
    for (const x of live) if (!(x.replicaId in r.priorVersions)) r.priorVersions[x.replicaId] = x.modelVersion;
    r.stepStartedAt = now;
    step(r, now, 'rolling_command', `soak passed; LOAD_MODEL ${v} sent to * (waiting for ${r.targets.length} replica(s))`, { replicas: [...r.targets], commandId });
    return { rollout: r, effects: [{ kind: 'command', command: loadCommand(r, commandId, '*', now) }] };
  }

  // rolling
  const ours = [r.commands.canary, r.commands.all];
  for (const id of [...r.targets]) {
    const rep = byId.get(id);
    if (!rep || !isLive(rep, now, policy.staleAfterMs)) {
      r.targets = r.targets.filter((t) => t !== id);
      step(r, now, 'replica_gone', `replica ${id} stopped sending heartbeats; no longer waited for`, { replicas: [id] });
      continue;
    }
    const failed = commandFailed(rep, ours);
    if (failed) return { rollout: r, effects: rollBack(r, now, `replica ${id} failed to load ${v}: ${failed}`) };
    if (onVersion(rep, v) && r.priorVersions[id] !== v && !r.switched.includes(id)) {
      r.switched.push(id);
      step(r, now, 'replica_switched', `replica ${id} serves ${v}`, { replicas: [id] });
    }
  }
  if (r.targets.length === 0) return { rollout: r, effects: rollBack(r, now, 'every replica stopped sending heartbeats during the rollout') };
  if (r.targets.every((id) => onVersion(byId.get(id)!, v))) return { rollout: r, effects: complete(r, now, `all ${r.targets.length} replica(s) serve ${v}`) };
  if (timedOut) {
    const waiting = r.targets.filter((id) => !onVersion(byId.get(id)!, v));
    return { rollout: r, effects: rollBack(r, now, `replica(s) ${waiting.join(', ')} did not report ${v} READY within ${seconds(policy.stepTimeoutMs)}`) };
  }
  return { rollout: r, effects: [] };
}

/**
 * An operator's rollback: an active rollout is stopped and undone; a completed one is undone
 * (ROLLBACK to every replica that switched). Throws ROLLOUT_FINISHED (409 CONFLICT) for a rollout that is
 * already rolled back or failed.
 */
export function forceRollback(current: Rollout, now: number, reason: string): Transition {
  if (current.state === 'rolled_back' || current.state === 'failed') throw errors.create('ROLLOUT_FINISHED', { rolloutId: current.rolloutId, state: current.state });
  const r = clone(current);
  return { rollout: r, effects: rollBack(r, now, reason, 'forced_rollback', current.state === 'completed') };
}

/** A rollout's row-level fields and the JSON detail stored beside them. */
export function rolloutDetail(r: Rollout): Omit<Rollout, 'rolloutId' | 'modelVersion' | 'previousVersion' | 'state' | 'canaryReplica' | 'createdAt' | 'finishedAt'> {
  const { rolloutId: _a, modelVersion: _b, previousVersion: _c, state: _d, canaryReplica: _e, createdAt: _f, finishedAt: _g, ...detail } = r;
  return detail;
}

/**
 * Replicas that run another version than the desired one (the last completed rollout's), e.g. a
 * replica restarted with its bundled model: each gets a LOAD_MODEL of the desired version, at most
 * once per `stepTimeoutMs` window (the command id carries the window).
 */
export function reconcileCommands(desired: { modelVersion: string; modelUri: string; manifestSha256: string | null } | null, replicas: readonly ReplicaView[], now: number, policy: RolloutPolicy): ReplicaCommand[] {
  if (!desired) return [];
  const window = Math.floor(now / Math.max(1, policy.stepTimeoutMs));
  const out: ReplicaCommand[] = [];
  for (const rep of replicas) {
    if (!isLive(rep, now, policy.staleAfterMs) || rep.state === 'LOADING' || rep.modelVersion === desired.modelVersion) continue;
    const commandId = `reconcile.${desired.modelVersion}.${rep.replicaId}.${window}`;
    if (rep.lastCommandId === commandId) continue;
    out.push({ commandId, replicaId: rep.replicaId, type: 'LOAD_MODEL', modelVersion: desired.modelVersion, modelUri: desired.modelUri, manifestSha256: desired.manifestSha256, issuedAt: now });
  }
  return out;
}

/** The ModelEvent an event effect announces (PROMOTED / ROLLED_BACK of the rollout's version). */
export function modelEventOf(r: Rollout, e: Extract<RolloutEffect, { kind: 'event' }>, now: number): ModelEvent {
  return {
    eventId: e.eventId,
    type: e.type,
    modelVersion: r.modelVersion,
    previousVersion: r.previousVersion,
    modelUri: r.modelUri,
    manifestSha256: r.manifestSha256 ?? '',
    metrics: r.metrics,
    reason: e.reason,
    at: now,
  };
}
