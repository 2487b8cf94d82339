// The sampler on a real broker and a real database: predictions in (with a near-duplicate text, an
// undecodable payload and a confident document), one window flushed into the sampler's own
// selections with ReviewCandidate events on the topic, input offsets committed, poison
// dead-lettered, and a PROMOTED model event expiring the older unlabelled selections.
import { consumerGroup, type ModelEvent } from '@zhner/contracts';
import { DLT_HEADERS, type KafkaBus } from '@zhner/bus';
import { loadConfig } from '@zhner/core';
import { Registry } from '@zhner/kit';
import type { SqlClient } from '@zhner/store';
import { configSpec, startSampler, type RunningSampler } from '@zhner/sampler';
import { committedOffsets, freshDatabase, kafkaBus, predictionAt, readTopic, testLogger, testTopics, uniqueName, waitFor, type TestDatabase } from '@zhner/test';

jest.setTimeout(120_000);

describe('sampler: predictions → selections and review-candidate events through Kafka and PostgreSQL', () => {
  const topics = testTopics();
  const producer: KafkaBus = kafkaBus(topics);
  const serviceBus: KafkaBus = kafkaBus(topics);
  let db: TestDatabase;
  let sql: SqlClient;
  let sampler: RunningSampler | undefined;
  const groupId = uniqueName('sampler-');
  const rows = async (where = 'true') =>
    (await sql.query<{ candidate_id: string; doc_id: string; state: string; model_version: string }>(`SELECT candidate_id, doc_id, state, model_version FROM sampler_selections WHERE ${where} ORDER BY score DESC`)).rows;

  beforeAll(async () => {
    db = await freshDatabase();
    sql = await db.open();
    await producer.ensureTopics([topics.predictions, topics.modelEvents, topics.reviewCandidates, topics.deadLetters]);
  });
  afterAll(async () => {
    await sampler?.close();
    await serviceBus.close();
    await producer.close();
    await db.drop();
  });

  it('selects one window, drops the duplicate, dead-letters poison, and expires on promotion', async () => {
    // one key: one partition, so the order (original before near-duplicate) is fixed
    const key = 'one-partition';
    await producer.publish(topics.predictions, [
      { key, value: predictionAt('confident', '今天天气很好', 0.97, [1, 0, 0]) },
      { key, value: predictionAt('x-most', 'APEC会议：李鹏在北京会见了日本客人', 0.5, [1, 0, 0]) },
      { key, value: predictionAt('x-next', 'APEC会议：李鹏在上海会见了美国客人', 0.55, [0.99, 0.1, 0]) },
    ]);
    await producer.publishRaw(topics.predictions.name, [{ key, value: Buffer.from([0x02, 0xff, 0xff, 0x00]) }]);
    await producer.publish(topics.predictions, [
      // full-width letters, an ideographic space and padding: the same normalised text as x-most
      { key, value: predictionAt('x-dup', '\u3000ＡＰＥＣ会议：李鹏在北京会见了日本客人 ', 0.52, [1, 0, 0]) },
      { key, value: predictionAt('y-most', '国务院在北京召开会议', 0.6, [0, 1, 0]) },
      { key, value: predictionAt('y-next', '国务院在天津召开会议', 0.65, [0, 0.99, 0.1]) },
    ]);

    const config = loadConfig(configSpec, {
      SAMPLER_GROUP_ID: groupId,
      SAMPLER_WINDOW_SIZE: '4',
      SAMPLER_WINDOW_INTERVAL: '1h',
      SAMPLER_BUDGET: '2',
      SAMPLER_CLUSTERS: '2',
      SAMPLER_PER_CLUSTER_MAX: '1',
      SAMPLER_TICK: '100ms',
      SAMPLER_OUTBOX_INTERVAL: '100ms',
    });
    const registry = new Registry();
    sampler = await startSampler(config, { logger: testLogger, registry, bus: serviceBus, topics, db: sql });

    await waitFor(async () => (await rows()).length === 2, 60_000, 'two review candidates');
    const queued = await rows();
    // x-dup was dropped as a near-duplicate of x-most (the first copy, and the more uncertain one,
    // so the outcome does not depend on how the broker splits batches); one candidate per cluster
    expect(queued.map((r) => r.doc_id)).toEqual(['x-most', 'y-most']);
    expect(queued.every((r) => r.state === 'selected' && r.model_version === 'v1')).toBe(true);
    expect((await sql.query('SELECT 1 FROM sampler_window')).rows).toHaveLength(0);
    expect((await sql.query(`SELECT 1 FROM sampler_selections WHERE doc_id IN ('x-dup', 'confident')`)).rows).toHaveLength(0);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/zhner_sampler_duplicates_dropped_total\{stage="window"[^}]*\} 1/);
    expect(metrics).toMatch(/zhner_sampler_predictions_total\{outcome="gated_out"[^}]*\} 1/);

    const events = (await readTopic(topics.reviewCandidates.name, (m) => m.length >= 2)).map((m) => topics.reviewCandidates.codec.decode(m.value));
    expect(events.map((e) => e.candidateId).sort()).toEqual(queued.map((r) => r.candidate_id).sort());
    expect(events.find((e) => e.docId === 'x-most')).toMatchObject({ strategy: 'sampler.hybrid.v1', textHash: expect.stringMatching(/^[0-9a-f]{64}$/), predicted: [{ text: '李鹏', type: 'PER' }] });
    expect(events.every((e) => e.cluster !== null)).toBe(true);

    const dead = await readTopic(topics.deadLetters.name, (m) => m.length >= 1);
    expect(dead).toHaveLength(1);
    expect(dead[0].headers![DLT_HEADERS.errorCode]!.toString()).toBe('DECODE_FAILED');
    expect(dead[0].headers![DLT_HEADERS.originalTopic]!.toString()).toBe(topics.predictions.name);
    expect(dead[0].headers![DLT_HEADERS.offset]!.toString()).toBe('3');

    // every input offset (7 records on one partition) is committed once the window is in the queue
    await waitFor(async () => [...(await committedOffsets(consumerGroup(topics, groupId), topics.predictions.name)).values()].includes(7), 30_000, 'committed offsets');

    const promoted: ModelEvent = { eventId: uniqueName('ev-'), type: 'PROMOTED', modelVersion: 'v2', previousVersion: 'v1', modelUri: 'file:///models/v2', manifestSha256: '00', metrics: {}, reason: null, at: Date.now() + 1 };
    await new Promise((r) => setTimeout(r, 5));
    await producer.publish(topics.modelEvents, [{ value: promoted }]);
    await waitFor(async () => (await rows(`state = 'expired'`)).length === 2, 30_000, 'v1 selections expired');
    expect(await rows(`state = 'selected'`)).toHaveLength(0);
    await waitFor(async () => /zhner_sampler_selections\{state="expired"[^}]*\} 2/.test(await registry.metrics()), 30_000, 'selections gauge');
  });
});
