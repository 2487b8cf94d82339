// When a fine-tuning run starts: on a cron schedule, when enough unused corrections wait
// (the backlog), or by hand. Exactly one run at a time.
export type RunTrigger = 'schedule' | 'backlog' | 'manual';

export interface TriggerState {
  /** Unused, active training-split corrections (never part of any run). */
  backlog: number;
  /** TRAIN_BACKLOG_THRESHOLD; 0 = the backlog trigger is off. */
  threshold: number;
  /** A run is queued or running. */
  runActive: boolean;
}

export type TriggerDecision = { start: true; trigger: RunTrigger } | { start: false; reason: string };

/** The backlog trigger: start when at least `threshold` unused corrections wait and nothing runs. */
export function backlogDecision(s: TriggerState): TriggerDecision {
  if (s.threshold <= 0) return { start: false, reason: 'backlog trigger off' };
  if (s.runActive) return { start: false, reason: 'a run is active' };
  if (s.backlog < s.threshold) return { start: false, reason: `backlog ${s.backlog} < threshold ${s.threshold}` };
  return { start: true, trigger: 'backlog' };
}

/** The schedule trigger: a tick starts a run only when there is something new to learn. */
export function scheduleDecision(s: Omit<TriggerState, 'threshold'>): TriggerDecision {
  if (s.runActive) return { start: false, reason: 'a run is active' };
  if (s.backlog === 0) return { start: false, reason: 'no unused corrections' };
  return { start: true, trigger: 'schedule' };
}
