import { createTopics, type RawText } from '@zhner/contracts';
import { avroLong, avroStringMap, rawTextBytes } from './avro';

const topics = createTopics();
const doc: RawText = { id: 'd1', text: '李鹏在北京', source: 'chaos', publishedAt: 1_700_000_000_000, metadata: { a: '1', b: '二', c: '3' } };

describe('hand-written Avro', () => {
  it('zig-zag varints match the specification examples', () => {
    expect([...avroLong(0)]).toEqual([0x00]);
    expect([...avroLong(-1)]).toEqual([0x01]);
    expect([...avroLong(1)]).toEqual([0x02]);
    expect([...avroLong(-64)]).toEqual([0x7f]);
    expect([...avroLong(64)]).toEqual([0x80, 0x01]);
  });

  it('one block is byte-identical to the platform codec', () => {
    expect(rawTextBytes(doc).equals(topics.rawText.codec.encode(doc))).toBe(true);
  });

  it.each(['two-blocks', 'negative-counts'] as const)('%s: other bytes, the same record for a standard decoder', (layout) => {
    const bytes = rawTextBytes(doc, layout);
    expect(bytes.equals(topics.rawText.codec.encode(doc))).toBe(false);
    expect(topics.rawText.codec.decode(bytes)).toEqual(doc);
  });

  it('an empty map is a single zero', () => {
    expect([...avroStringMap({}, 'negative-counts')]).toEqual([0]);
  });
});
