// Drives rollouts: on a timer and whenever heartbeats arrive, the active rollout is advanced one
// step (domain/rollout.ts) inside a transaction that also writes its commands and events to the
// outbox, so a transition is persisted if and only if what it sends is queued. Starting a rollout
// (PUBLISHED event or operator) and forcing a rollback go through here too.
import { randomUUID } from 'node:crypto';
import type { Envelope } from '@zhner/bus';
import type { ModelEvent, ReplicaHeartbeat } from '@zhner/contracts';
import { errorMessage } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { advance, forceRollback, isActive, newRollout, reconcileCommands, type Rollout, type RolloutPolicy, type Transition } from '../domain/rollout';
import { errors } from '../errors';
import type { Clock, ReplicaRepository, RolloutRepository } from './ports';

/** What the metrics adapter records. */
export interface EngineObserver {
  transition(before: Rollout, after: Transition): void;
  heartbeats(n: number): void;
}

export interface EngineDeps {
  rollouts: RolloutRepository;
  replicas: ReplicaRepository;
  clock: Clock;
  policy: RolloutPolicy;
  logger: Logger;
  /** Start a rollout on PUBLISHED (AUTO_ROLLOUT). */
  autoRollout: boolean;
  /** Re-issue the desired version to replicas that run another one (when no rollout is active). */
  reconcile: boolean;
  /** Called after something was written to the outbox (e.g. flush the relay now). */
  onOutbox?: () => void;
  observer?: EngineObserver;
}

export interface StartRolloutRequest {
  modelVersion: string;
  modelUri: string;
  manifestSha256: string | null;
  previousVersion?: string | null;
  previousUri?: string | null;
  metrics?: Record<string, number>;
}

export class RolloutEngine {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: EngineDeps) {}

  /** Ticks every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref?.();
    void this.tick();
  }

  /**
   * Advances the active rollout (or reconciles replicas when none is active). Ticks never overlap:
   * a tick requested while one runs makes it run once more. Never throws.
   */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      do {
        this.again = false;
        try {
          await this.tickOnce();
        } catch (err) {
          this.deps.logger.error({ err: errorMessage(err) }, 'rollout tick failed');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    const { rollouts, clock, policy } = this.deps;
    let before: Rollout | undefined;
    const t = await rollouts.driveActive((rollout, replicas) => {
      before = rollout;
      return advance(rollout, replicas, clock.now(), policy);
    });
    if (t) {
      this.report(before!, t);
      return;
    }
    if (!this.deps.reconcile) return;
    // null also means "another reloader holds the active rollout": never reconcile beside a rollout
    const counts = await rollouts.countsByState();
    if ((counts.pending ?? 0) + (counts.canary ?? 0) + (counts.rolling ?? 0) > 0) return;
    const desired = await rollouts.lastCompleted();
    if (!desired) return;
    const cmds = reconcileCommands(desired, await this.deps.replicas.list(), clock.now(), policy).filter((c) => !this.reconciled.has(c.commandId));
    if (cmds.length === 0) return;
    for (const c of cmds) this.reconciled.add(c.commandId);
    if (this.reconciled.size > 10_000) this.reconciled.clear();
    await rollouts.enqueueCommands(cmds);
    this.deps.logger.info({ version: desired.modelVersion, replicas: cmds.map((c) => c.replicaId) }, 'reconciling replicas to the current version');
    this.deps.onOutbox?.();
  }

  private readonly reconciled = new Set<string>();

  private report(before: Rollout, t: Transition): void {
    const r = t.rollout;
    if (before.state !== r.state || before.phase !== r.phase || t.effects.length > 0) {
      const last = r.steps.at(-1);
      this.deps.logger.info({ rolloutId: r.rolloutId, version: r.modelVersion, state: r.state, phase: r.phase, step: last?.event, message: last?.message }, 'rollout transition');
    }
    this.deps.observer?.transition(before, t);
    if (t.effects.length > 0) this.deps.onOutbox?.();
  }

  /**
   * Starts a rollout. `exclusive` (operators): refused with ROLLOUT_CONFLICT (409) while another
   * rollout is pending or active. From an event: queued behind the active one. Idempotent on id.
   */
  async startRollout(req: StartRolloutRequest, opts: { rolloutId?: string; trigger: 'event' | 'manual' }): Promise<Rollout> {
    const rollout = newRollout({ ...req, rolloutId: opts.rolloutId ?? `ro-${randomUUID()}`, trigger: opts.trigger }, this.deps.clock.now());
    const res = await this.deps.rollouts.insert(rollout, { exclusive: opts.trigger === 'manual' });
    if (res.result === 'conflict') throw errors.create('ROLLOUT_CONFLICT', { activeRolloutId: res.active.rolloutId, modelVersion: res.active.modelVersion, state: res.active.state });
    if (res.result === 'inserted') this.deps.logger.info({ rolloutId: rollout.rolloutId, version: rollout.modelVersion, trigger: opts.trigger }, 'rollout created');
    void this.tick();
    return res.rollout;
  }

  /** Forces a rollback of an active or completed rollout. Throws NOT_FOUND / CONFLICT. */
  async rollback(rolloutId: string, reason: string): Promise<Rollout> {
    let before: Rollout | undefined;
    let stateError: unknown;
    const t = await this.deps.rollouts.drive(rolloutId, (r) => {
      before = r;
      try {
        return forceRollback(r, this.deps.clock.now(), reason);
      } catch (err) {
        if (!errors.is(err, 'ROLLOUT_FINISHED')) throw err;
        stateError = err;
        return { rollout: r, effects: [] };
      }
    });
    if (!t) throw errors.create('ROLLOUT_NOT_FOUND', { rolloutId });
    if (stateError) throw stateError;
    this.report(before!, t);
    void this.tick();
    return t.rollout;
  }

  /** Model-events handler: PUBLISHED starts (queues) a rollout when AUTO_ROLLOUT is on. */
  async onModelEvents(batch: Envelope<ModelEvent>[]): Promise<void> {
    for (const { value: ev } of batch) {
      if (ev.type !== 'PUBLISHED' || !this.deps.autoRollout) continue;
      await this.startRollout(
        { modelVersion: ev.modelVersion, modelUri: ev.modelUri, manifestSha256: ev.manifestSha256 || null, previousVersion: ev.previousVersion, metrics: ev.metrics },
        { rolloutId: `ro-${ev.eventId}`, trigger: 'event' },
      );
    }
  }

  /** Heartbeats handler: record, then let the active rollout look at them. */
  async onHeartbeats(batch: Envelope<ReplicaHeartbeat>[]): Promise<void> {
    await this.deps.replicas.record(batch.map((e) => e.value));
    this.deps.observer?.heartbeats(batch.length);
    void this.tick();
  }

  /** Stops ticking after the tick in flight. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }

  /** Whether the rollout is still moving (for callers that poll). */
  static isActive(r: Rollout): boolean {
    return isActive(r);
  }
}
