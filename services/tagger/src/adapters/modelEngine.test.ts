/** @jest-environment ./shared/model/jest-environment.js */
// The real ONNX engine over the bundled model: TAGGER_CONVENTION reaches the runtime.
import path from 'node:path';
import { REPO_ROOT } from '../config';
import { OnnxEngineLoader } from './modelEngine';

const dir = path.join(REPO_ROOT, 'models', 'zh-ner-default');
const base = { precision: 'int8' as const, intraOpThreads: 1, interOpThreads: 1 };

describe('OnnxEngineLoader', () => {
  it('serves the configured convention, and refuses one the model does not have', async () => {
    const loader = new OnnxEngineLoader();
    const engine = await loader.load(dir, { ...base, convention: 'weibo' });
    try {
      const text = '李鹏在北京会见了客人。'.repeat(30);
      const plan = engine.plan(text);
      expect(plan.segments.length).toBeGreaterThan(1);
      const p = engine.merge(plan, await engine.predictBatch(plan.segments.map((s) => s.text)));
      expect(p.entities.map((e) => `${e.text}/${e.type}`)).toEqual(expect.arrayContaining(['李鹏/PER']));
      for (const e of p.entities) expect(text.slice(e.start, e.end)).toBe(e.text);
      expect(p.tokenCount).toBe(text.length);
    } finally {
      await engine.dispose();
    }
    await expect(loader.load(dir, { ...base, convention: 'no-such-corpus' })).rejects.toMatchObject({ code: 'MODEL_CONVENTION_UNKNOWN' });
  });
});
