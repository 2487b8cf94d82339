import { parseCronSetting } from './cronSetting';

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
