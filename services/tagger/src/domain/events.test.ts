import type { RawText } from '@zhner/contracts';
import { createTopics } from '@zhner/contracts';
import { FakeEngine } from '../testing/fakeEngine';
import { chunkBySize, entityEventOf, predictionEventOf, predictionSizeEstimate, type TaggedDoc } from './events';

describe('events', () => {
  const doc: RawText = { id: 'd1', text: '李鹏在北京', source: 'unit', publishedAt: null, metadata: {} };
  const tagged: TaggedDoc = { prediction: new FakeEngine().predictOne(doc.text), modelVersion: 'v7', labels: ['O', 'B-PER'], textSha256: 'ab', queueMs: 1, inferenceMs: 2, cached: false };

  it('builds an entity event and a prediction that pass the topics\' codecs and validators', () => {
    const topics = createTopics();
    const e = entityEventOf(doc, tagged, { replicaId: 'r1', receivedAtMs: 1000, nowMs: 1010 });
    expect(e).toMatchObject({ docId: 'd1', modelVersion: 'v7', textLength: 5, replicaId: 'r1', timings: { queueMs: 1, inferenceMs: 2, totalMs: 10 } });
    const p = predictionEventOf(doc, tagged, 1010);
    topics.entities.validate(e);
    topics.predictions.validate(p);
    const back = topics.predictions.codec.decode(topics.predictions.codec.encode(p));
    expect(back.entities.map(({ score, ...rest }) => ({ ...rest, score: Math.round(score * 1e6) / 1e6 }))).toEqual(p.entities); // floats on the wire
    expect(topics.predictions.codec.encode(p).length).toBeLessThan(predictionSizeEstimate(doc.text.length, tagged));
  });

  it('chunkBySize keeps every chunk under the limit, in order, an oversized item alone', () => {
    const sizes = [100, 300, 200, 900, 50, 50, 1500, 10];
    const chunks = chunkBySize(sizes, (x) => x, 1000);
    expect(chunks).toEqual([[100, 300, 200], [900, 50, 50], [1500], [10]]);
    expect(chunks.flat()).toEqual(sizes);
  });
});
