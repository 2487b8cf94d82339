// When a fine-tuning run starts: on a cron schedule, when enough unused corrections wait
// (the backlog), or by hand. Exactly one run at a time.
import { validateDetailed } from 'node-cron';

export type RunTrigger = 'schedule' | 'backlog' | 'manual';

/** The schedule setting: off, or a valid cron expression. */
export type CronSetting = { enabled: false } | { enabled: true; expression: string };

/**
 * Reads TRAIN_CRON: empty or "off" = no schedule; otherwise a cron expression with 5 fields
 * (minute hour day-of-month month day-of-week) or 6 (seconds first). Returns a problem text for an
 * invalid expression (naming the bad field) instead of throwing, so config loading can list it.
 */
export function parseCronSetting(raw: string): CronSetting | { problem: string } {
  const expr = raw.trim();
  if (expr === '' || expr.toLowerCase() === 'off') return { enabled: false };
  const fields = expr.split(/\s+/).length;
  if (fields < 5 || fields > 6) return { problem: `cron expression ${JSON.stringify(expr)} has ${fields} field(s); expected 5 (min hour dom month dow) or 6 (sec first)` };
  const v = validateDetailed(expr);
  if (!v.valid) {
    const why = v.errors.map((e) => `${e.field}${e.value !== undefined ? ` ${JSON.stringify(e.value)}` : ''}: ${e.message}`).join('; ');
    return { problem: `invalid cron expression ${JSON.stringify(expr)}: ${why || 'not understood'}` };
  }
  return { enabled: true, expression: expr };
}

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
