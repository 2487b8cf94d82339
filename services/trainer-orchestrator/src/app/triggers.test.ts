import { createLogger } from '@zhner/kit';
import { errors } from '../errors';
import type { ExampleRepository, RunRepository } from './ports';
import type { TrainingRuns } from './trainingRuns';
import { Triggers, type ScheduleFactory } from './triggers';

const logger = createLogger('test', { level: 'silent' });

function setup(opts: { backlog: number; active?: boolean; threshold?: number; startThrows?: unknown }) {
  const started: string[] = [];
  let backlog = opts.backlog;
  const runs = {
    inFlight: undefined,
    start: async (trigger: string) => {
      if (opts.startThrows) throw opts.startThrows;
      started.push(trigger);
      return {} as never;
    },
  } as unknown as TrainingRuns;
  const runRepo = { active: async () => (opts.active ? ({ runId: 'r1' } as never) : null) } as unknown as RunRepository;
  const examples = { backlog: async () => backlog } as unknown as ExampleRepository;
  let tick: (() => Promise<void>) | undefined;
  const schedule: ScheduleFactory = (_expr, fn) => {
    tick = fn;
    return { stop: () => (tick = undefined) };
  };
  const triggers = new Triggers({ runs, runRepo, examples, logger, backlogThreshold: opts.threshold ?? 10, backlogCheckMs: 0, cron: '0 3 * * *', schedule });
  triggers.start();
  return { triggers, started, setBacklog: (n: number) => (backlog = n), tick: () => tick!() };
}

describe('Triggers', () => {
  it('starts a backlog run once the threshold is reached', async () => {
    const t = setup({ backlog: 9 });
    expect(await t.triggers.check('backlog')).toBeNull();
    t.setBacklog(10);
    expect(await t.triggers.check('backlog')).toBe('backlog');
    expect(t.started).toEqual(['backlog']);
  });

  it('does not start while a run is active (any replica)', async () => {
    const t = setup({ backlog: 100, active: true });
    expect(await t.triggers.check('backlog')).toBeNull();
    await t.tick();
    expect(t.started).toEqual([]);
  });

  it('a cron tick starts a scheduled run only when something is new', async () => {
    const t = setup({ backlog: 0 });
    await t.tick();
    expect(t.started).toEqual([]);
    t.setBacklog(1);
    await t.tick();
    expect(t.started).toEqual(['schedule']);
  });

  it('swallows a lost race for the one active run', async () => {
    const t = setup({ backlog: 50, startThrows: errors.create('RUN_IN_PROGRESS', { activeRunId: 'other', reason: 'run_in_progress' }) });
    expect(await t.triggers.check('backlog')).toBeNull();
  });

  it('stops the schedule and further checks', async () => {
    const t = setup({ backlog: 50 });
    await t.triggers.stop();
    expect(await t.triggers.check('backlog')).toBeNull();
    expect(t.started).toEqual([]);
  });
});
