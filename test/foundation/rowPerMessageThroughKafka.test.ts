// Proves the consumer path end to end on a real broker and a real database: Avro events in, one
// row per message out (idempotent on id), offsets committed only after the write, poison to the
// dead-letter topic with its reason while the good messages around it are processed.
import { createTopics, type RawText } from '@zhner/contracts';
import { DLT_HEADERS, type Envelope } from '@zhner/bus';
import { committedOffsets, freshDatabase, kafkaBrokers, kafkaBus, readTopic, uniqueName, waitFor, type TestDatabase } from '@zhner/test';
import { startArchiveWorker, type ArchiveWorker } from './archiveWorker';

jest.setTimeout(120_000);

const doc = (i: number): RawText => ({ id: `doc-${i}`, text: `第${i}条：李鹏在北京会见了日本客人😀`, source: 'it', publishedAt: Date.now(), metadata: { n: String(i) } });

describe('raw text → Kafka → consumer group → PostgreSQL', () => {
  let db: TestDatabase;
  const prefix = `${uniqueName('f')}.`;
  const topics = createTopics({ prefix, partitions: 3 });
  const producerBus = kafkaBus(topics);
  let worker: ArchiveWorker | undefined;

  beforeAll(async () => {
    db = await freshDatabase();
    await producerBus.ensureTopics([topics.rawText, topics.deadLetters]);
  });
  afterAll(async () => {
    await worker?.stop();
    await producerBus.close();
    await db.drop();
  });

  it('writes each message exactly once, commits after the write, and dead-letters poison', async () => {
    // 30 good, a poison message in the middle (same key → same partition as its neighbours), 30 good, a duplicate
    await producerBus.publish(topics.rawText, Array.from({ length: 30 }, (_, i) => ({ value: doc(i), key: 'same-partition' })));
    await producerBus.publishRaw(topics.rawText.name, [{ key: 'same-partition', value: Buffer.from([0x02, 0xff, 0xff, 0x00]) }]);
    await producerBus.publish(topics.rawText, [...Array.from({ length: 30 }, (_, i) => ({ value: doc(30 + i), key: 'same-partition' })), { value: doc(5), key: 'same-partition' }]);
    // an empty text fails validation (not decoding): also poison
    await producerBus.publish(topics.rawText, [{ value: { ...doc(99), text: '' }, key: 'same-partition' }]);

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    const groupId = uniqueName('archive-');
    worker = await startArchiveWorker({
      brokers: kafkaBrokers(),
      databaseUrl: db.url,
      topicPrefix: prefix,
      groupId,
      maxBatchSize: 10,
      beforeWrite: async (_batch: Envelope<RawText>[]) => {
        held++;
        if (held === 2) await gate; // hold the second batch before its write
      },
    });
    await waitFor(() => held >= 2, 30_000, 'second batch');
    // the first batch (10 rows) is written and committed; the held one is neither written nor committed
    const rowsWhileHeld = Number((await worker.db.query<{ n: number }>('SELECT count(*)::int AS n FROM archived_documents')).rows[0].n);
    const committedWhileHeld = [...(await committedOffsets(groupId, topics.rawText.name)).values()].filter((o) => o >= 0);
    expect(rowsWhileHeld).toBe(10);
    expect(committedWhileHeld).toEqual([10]);
    release();

    await waitFor(async () => Number((await worker!.db.query<{ n: number }>('SELECT count(*)::int AS n FROM archived_documents')).rows[0].n) === 60, 60_000, '60 rows');
    const total = 63; // 60 good + poison + duplicate + empty text
    await waitFor(async () => [...(await committedOffsets(groupId, topics.rawText.name)).values()].some((o) => o === total), 30_000, 'final commit');

    const { rows } = await worker.db.query<{ id: string; n: number }>('SELECT id, count(*)::int AS n FROM archived_documents GROUP BY id');
    expect(rows).toHaveLength(60);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const deliveries = await worker.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM archive_deliveries WHERE id = 'doc-5'`);
    expect(deliveries.rows[0].n).toBe(2); // delivered twice (duplicate message), stored once

    const dead = await readTopic(topics.deadLetters.name, (m) => m.length >= 2);
    expect(dead).toHaveLength(2);
    const byCode = Object.fromEntries(dead.map((m) => [m.headers![DLT_HEADERS.errorCode]!.toString(), m]));
    expect(Object.keys(byCode).sort()).toEqual(['DECODE_FAILED', 'EMPTY_TEXT']);
    const poison = byCode.DECODE_FAILED;
    expect(poison.headers![DLT_HEADERS.originalTopic]!.toString()).toBe(topics.rawText.name);
    expect(poison.headers![DLT_HEADERS.offset]!.toString()).toBe('30');
    expect(poison.headers![DLT_HEADERS.partition]).toBeDefined();
    const letter = topics.deadLetters.codec.decode(poison.value);
    expect(letter.reason).toMatch(/undecodable zhner\.v1\.RawText/);
    expect(letter.payload).toEqual(Buffer.from([0x02, 0xff, 0xff, 0x00]));
    expect(topics.deadLetters.codec.decode(byCode.EMPTY_TEXT.value).reason).toBe('text must not be empty');
  });
});
