/** @jest-environment ./shared/model/jest-environment.js */
// A mix of valid and invalid raw-text payloads on the real broker: every invalid one lands in the
// dead-letter topic with its reason (error code in the headers and the DeadLetter record, original
// bytes kept), every valid one is tagged (entity event + prediction), and the consumer commits past
// all of them.
import { consumerGroup, type DeadLetter, type EntityEvent, type RawText } from '@zhner/contracts';
import { DLT_HEADERS } from '@zhner/bus';
import { committedOffsets, kafkaBus, readTopic, testTopics, uniqueName, waitFor } from '@zhner/test';
import { buildTinyModel, collectTopic, corpusTexts, removeModel, startKafkaReplica, type BuiltModel, type KafkaReplica, type TopicCollector } from './helpers';

jest.setTimeout(180_000);

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
    const cesuSurrogate = (() => {
      const good = encode({ id: 'bad-surrogate', text: 'AB', source: 's', publishedAt: null, metadata: {} });
      const at = good.indexOf(Buffer.from('AB'));
      return Buffer.concat([good.subarray(0, at - 1), Buffer.from([6, 0xed, 0xa0, 0x80]), good.subarray(at + 2)]);
    })();
    const poison: Array<{ key: string; value: Buffer | null; code: string; reason: RegExp }> = [
      { key: 'bad-garbage', value: Buffer.from('not avro at all'), code: 'DECODE_FAILED', reason: /undecodable zhner\.v1\.RawText/ },
      { key: 'bad-truncated', value: encode(valid[0]).subarray(0, 10), code: 'DECODE_FAILED', reason: /undecodable/ },
      { key: 'bad-trailing', value: Buffer.concat([encode(valid[1]), Buffer.from([0])]), code: 'DECODE_FAILED', reason: /trailing/ },
      { key: 'bad-empty-payload', value: null, code: 'DECODE_FAILED', reason: /empty payload/ },
      { key: 'bad-surrogate', value: cesuSurrogate, code: 'DECODE_FAILED', reason: /invalid UTF-8/ },
      { key: 'bad-empty-text', value: encode({ id: 'bad-empty-text', text: '', source: 's', publishedAt: null, metadata: {} }), code: 'EMPTY_TEXT', reason: /text must not be empty/ },
      { key: 'bad-too-long', value: encode({ id: 'bad-too-long', text: '北京'.repeat(300), source: 's', publishedAt: null, metadata: {} }), code: 'TEXT_TOO_LONG', reason: /600 characters long; the hard limit is 500/ },
      { key: 'bad-empty-id', value: encode({ id: '', text: '北京', source: 's', publishedAt: null, metadata: {} }), code: 'VALIDATION_FAILED', reason: /id must not be empty/ },
    ];
    // interleave: 10 valid, 1 poison, ... all on one partition; then the rest spread by id
    for (let i = 0; i < poison.length; i++) {
      await producer.publish(topics.rawText, valid.slice(i * 5, i * 5 + 5).map((value) => ({ value, key })));
      await producer.publishRaw(topics.rawText.name, [{ key, value: poison[i].value, headers: { 'x-test-case': poison[i].key } }]);
    }
    await producer.publish(topics.rawText, valid.slice(poison.length * 5).map((value) => ({ value })));

    const group = uniqueName('tagger-');
    replica = await startKafkaReplica(topics, { MODEL_DIR: model.dir, REPLICA_ID: uniqueName('r-'), TAGGER_GROUP: group, TAGGER_MAX_TEXT_LENGTH: '500' });
    const entities = await collectTopic(topics.entities.name);
    collectors.push(entities);
    await waitFor(() => new Set(entities.messages.map((m) => m.key!.toString())).size >= valid.length, 90_000, 'every valid document tagged');
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
      expect(letter.payload).toEqual(p.value);
    }

    // every valid one tagged exactly once, by the model, with offsets inside its text
    const events = entities.messages.map((m) => topics.entities.codec.decode(m.value!) as EntityEvent);
    expect(events.map((e) => e.docId).sort()).toEqual(valid.map((v) => v.id).sort());
    const textOf = new Map(valid.map((v) => [v.id, v.text]));
    for (const e of events) {
      expect(e.modelVersion).toBe(model.version);
      for (const x of e.entities) expect(textOf.get(e.docId)!.slice(x.start, x.end)).toBe(x.text);
    }
    const preds = await readTopic(topics.predictions.name, (m) => m.length >= valid.length, 60_000);
    expect(new Set(preds.map((m) => m.key!.toString()))).toEqual(new Set(valid.map((v) => v.id)));

    // the consumer moved past everything (3 partitions: committed offsets sum to all messages)
    const total = valid.length + poison.length;
    await waitFor(async () => [...(await committedOffsets(consumerGroup(topics, group), topics.rawText.name)).values()].reduce((a, o) => a + Math.max(0, o), 0) === total, 30_000, 'commits past every message');
  });
});
