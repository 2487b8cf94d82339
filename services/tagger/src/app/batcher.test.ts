import { createLogger } from '@zhner/kit';
import { FakeEngine, FakeLoader, POISON_MARKER } from '../testing/fakeEngine';
import { DynamicBatcher, NotReadyError, type ModelSource } from './batcher';
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
    const pieces = engine.split(text).map((p) => text.slice(p.start, p.end));
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

  it('rejects with NotReadyError (retriable) when no model is loaded', async () => {
    const s = source(new FakeEngine());
    s.current = undefined;
    const b = new DynamicBatcher(s, { ...opts, maxWaitMs: 0 }, noMetrics);
    await expect(b.submit('北京')).rejects.toBeInstanceOf(NotReadyError);
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
