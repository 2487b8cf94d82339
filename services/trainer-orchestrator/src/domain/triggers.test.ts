import { backlogDecision, scheduleDecision } from './triggers';

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
