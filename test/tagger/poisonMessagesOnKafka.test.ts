/** @jest-environment ./shared/model/jest-environment.js */
// A mix of valid and invalid raw-text payloads on the real broker: every invalid one lands in the
// dead-letter topic with its reason (error code in the headers and the DeadLetter record, original
// bytes kept — cut to fit the broker's limit for a payload over the size limit, with its size and
// sha256), every valid one is tagged (entity event + prediction) — legal Avro in a non-canonical
// encoding included — and the consumer commits past all of them.
import { createHash } from 'node:crypto';
import { consumerGroup, type DeadLetter, type EntityEvent, type RawText } from '@zhner/contracts';
import { DEAD_LETTER_MAX_PAYLOAD_BYTES, DLT_HEADERS } from '@zhner/bus';
import { committedOffsets, kafkaBus, readTopic, testTopics, uniqueName, waitFor } from '@zhner/test';
import { buildTinyModel, collectTopic, corpusTexts, removeModel, startKafkaReplica, type BuiltModel, type KafkaReplica, type TopicCollector } from './helpers';

jest.setTimeout(180_000);

// Avro primitives, to write legal encodings that are not the canonical one
const long = (n: number): Buffer => {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  do {
    let b = z % 128;
    z = Math.floor(z / 128);
    if (z > 0) b |= 0x80;
    out.push(b);
  } while (z > 0);
  return Buffer.from(out);
};
const str = (s: string): Buffer => Buffer.concat([long(Buffer.byteLength(s)), Buffer.from(s, 'utf8')]);

describe('poison raw-text messages', () => {
  const topics = testTopics();
  const producer = kafkaBus(topics);
  let model: BuiltModel;
  let replica: KafkaReplica | undefined;
  const collectors: TopicCollector[] = [];

  beforeAll(async () => {
    model = await buildTinyModel();
    await producer.ensureTopics([topics.rawText, topics.entities, topics.predictions, topics.deadLetters, topics.replicaCommands, topics.replicaHeartbeats]);
  });
  afterAll(async () => {
    await Promise.allSettled(collectors.map((c) => c.stop()));
    await replica?.close();
    await producer.close();
    removeModel(model);
  });

  it('dead-letters each invalid payload with a reason and tags every valid one', async () => {
    const texts = corpusTexts('weibo/dev.jsonl', 60);
    const valid: RawText[] = texts.map((d, i) => ({ id: `ok-${i}`, text: d.text, source: 'weibo', publishedAt: Date.now(), metadata: { n: String(i) } }));
    const key = 'one-partition'; // poison between valid messages of the same partition
    const encode = (v: RawText) => topics.rawText.codec.encode(v);
    // the text "AB" of a valid record replaced by other bytes (length prefix fixed)
    const withTextBytes = (id: string, bytes: number[]) => {
      const good = encode({ id, text: 'AB', source: 's', publishedAt: null, metadata: {} });
      const at = good.indexOf(Buffer.from('AB'));
      return Buffer.concat([good.subarray(0, at - 1), long(bytes.length), Buffer.from(bytes), good.subarray(at + 2)]);
    };
    // over the size limit (this test sets TAGGER_MAX_TEXT_LENGTH=500, so the payload limit is 3 × 500 + 64 KiB) and
    // barely under the broker's message limit: its dead letter is cut to fit
    const huge = encode({ id: 'bad-huge', text: '中'.repeat(346_000), source: 's', publishedAt: null, metadata: {} });
    const otherSchemaFingerprint = 'e'.repeat(64);
    const poison: Array<{ key: string; value: Buffer | null; code: string; reason: RegExp; headers?: Record<string, string> }> = [
      { key: 'bad-garbage', value: Buffer.from('not avro at all'), code: 'DECODE_FAILED', reason: /undecodable zhner\.v1\.RawText/ },
      { key: 'bad-truncated', value: encode(valid[0]).subarray(0, 10), code: 'DECODE_FAILED', reason: /undecodable/ },
      { key: 'bad-trailing', value: Buffer.concat([encode(valid[1]), Buffer.from([0])]), code: 'DECODE_FAILED', reason: /trailing/ },
      { key: 'bad-empty-payload', value: null, code: 'DECODE_FAILED', reason: /empty payload/ },
      // the same code as "\ud800" in a POST /ner body
      { key: 'bad-surrogate', value: withTextBytes('bad-surrogate', [0xed, 0xa0, 0x80]), code: 'INVALID_UNICODE', reason: /unpaired surrogate/ },
      { key: 'bad-utf8', value: withTextBytes('bad-utf8', [0x41, 0xff]), code: 'INVALID_UTF8', reason: /not valid UTF-8/ },
      { key: 'bad-nul', value: encode({ id: 'bad-nul', text: '北京\u0000上海', source: 's', publishedAt: null, metadata: {} }), code: 'CONTROL_CHARACTER', reason: /U\+0000/ },
      { key: 'bad-schema', value: encode({ id: 'bad-schema', text: '北京', source: 's', publishedAt: null, metadata: {} }), code: 'SCHEMA_MISMATCH', reason: /fingerprint/, headers: { 'schema-fingerprint': otherSchemaFingerprint } },
      { key: 'bad-huge', value: huge, code: 'PAYLOAD_TOO_LARGE', reason: /the limit for this topic is 67036 bytes/ },
      { key: 'bad-empty-text', value: encode({ id: 'bad-empty-text', text: '', source: 's', publishedAt: null, metadata: {} }), code: 'EMPTY_TEXT', reason: /text must not be empty/ },
      { key: 'bad-too-long', value: encode({ id: 'bad-too-long', text: '北京'.repeat(300), source: 's', publishedAt: null, metadata: {} }), code: 'TEXT_TOO_LONG', reason: /600 characters long; the hard limit is 500/ },
      { key: 'bad-empty-id', value: encode({ id: '', text: '北京', source: 's', publishedAt: null, metadata: {} }), code: 'VALIDATION_FAILED', reason: /id must not be empty/ },
    ];
    // legal Avro that is not the canonical encoding: metadata maps in two blocks and with a negative
    // block count (followed by the block's byte size); both are valid documents to tag
    const head = (id: string, text: string) => Buffer.concat([str(id), str(text), str('weibo'), long(0)]);
    const entry = (k: string, v: string) => Buffer.concat([str(k), str(v)]);
    const twoBlocks = Buffer.concat([head('ok-two-blocks', texts[0].text), long(1), entry('a', '1'), long(1), entry('b', '2'), long(0)]);
    const block = Buffer.concat([entry('a', '1'), entry('b', '2')]);
    const negative = Buffer.concat([head('ok-negative-count', texts[1].text), long(-2), long(block.length), block, long(0)]);
    // interleave: 10 valid, 1 poison, ... all on one partition; then the rest spread by id
    for (let i = 0; i < poison.length; i++) {
      await producer.publish(topics.rawText, valid.slice(i * 5, i * 5 + 5).map((value) => ({ value, key })));
      await producer.publishRaw(topics.rawText.name, [{ key, value: poison[i].value, headers: { 'x-test-case': poison[i].key, ...poison[i].headers } }]);
    }
    await producer.publish(topics.rawText, valid.slice(poison.length * 5).map((value) => ({ value })));
    await producer.publishRaw(topics.rawText.name, [twoBlocks, negative].map((value) => ({ key, value, headers: topics.rawText.codec.headers })));
    const validIds = [...valid.map((v) => v.id), 'ok-two-blocks', 'ok-negative-count'];

    const group = uniqueName('tagger-');
    replica = await startKafkaReplica(topics, { MODEL_DIR: model.dir, REPLICA_ID: uniqueName('r-'), TAGGER_GROUP: group, TAGGER_MAX_TEXT_LENGTH: '500' });
    const entities = await collectTopic(topics.entities.name);
    collectors.push(entities);
    await waitFor(() => new Set(entities.messages.map((m) => m.key!.toString())).size >= validIds.length, 90_000, 'every valid document tagged');
    const dead = await readTopic(topics.deadLetters.name, (m) => m.length >= poison.length, 60_000);

    // every invalid payload dead-lettered once, with its code and reason, original bytes kept
    expect(dead).toHaveLength(poison.length);
    const byCase = new Map(dead.map((m) => [(topics.deadLetters.codec.decode(m.value!) as DeadLetter).headers['x-test-case'], m]));
    for (const p of poison) {
      const m = byCase.get(p.key);
      expect(m).toBeDefined();
      const letter = topics.deadLetters.codec.decode(m!.value!) as DeadLetter;
      expect({ key: p.key, code: letter.errorCode }).toEqual({ key: p.key, code: p.code });
      expect(m!.headers![DLT_HEADERS.errorCode]!.toString()).toBe(p.code);
      expect(letter.reason).toMatch(p.reason);
      expect(letter.originalTopic).toBe(topics.rawText.name);
      expect(letter.consumerGroup).toBe(consumerGroup(topics, group));
      if (p.key === 'bad-huge') {
        // cut to fit the broker's message limit, with what it takes to find and verify the original
        expect(letter.payload).toEqual(huge.subarray(0, DEAD_LETTER_MAX_PAYLOAD_BYTES));
        expect(m!.headers![DLT_HEADERS.originalSize]!.toString()).toBe(String(huge.length));
        expect(m!.headers![DLT_HEADERS.originalSha256]!.toString()).toBe(createHash('sha256').update(huge).digest('hex'));
      } else expect(letter.payload).toEqual(p.value);
    }

    // every valid one tagged exactly once, by the model, with offsets inside its text
    const events = entities.messages.map((m) => topics.entities.codec.decode(m.value!) as EntityEvent);
    expect(events.map((e) => e.docId).sort()).toEqual(validIds.sort());
    const textOf = new Map([...valid.map((v) => [v.id, v.text] as const), ['ok-two-blocks', texts[0].text] as const, ['ok-negative-count', texts[1].text] as const]);
    for (const e of events) {
      expect(e.modelVersion).toBe(model.version);
      for (const x of e.entities) expect(textOf.get(e.docId)!.slice(x.start, x.end)).toBe(x.text);
    }
    const preds = await readTopic(topics.predictions.name, (m) => m.length >= validIds.length, 60_000);
    expect(new Set(preds.map((m) => m.key!.toString()))).toEqual(new Set(validIds));

    // the consumer moved past everything (3 partitions: committed offsets sum to all messages)
    const total = validIds.length + poison.length;
    await waitFor(async () => [...(await committedOffsets(consumerGroup(topics, group), topics.rawText.name)).values()].reduce((a, o) => a + Math.max(0, o), 0) === total, 30_000, 'commits past every message');
  });
});
