// Prometheus series of the reloader. Replica and rollout gauges are computed when scraped.
import { errorMessage } from '@zhner/core';
import { Counter, Gauge, Histogram, type Logger, type Registry } from '@zhner/kit';
import { isLive, type Rollout, type Transition } from '../domain/rollout';
import type { EngineObserver } from '../app/rolloutEngine';
import type { ReplicaRepository, RolloutRepository } from '../app/ports';

const ROLLOUT_STATES = ['pending', 'canary', 'rolling', 'completed', 'rolled_back', 'failed'];

export function createReloaderMetrics(registry: Registry, src: { replicas: ReplicaRepository; rollouts: RolloutRepository; staleAfterMs: number; now: () => number; logger: Logger }): EngineObserver {
  const safe = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      src.logger.warn({ err: errorMessage(err) }, 'metric collection failed');
    }
  };
  new Gauge({
    name: 'zhner_reloader_replicas',
    help: 'Tagger replicas as last heard from, by state and liveness',
    labelNames: ['state', 'live'],
    registers: [registry],
    async collect() {
      await safe(async () => {
        this.reset();
        const now = src.now();
        for (const r of await src.replicas.list()) this.inc({ state: r.state, live: String(isLive(r, now, src.staleAfterMs)) });
      });
    },
  });
  new Gauge({
    name: 'zhner_reloader_replicas_by_version',
    help: 'Live tagger replicas by model version',
    labelNames: ['model_version'],
    registers: [registry],
    async collect() {
      await safe(async () => {
        this.reset();
        const now = src.now();
        for (const r of await src.replicas.list()) if (isLive(r, now, src.staleAfterMs)) this.inc({ model_version: r.modelVersion ?? 'none' });
      });
    },
  });
  new Gauge({
    name: 'zhner_reloader_rollouts',
    help: 'Rollouts by state (from the rollouts table)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      await safe(async () => {
        const counts = await src.rollouts.countsByState();
        for (const s of ROLLOUT_STATES) this.set({ state: s }, counts[s] ?? 0);
      });
    },
  });
  const finished = new Counter({ name: 'zhner_reloader_rollouts_finished_total', help: 'Rollouts that ended, by outcome', labelNames: ['outcome'], registers: [registry] });
  const duration = new Histogram({
    name: 'zhner_reloader_rollout_duration_seconds',
    help: 'From creation to the end of a rollout, by outcome',
    labelNames: ['outcome'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const commands = new Counter({ name: 'zhner_reloader_commands_total', help: 'Replica commands queued, by type', labelNames: ['type'], registers: [registry] });
  const heartbeats = new Counter({ name: 'zhner_reloader_heartbeats_total', help: 'Replica heartbeats consumed', registers: [registry] });
  return {
    transition(before: Rollout, t: Transition) {
      for (const e of t.effects) if (e.kind === 'command') commands.inc({ type: e.command.type });
      const r = t.rollout;
      if (before.finishedAt === null && r.finishedAt !== null) {
        finished.inc({ outcome: r.state });
        duration.observe({ outcome: r.state }, (r.finishedAt - r.createdAt) / 1000);
      }
    },
    heartbeats: (n) => heartbeats.inc(n),
  };
}
