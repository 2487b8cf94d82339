import { backlogDecision, parseCronSetting, scheduleDecision } from './triggers';

describe('parseCronSetting', () => {
  it('treats empty and "off" as no schedule', () => {
    expect(parseCronSetting('')).toEqual({ enabled: false });
    expect(parseCronSetting('  ')).toEqual({ enabled: false });
    expect(parseCronSetting('off')).toEqual({ enabled: false });
  });

  it('accepts 5- and 6-field expressions', () => {
    expect(parseCronSetting('0 3 * * *')).toEqual({ enabled: true, expression: '0 3 * * *' });
    expect(parseCronSetting(' */30 * * * * * ')).toEqual({ enabled: true, expression: '*/30 * * * * *' });
    expect(parseCronSetting('0 2 * * 1-5')).toMatchObject({ enabled: true });
  });

  it('explains invalid expressions', () => {
    expect(parseCronSetting('daily')).toMatchObject({ problem: expect.stringMatching(/1 field/) });
    expect(parseCronSetting('0 25 * * *')).toMatchObject({ problem: expect.stringMatching(/invalid cron expression/) });
    expect(parseCronSetting('61 * * * *')).toHaveProperty('problem');
  });
});

describe('backlogDecision', () => {
  it('starts at the threshold, not below', () => {
    expect(backlogDecision({ backlog: 199, threshold: 200, runActive: false })).toMatchObject({ start: false, reason: 'backlog 199 < threshold 200' });
    expect(backlogDecision({ backlog: 200, threshold: 200, runActive: false })).toEqual({ start: true, trigger: 'backlog' });
  });
  it('never starts while a run is active or when off', () => {
    expect(backlogDecision({ backlog: 1000, threshold: 200, runActive: true })).toMatchObject({ start: false });
    expect(backlogDecision({ backlog: 1000, threshold: 0, runActive: false })).toMatchObject({ start: false, reason: 'backlog trigger off' });
  });
});

describe('scheduleDecision', () => {
  it('starts when anything is new and nothing runs', () => {
    expect(scheduleDecision({ backlog: 1, runActive: false })).toEqual({ start: true, trigger: 'schedule' });
    expect(scheduleDecision({ backlog: 0, runActive: false })).toMatchObject({ start: false });
    expect(scheduleDecision({ backlog: 5, runActive: true })).toMatchObject({ start: false });
  });
});
