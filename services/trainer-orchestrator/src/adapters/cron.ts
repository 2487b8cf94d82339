// The cron schedule on node-cron (overlapping ticks are skipped: one run at a time anyway).
import { schedule as cronSchedule } from 'node-cron';
import type { Schedule, ScheduleFactory } from '../app/triggers';

export const nodeCronSchedule: ScheduleFactory = (expression, tick): Schedule => {
  const task = cronSchedule(expression, () => tick(), { name: 'trainer-orchestrator.train', noOverlap: true });
  return {
    stop: () => {
      void task.destroy();
    },
  };
};
