// The automatic triggers around TrainingRuns: the backlog threshold (checked after every batch of
// corrections and on a timer) and the cron schedule. A trigger that loses the race for the one
// active run (here or on another replica) is silently dropped: the next check tries again.
import { errorMessage, PlatformError } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { backlogDecision, scheduleDecision, type RunTrigger } from '../domain/triggers';
import type { ExampleRepository, RunRepository } from './ports';
import type { TrainingRuns } from './trainingRuns';

/** A running cron schedule (adapters/cron.ts over node-cron). */
export interface Schedule {
  stop(): void;
}
export type ScheduleFactory = (expression: string, tick: () => Promise<void>) => Schedule;

export interface TriggerDeps {
  runs: TrainingRuns;
  runRepo: RunRepository;
  examples: ExampleRepository;
  logger: Logger;
  backlogThreshold: number;
  /** Timer for the backlog check (0 = only after corrections arrive). */
  backlogCheckMs: number;
  cron: string | null;
  schedule: ScheduleFactory;
  onBacklog?: (n: number) => void;
}

export class Triggers {
  private timer: NodeJS.Timeout | undefined;
  private cronTask: Schedule | undefined;
  private checking: Promise<RunTrigger | null> | undefined;
  private stopped = false;

  constructor(private readonly deps: TriggerDeps) {}

  start(): void {
    if (this.deps.cron) this.cronTask = this.deps.schedule(this.deps.cron, async () => void (await this.check('schedule')));
    if (this.deps.backlogCheckMs > 0 && this.deps.backlogThreshold > 0) {
      this.timer = setInterval(() => void this.check('backlog'), this.deps.backlogCheckMs);
      this.timer.unref?.();
    }
  }

  /** Checks one trigger now; returns the trigger that started a run, or null. Never throws. Checks do not overlap. */
  check(kind: 'backlog' | 'schedule'): Promise<RunTrigger | null> {
    if (this.stopped || (kind === 'backlog' && this.deps.backlogThreshold <= 0)) return Promise.resolve(null);
    if (this.checking) return this.checking.then(() => (this.stopped ? null : this.check(kind)));
    this.checking = this.checkOnce(kind).finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkOnce(kind: 'backlog' | 'schedule'): Promise<RunTrigger | null> {
    try {
      const [backlog, active] = await Promise.all([this.deps.examples.backlog(), this.deps.runRepo.active()]);
      this.deps.onBacklog?.(backlog);
      const runActive = active !== null || this.deps.runs.inFlight !== undefined;
      const d = kind === 'backlog' ? backlogDecision({ backlog, threshold: this.deps.backlogThreshold, runActive }) : scheduleDecision({ backlog, runActive });
      if (!d.start) {
        if (kind === 'schedule') this.deps.logger.info({ reason: d.reason }, 'scheduled run skipped');
        return null;
      }
      await this.deps.runs.start(d.trigger);
      return d.trigger;
    } catch (err) {
      if (err instanceof PlatformError && err.code === 'CONFLICT') {
        this.deps.logger.info({ trigger: kind, reason: err.message }, 'trigger did not start a run');
      } else {
        this.deps.logger.error({ trigger: kind, err: errorMessage(err) }, 'trigger check failed');
      }
      return null;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.cronTask?.stop();
    await this.checking?.catch(() => undefined);
  }
}
