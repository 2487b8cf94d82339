import { createLogger } from '@zhner/kit';
import { FakeEngine, FakeLoader, POISON_MARKER } from '../testing/fakeEngine';
import { errors } from '../errors';
import { DynamicBatcher, type ModelSource } from './batcher';
import { ModelManager } from './modelManager';
import { noMetrics } from './ports';

const logger = createLogger('test', { level: 'silent' });

/** A model source over one engine, counting leases. */
function source(engine: FakeEngine): ModelSource & { leases: number; current: FakeEngine | undefined } {
  const s = {
    leases: 0,
    current: engine as FakeEngine | undefined,
    get engine() {
      return s.current;
    },
    acquire() {
      if (!s.current) return undefined;
      s.leases++;
      const e = s.current;
      return { engine: e, release: () => void s.leases-- };
    },
  };
  return s;
}

const opts = { maxBatchSize: 4, maxWaitMs: 20, maxTokensPerBatch: 10_000, maxInflightBatches: 1 };

describe('DynamicBatcher', () => {
  it('runs a full batch at once, without waiting for max-wait', async () => {
    const engine = new FakeEngine();
    const b = new DynamicBatcher(source(engine), { ...opts, maxWaitMs: 10_000 }, noMetrics);
    const t0 = performance.now();
    const out = await Promise.all(['北京', '上海', '李鹏', '国务院'].map((t) => b.submit(t)));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(engine.runs).toEqual([4]);
    expect(out.map((r) => r.prediction.entities[0].type)).toEqual(['LOC', 'LOC', 'PER', 'ORG']);
    expect(out.every((r) => r.modelVersion === 'fake-v1')).toBe(true);
  });

  it('runs a partial batch after max-wait', async () => {
    const engine = new FakeEngine();
    const b = new DynamicBatcher(source(engine), { ...opts, maxWaitMs: 30 }, noMetrics);
    const t0 = performance.now();
    const [r] = await Promise.all([b.submit('北京'), b.submit('x')]);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(25);
    expect(engine.runs).toEqual([2]);
    expect(r.queueMs).toBeGreaterThanOrEqual(25);
  });

  it('without batching (size 1) runs one model call per document', async () => {
    const engine = new FakeEngine();
    const b = new DynamicBatcher(source(engine), { ...opts, maxBatchSize: 1, maxWaitMs: 0 }, noMetrics);
    await Promise.all(['a', 'b', 'c'].map((t) => b.submit(t)));
    expect(engine.runs).toEqual([1, 1, 1]);
  });

  it('splits a long text on sentence punctuation and puts the offsets back', async () => {
    const engine = new FakeEngine({ maxLength: 10 });
    const b = new DynamicBatcher(source(engine), { ...opts, maxBatchSize: 64, maxWaitMs: 0 }, noMetrics);
    const text = '北京今天下雪了。😀李鹏在上海开会！国务院发布通知；新华社北京电\n' + '很长的没有标点的句子'.repeat(3);
    const r = await b.submit(text);
    expect(engine.seen.length).toBeGreaterThan(3);
    expect(engine.seen.every((s) => Array.from(s).length <= 10)).toBe(true);
    const pieces = engine.plan(text).segments.map((s) => s.text);
    expect(pieces.join('')).toBe(text); // never truncated
    expect([...engine.seen].sort()).toEqual([...pieces].sort());
    expect(r.prediction.entities).toEqual(new FakeEngine({ maxLength: 1e6 }).predictOne(text).entities);
    for (const e of r.prediction.entities) expect(text.slice(e.start, e.end)).toBe(e.text);
  });

  it('counts a batch once for a text split into several of its segments: inferenceMs never exceeds the wall time', async () => {
    const engine = new FakeEngine({ maxLength: 10, delayMs: 40 });
    const b = new DynamicBatcher(source(engine), { ...opts, maxBatchSize: 64, maxWaitMs: 0 }, noMetrics);
    const text = '北京今天下雪了。李鹏在上海开会！国务院发布通知；新华社北京电。' + '很长的没有标点的句子'.repeat(4);
    const t0 = performance.now();
    const r = await b.submit(text);
    const wall = performance.now() - t0;
    expect(engine.runs).toEqual([engine.seen.length]); // one batch carried every segment
    expect(engine.seen.length).toBeGreaterThan(3);
    expect(r.inferenceMs).toBeGreaterThanOrEqual(35);
    expect(r.queueMs + r.inferenceMs).toBeLessThanOrEqual(wall + 1);
  });

  it('buckets a backlog by length and caps padded tokens', async () => {
    const engine = new FakeEngine({ maxLength: 200 });
    const b = new DynamicBatcher(source(engine), { maxBatchSize: 4, maxWaitMs: 0, maxTokensPerBatch: 200, maxInflightBatches: 1 }, noMetrics);
    const texts = Array.from({ length: 16 }, (_, i) => (i % 2 ? '长'.repeat(50) : '短'));
    await Promise.all(texts.map((t) => b.submit(t)));
    const lens = engine.seen.map((s) => s.length);
    // the first flush runs alone ('短'); afterwards the backlog is bucketed: short with short, long with long
    expect(engine.runs.reduce((a, x) => a + x, 0)).toBe(16);
    let i = 0;
    for (const n of engine.runs) {
      const batch = lens.slice(i, i + n);
      i += n;
      expect(new Set(batch).size).toBe(1);
      expect(n * Math.max(...batch)).toBeLessThanOrEqual(200);
    }
  });

  it('alternates the lanes batch by batch: a large HTTP request already planned does not hold a Kafka document back', async () => {
    const engine = new FakeEngine({ delayMs: 20 });
    const b = new DynamicBatcher(source(engine), { ...opts, maxWaitMs: 0 }, noMetrics);
    // run 0 takes the first HTTP document; the other 23 are then planned as one window of 6 batches
    const http = Array.from({ length: 24 }, (_, i) => b.submit(`请求${i}`, 'http'));
    await new Promise((r) => setTimeout(r, 30)); // run 1 (HTTP) is running, 5 HTTP batches are planned
    const kafka = [b.submit('消息0', 'kafka')];
    await Promise.all([...http, ...kafka]);
    const runs: string[][] = [];
    let at = 0;
    for (const n of engine.runs) runs.push(engine.seen.slice(at, (at += n)));
    const kafkaRun = runs.findIndex((r) => r.includes('消息0'));
    // first in line after the HTTP batch in flight (FIFO would be after all six HTTP batches: run 7)
    expect(kafkaRun).toBeGreaterThanOrEqual(2);
    expect(kafkaRun).toBeLessThanOrEqual(3);
    expect(runs[kafkaRun]).toEqual(['消息0']); // lanes are batched apart
    expect(runs.flat().filter((t) => t.startsWith('请求'))).toHaveLength(24);
  });

  it('shares model time by tokens under a backlog on both lanes (deficit round robin)', async () => {
    const engine = new FakeEngine({ delayMs: 2 });
    const b = new DynamicBatcher(source(engine), { ...opts, maxWaitMs: 60_000, windowBatches: 2 }, noMetrics);
    // HTTP: 32 texts of 3 characters; Kafka: 8 of 12, the same total; batch by batch alternation would give Kafka 4× the time until Kafka runs dry
    const all = [...Array.from({ length: 32 }, (_, i) => b.submit(`请${String(i).padStart(2, '0')}`, 'http')), ...Array.from({ length: 8 }, (_, i) => b.submit(`消息${'长'.repeat(9)}${i}`, 'kafka'))];
    await b.close();
    await Promise.all(all);
    let at = 0;
    const served = { h: 0, k: 0 };
    let httpWhenKafkaDone = -1;
    for (const n of engine.runs) {
      const batch = engine.seen.slice(at, (at += n));
      expect(new Set(batch.map((t) => t[0])).size).toBe(1); // lanes are batched apart
      const lane = batch[0].startsWith('请') ? 'h' : 'k';
      served[lane] += batch.reduce((c, t) => c + Array.from(t).length, 0);
      if (served.k === 96 && httpWhenKafkaDone < 0) httpWhenKafkaDone = served.h;
    }
    expect(served).toEqual({ h: 32 * 3, k: 8 * 12 });
    // equal shares: when Kafka's last batch starts, HTTP has had all but one Kafka batch's worth
    // (alternating batch by batch it would have had 24 tokens: a quarter)
    expect(httpWhenKafkaDone).toBeGreaterThanOrEqual(96 - 4 * 12);
  });

  it('gives a lane alone the whole window', async () => {
    const engine = new FakeEngine();
    const b = new DynamicBatcher(source(engine), { ...opts, maxWaitMs: 10_000 }, noMetrics);
    await Promise.all(['北京', '上海', '李鹏', '国务院'].map((t) => b.submit(t, 'http')));
    expect(engine.runs).toEqual([4]);
  });

  it('refuses an HTTP request with 429 when the HTTP lane is full, never when it is empty', async () => {
    const engine = new FakeEngine({ delayMs: 20 });
    const b = new DynamicBatcher(source(engine), { ...opts, maxWaitMs: 10_000, maxHttpQueuedChars: 10 }, noMetrics);
    expect(() => b.admitHttp(1_000)).not.toThrow(); // empty lane: a large request is admitted
    const queued = b.submit('一二三四五六七八', 'http'); // 8 characters wait (no full batch, long max-wait)
    let refused: unknown;
    try {
      b.admitHttp(5);
    } catch (err) {
      refused = err;
    }
    expect(errors.is(refused, 'TOO_MANY_REQUESTS')).toBe(true);
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, retriable: true, context: { queuedChars: 8, limit: 10 } });
    expect(() => b.admitHttp(2)).not.toThrow();
    expect(() => b.submit('x', 'kafka')).not.toThrow(); // the Kafka lane is not bounded here
    await b.close();
    await queued;
    expect(() => b.admitHttp(5)).not.toThrow(); // drained
  });

  it('keeps at most maxInflightBatches model runs at once', async () => {
    const engine = new FakeEngine({ delayMs: 10 });
    const b = new DynamicBatcher(source(engine), { ...opts, maxBatchSize: 2, maxWaitMs: 0, maxInflightBatches: 2 }, noMetrics);
    await Promise.all(Array.from({ length: 20 }, (_, i) => b.submit(`文本${i}`)));
    expect(engine.maxInflight).toBe(2);
  });

  it('fails only the document whose segment breaks the runtime', async () => {
    const engine = new FakeEngine();
    const b = new DynamicBatcher(source(engine), { ...opts, maxWaitMs: 10_000 }, noMetrics);
    const results = await Promise.allSettled(['北京', `坏${POISON_MARKER}`, '上海', '李鹏'].map((t) => b.submit(t)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('INFERENCE_FAILED');
  });

  it('rejects with NOT_READY (retriable) when no model is loaded', async () => {
    const s = source(new FakeEngine());
    s.current = undefined;
    const b = new DynamicBatcher(s, { ...opts, maxWaitMs: 0 }, noMetrics);
    await expect(b.submit('北京')).rejects.toMatchObject({ code: 'NOT_READY', retriable: true, status: 503 });
    await expect(b.submit('北京')).rejects.toMatchObject({ retriable: true, code: 'NOT_READY' });
  });

  it('releases every lease and drains on close', async () => {
    const s = source(new FakeEngine({ delayMs: 5 }));
    const b = new DynamicBatcher(s, { ...opts, maxWaitMs: 50 }, noMetrics);
    const pending = ['a', 'b', 'c'].map((t) => b.submit(t));
    await b.close();
    await Promise.all(pending);
    expect(s.leases).toBe(0);
    await expect(b.submit('late')).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
  });

  it('hot swap: a window in flight finishes on the old version, the next one uses the new, the old is disposed after', async () => {
    const loader = new FakeLoader({ delayMs: 30 });
    const models = new ModelManager(loader, { load: { precision: 'int8', intraOpThreads: 1, interOpThreads: 1 }, warmupTexts: [], baseDir: '/' }, { logger, metrics: noMetrics });
    await models.load({ modelUri: '/m/v1' });
    const b = new DynamicBatcher(models, { maxBatchSize: 2, maxWaitMs: 10_000, maxTokensPerBatch: 1000, maxInflightBatches: 1 }, noMetrics);
    const first = [b.submit('北京'), b.submit('上海')];
    await new Promise((r) => setTimeout(r, 5)); // v1 batch is running
    const v1 = loader.engines[0];
    expect(v1.inflight).toBe(1);
    await models.load({ modelUri: '/m/v2' }); // swap while v1 runs
    expect(v1.disposed).toBe(false);
    const second = [b.submit('李鹏'), b.submit('国务院')];
    const r1 = await Promise.all(first);
    const r2 = await Promise.all(second);
    expect(r1.map((r) => r.modelVersion)).toEqual(['v1', 'v1']);
    expect(r2.map((r) => r.modelVersion)).toEqual(['v2', 'v2']);
    await new Promise((r) => setTimeout(r, 0));
    expect(v1.disposed).toBe(true);
    expect(loader.engines[1].disposed).toBe(false);
  });
});
