import avro from 'avsc';
import { DecodeError, ValidationError } from '@zhner/core';
import { Codec, SCHEMA_NAMES, avroType } from './codec';
import { createTopics } from './topics';
import type { RawText, EntityEvent, Prediction, Correction, DeadLetter } from './types';

const raw = (text: string, metadata: Record<string, string> = {}): RawText => ({ id: 'doc-1', text, source: 'test', publishedAt: 1_700_000_000_000, metadata });

describe('Avro round-trips', () => {
  const codec = new Codec('RawText');

  it.each([
    ['plain Chinese', '新华社北京十二月一日电，国务院总理李鹏会见了日本客人。'],
    ['emoji and astral CJK', '今天😀去𠮷野家吃饭👍🏽，北京🇨🇳'],
    ['full-width and mixed Latin', 'ＮＢＡ球星Ｌｅｂｒｏｎ在１９９８年与Apple公司 Inc. 签约'],
    ['tabs, newlines and carriage returns', 'a\nb\tc\r\nd'],
  ])('keeps %s text byte-exact', (_name, text) => {
    const back = codec.decode(codec.encode(raw(text, { url: 'https://例子.中国/新闻?id=1', lang: 'zh' })));
    expect(back).toEqual(raw(text, { url: 'https://例子.中国/新闻?id=1', lang: 'zh' }));
  });

  it('keeps a 100k-character text', () => {
    const text = '中华人民共和国'.repeat(14_286).slice(0, 100_000);
    expect(text.length).toBe(100_000);
    expect(codec.decode(codec.encode(raw(text))).text).toBe(text);
  });

  it('keeps empty metadata and a null publishedAt', () => {
    const v: RawText = { id: 'x', text: '文', source: 's', publishedAt: null, metadata: {} };
    expect(codec.decode(codec.encode(v))).toEqual(v);
  });

  it('round-trips every other schema', () => {
    const entity = { start: 0, end: 2, cpStart: 0, cpEnd: 2, type: 'LOC', text: '北京', score: 0.5 };
    const ev: EntityEvent = { docId: 'd', source: 's', modelVersion: 'm1', textSha256: 'ab', textLength: 4, entities: [entity], timings: { queueMs: 1.5, inferenceMs: 2.5, totalMs: 4 }, taggedAt: 1, replicaId: 'r1' };
    expect(new Codec('EntityEvent').decode(new Codec('EntityEvent').encode(ev))).toEqual(ev);
    const pred: Prediction = { docId: 'd', source: 's', text: '北京人', modelVersion: 'm', labels: ['O', 'B-LOC'], tokenCount: 3, tokenEntropy: [0.5, 0.25, 0], tokenConfidence: [0.5, 0.75, 1], meanEntropy: 0.25, maxEntropy: 0.5, bestPathLogProb: -0.5, entityMinMarginal: null, entities: [entity], embedding: [0.25, -0.5], predictedAt: 2 };
    expect(new Codec('Prediction').decode(new Codec('Prediction').encode(pred))).toEqual(pred);
    const cor: Correction = { correctionId: 'c', candidateId: null, docId: 'd', text: '北京', annotator: 'a', revision: 0, entities: [{ start: 0, end: 2, type: 'LOC', text: '北京' }], modelVersion: null, origin: 'STUDIO', createdAt: 3 };
    // the fields added later default to null: an older producer's event decodes with them null
    expect(new Codec('Correction').decode(new Codec('Correction').encode(cor))).toEqual({ ...cor, labelSet: null, guidelineVersions: null });
    const withSet: Correction = { ...cor, labelSet: ['LOC', 'TIME'], guidelineVersions: { TIME: 2 } };
    expect(new Codec('Correction').decode(new Codec('Correction').encode(withSet))).toEqual(withSet);
    const dl: DeadLetter = { originalTopic: 't', partition: 1, offset: '9007199254740993', key: Buffer.from('k'), payload: Buffer.from([1, 2, 3]), headers: { a: 'b' }, errorCode: 'DECODE_FAILED', reason: 'bad', consumerGroup: 'g', failedAt: 4 };
    expect(new Codec('DeadLetter').decode(new Codec('DeadLetter').encode(dl))).toEqual(dl);
    expect(SCHEMA_NAMES.map((n) => avroType(n).name)).toEqual(SCHEMA_NAMES.map((n) => `zhner.v1.${n}`));
  });
});

describe('poison payloads', () => {
  const codec = new Codec('RawText');

  it('rejects garbage, truncation and trailing bytes with DecodeError', () => {
    const good = codec.encode(raw('北京'));
    expect(() => codec.decode(Buffer.from('not avro at all, just text'))).toThrow(DecodeError);
    expect(() => codec.decode(good.subarray(0, good.length - 2))).toThrow(DecodeError);
    expect(() => codec.decode(Buffer.concat([good, Buffer.from([0])]))).toThrow(/trailing/);
    expect(() => codec.decode(Buffer.alloc(0))).toThrow(/empty payload/);
  });

  // the text "AB" replaced by other bytes, length prefix fixed
  const withTextBytes = (bytes: number[]): Buffer => {
    const good = codec.encode(raw('AB'));
    const idx = good.indexOf(Buffer.from('AB'));
    return Buffer.concat([good.subarray(0, idx - 1), avro.Type.forSchema('long').toBuffer(bytes.length), Buffer.from(bytes), good.subarray(idx + 2)]);
  };

  it('rejects a CESU-encoded lone surrogate with the text policy code of a lone surrogate', () => {
    // ED A0 80 = U+D800 as CESU-8: the same reason as "\ud800" in a JSON body
    expect(() => codec.decode(withTextBytes([0xed, 0xa0, 0x80]))).toThrow(expect.objectContaining({ code: 'INVALID_UNICODE', field: 'text' }));
  });

  it('rejects invalid UTF-8 in any string, and control characters in texts only', () => {
    expect(() => codec.decode(withTextBytes([0x41, 0xff]))).toThrow(expect.objectContaining({ code: 'INVALID_UTF8', field: 'text' }));
    expect(() => codec.decode(codec.encode(raw('a\u0000b')))).toThrow(expect.objectContaining({ code: 'CONTROL_CHARACTER', field: 'text' }));
    expect(() => codec.decode(codec.encode(raw('a\u001bb')))).toThrow(/control character U\+001B at index 1/);
    // metadata values and ids are not texts: valid UTF-8 is all they need
    expect(codec.decode(codec.encode(raw('北京', { note: 'a\u0000b' }))).metadata.note).toBe('a\u0000b');
    // a bad metadata key is found too
    const bad = Buffer.from(codec.encode(raw('北京', { ab: 'x' })));
    const at = bad.lastIndexOf(Buffer.from('ab'));
    bad[at] = 0xff;
    expect(() => codec.decode(bad)).toThrow(expect.objectContaining({ code: 'INVALID_UTF8' }));
    // lenient mode keeps avsc's own decoding (U+FFFD)
    expect(new Codec('RawText', { strictUtf8: false }).decode(withTextBytes([0x41, 0xff])).text).toBe('A\ufffd');
  });

  it('decodes legal Avro that a re-encoding check refused: maps in two blocks and with a negative block count', () => {
    const str = avro.Type.forSchema('string');
    const long = avro.Type.forSchema('long');
    const head = Buffer.concat([str.toBuffer('doc-1'), str.toBuffer('北京欢迎你'), str.toBuffer('test'), long.toBuffer(0)]); // publishedAt: null branch
    const entry = (k: string, v: string) => Buffer.concat([str.toBuffer(k), str.toBuffer(v)]);
    const twoBlocks = Buffer.concat([head, long.toBuffer(1), entry('a', '1'), long.toBuffer(1), entry('b', '2'), long.toBuffer(0)]);
    const block = Buffer.concat([entry('a', '1'), entry('b', '2')]);
    const negative = Buffer.concat([head, long.toBuffer(-2), long.toBuffer(block.length), block, long.toBuffer(0)]);
    for (const bytes of [twoBlocks, negative]) {
      expect(bytes.equals(codec.encode(codec.decode(bytes)))).toBe(false); // not the canonical encoding...
      expect(codec.decode(bytes)).toEqual({ id: 'doc-1', text: '北京欢迎你', source: 'test', publishedAt: null, metadata: { a: '1', b: '2' } }); // ...and legal
    }
  });

  it('refuses a record whose headers name another schema (same layout, other meaning)', () => {
    // a producer's own record type with the same field types in another order: Avro bytes alone
    // would decode "fine" with the text where the id belongs
    const other = avro.Type.forSchema({ type: 'record', name: 'Article', namespace: 'newsroom', fields: [
      { name: 'body', type: 'string' }, { name: 'id', type: 'string' }, { name: 'source', type: 'string' },
      { name: 'publishedAt', type: ['null', 'long'] }, { name: 'metadata', type: { type: 'map', values: 'string' } },
    ] });
    const bytes = other.toBuffer({ body: '长文本', id: 'doc-7', source: 's', publishedAt: null, metadata: {} });
    expect(codec.decode(bytes).id).toBe('长文本'); // what happened without headers
    const fp = other.fingerprint('sha256').toString('hex');
    expect(() => codec.decode(bytes, { 'schema-fingerprint': fp })).toThrow(expect.objectContaining({ code: 'SCHEMA_MISMATCH' }));
    expect(() => codec.decode(bytes, { 'content-type': 'application/avro; schema=newsroom.Article' })).toThrow(expect.objectContaining({ code: 'SCHEMA_MISMATCH' }));
    // our own headers pass
    const good = codec.encode(raw('北京'));
    expect(codec.decode(good, codec.headers).text).toBe('北京');
    expect(codec.decode(good, {}).text).toBe('北京');
  });

  it('refuses to encode an invalid value, naming the field', () => {
    expect(() => codec.encode({ ...raw('x'), publishedAt: 'yesterday' } as unknown as RawText)).toThrow(ValidationError);
  });
});

describe('Confluent wire format', () => {
  it('frames with magic byte and schema id and checks both on decode', () => {
    const c = new Codec('RawText', { wireFormat: { kind: 'confluent', schemaId: 42 } });
    const buf = c.encode(raw('上海'));
    expect(buf[0]).toBe(0);
    expect(buf.readUInt32BE(1)).toBe(42);
    expect(c.decode(buf).text).toBe('上海');
    expect(() => new Codec('RawText', { wireFormat: { kind: 'confluent', schemaId: 7 } }).decode(buf)).toThrow(/schema id 42/);
    expect(() => c.decode(new Codec('RawText').encode(raw('上海')))).toThrow(DecodeError);
  });

  it('is chosen per topic from schema ids', () => {
    const topics = createTopics({ prefix: 'x.', schemaIds: { rawText: 5 } });
    expect(topics.rawText.name).toBe('x.ner.raw-text.v1');
    expect(topics.rawText.codec.encode(raw('a')).readUInt32BE(1)).toBe(5);
    expect(topics.entities.codec.encode({ docId: 'd', source: 's', modelVersion: 'm', textSha256: '', textLength: 0, entities: [], timings: { queueMs: 0, inferenceMs: 0, totalMs: 0 }, taggedAt: 0, replicaId: 'r' })[0]).not.toBe(undefined);
  });
});
