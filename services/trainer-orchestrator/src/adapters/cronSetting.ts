// TRAIN_CRON parsing with node-cron's own validator (an adapter: the domain's trigger rules stay
// free of the scheduler library).
import { validateDetailed } from 'node-cron';

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
