import { ConfigError } from './errors';
import { describeConfig, env, loadConfig, parseDurationMs } from './config';

const spec = {
  brokers: env.list('KAFKA_BROKERS', { default: ['127.0.0.1:19092'], doc: 'bootstrap servers' }),
  batch: env.int('BATCH_MAX', { default: 32, min: 1, max: 1024 }),
  wait: env.durationMs('MAX_WAIT', { default: '5ms' }),
  precision: env.oneOf('MODEL_PRECISION', ['int8', 'fp32'] as const, { default: 'int8' }),
  db: env.url('DATABASE_URL', { protocols: ['postgres', 'postgresql'] }),
  cache: env.bool('CACHE', { default: true }),
  redis: env.optional(env.url('REDIS_URL')),
};

describe('loadConfig', () => {
  it('applies defaults and converts units', () => {
    const cfg = loadConfig(spec, { DATABASE_URL: 'postgres://u:p@h:5432/db', MAX_WAIT: '2s' });
    expect(cfg).toEqual({ brokers: ['127.0.0.1:19092'], batch: 32, wait: 2000, precision: 'int8', db: 'postgres://u:p@h:5432/db', cache: true, redis: undefined });
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('lists every bad variable with its value and the rule', () => {
    let err: unknown;
    try {
      loadConfig(spec, { BATCH_MAX: '0', MAX_WAIT: 'soon', MODEL_PRECISION: 'fp16', CACHE: 'maybe', DATABASE_URL: 'http://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toEqual([
      'BATCH_MAX="0": must be >= 1',
      'MAX_WAIT="soon": must be a duration like 250ms, 5s, 2m, 1h',
      'MODEL_PRECISION="fp16": must be one of int8, fp32',
      'DATABASE_URL="http://x": protocol must be one of postgres, postgresql',
      'CACHE="maybe": must be true/false (also 1/0, yes/no, on/off)',
    ]);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
  });

  it('names a missing required variable', () => {
    expect(() => loadConfig(spec, {})).toThrow(/DATABASE_URL is required/);
  });

  it('rejects a non-integer', () => {
    expect(() => loadConfig(spec, { DATABASE_URL: 'postgres://h/d', BATCH_MAX: '3.5' })).toThrow(/BATCH_MAX="3.5": must be an integer/);
  });

  it('parses durations', () => {
    expect([parseDurationMs('250ms'), parseDurationMs('1.5s'), parseDurationMs('2m'), parseDurationMs('7'), parseDurationMs('x')]).toEqual([250, 1500, 120000, 7, undefined]);
  });

  it('documents itself without leaking credentials', () => {
    const md = describeConfig({ db: env.url('DATABASE_URL', { default: 'postgres://ner:secret@h/db' }) });
    expect(md).toContain('`DATABASE_URL`');
    expect(md).not.toContain('secret');
  });
});
