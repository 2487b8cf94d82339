// The selection window is persisted, so offsets committed before a window is flushed never lose a
// document: a sampler stopped with an open window is replaced by another that flushes it, and the
// same predictions delivered again are absorbed (one row and one event per text).
import { consumerGroup, type Prediction } from '@zhner/contracts';
import type { KafkaBus } from '@zhner/bus';
import { loadConfig } from '@zhner/core';
import { Registry } from '@zhner/kit';
import type { SqlClient } from '@zhner/store';
import { configSpec, startSampler, type RunningSampler } from '@zhner/sampler';
import { committedOffsets, freshDatabase, kafkaBus, readTopic, testLogger, testTopics, uniqueName, waitFor, type TestDatabase } from '@zhner/test';

jest.setTimeout(120_000);

function prediction(i: number): Prediction {
  const conf = 0.5 + i * 0.05;
  const h = -(conf * Math.log(conf) + (1 - conf) * Math.log(1 - conf));
  return {
    docId: `doc-${i}`,
    source: 'it',
    text: `第${i}条：国务院在北京召开会议`,
    modelVersion: 'v1',
    labels: ['O', 'B-ORG', 'I-ORG'],
    tokenCount: 2,
    tokenEntropy: [h, h],
    tokenConfidence: [conf, conf],
    meanEntropy: h,
    maxEntropy: h,
    bestPathLogProb: 2 * Math.log(conf),
    entityMinMarginal: null,
    entities: [],
    embedding: [Math.cos(i), Math.sin(i), 0.1 * i],
    predictedAt: Date.now(),
  };
}

describe('sampler window across a restart', () => {
  const topics = testTopics();
  const producer: KafkaBus = kafkaBus(topics);
  const buses: KafkaBus[] = [];
  const running: RunningSampler[] = [];
  let db: TestDatabase;
  let sql: SqlClient;
  const groupId = uniqueName('sampler-');
  const count = async (q: string) => (await sql.query<{ n: number }>(q)).rows[0].n;

  async function start(env: Record<string, string>): Promise<{ svc: RunningSampler; registry: Registry }> {
    const bus = kafkaBus(topics);
    buses.push(bus);
    const registry = new Registry();
    const config = loadConfig(configSpec, { SAMPLER_GROUP_ID: groupId, SAMPLER_WINDOW_SIZE: '100', SAMPLER_BUDGET: '5', SAMPLER_TICK: '50ms', SAMPLER_OUTBOX_INTERVAL: '100ms', ...env });
    const svc = await startSampler(config, { logger: testLogger, registry, bus, topics, db: sql });
    running.push(svc);
    return { svc, registry };
  }

  beforeAll(async () => {
    db = await freshDatabase();
    sql = await db.open();
    await producer.ensureTopics([topics.predictions, topics.modelEvents, topics.reviewCandidates, topics.deadLetters]);
  });
  afterAll(async () => {
    for (const s of running) await s.close();
    for (const b of buses) await b.close();
    await producer.close();
    await db.drop();
  });

  it('flushes a window persisted by a stopped sampler, once per text', async () => {
    const docs = [0, 1, 2].map(prediction);
    const key = 'k';
    await producer.publish(topics.predictions, docs.map((value) => ({ key, value })));

    const first = await start({ SAMPLER_WINDOW_INTERVAL: '1h' });
    await waitFor(async () => [...(await committedOffsets(consumerGroup(topics, groupId), topics.predictions.name)).values()].includes(3), 60_000, 'offsets committed');
    expect(await count('SELECT count(*)::int AS n FROM sampler_window')).toBe(3);
    expect(await count('SELECT count(*)::int AS n FROM sampler_selections')).toBe(0);
    await first.svc.close();

    // the same predictions again (what a redelivery looks like), then a sampler with a short interval
    await producer.publish(topics.predictions, docs.map((value) => ({ key, value })));
    const second = await start({ SAMPLER_WINDOW_INTERVAL: '200ms' });
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM sampler_selections')) === 3, 60_000, 'three candidates');
    await waitFor(async () => [...(await committedOffsets(consumerGroup(topics, groupId), topics.predictions.name)).values()].includes(6), 60_000, 'second offsets committed');
    await waitFor(async () => /zhner_sampler_predictions_total\{outcome="redelivered"[^}]*\} 3/.test(await second.registry.metrics()), 30_000, 'redeliveries counted');

    expect(await count('SELECT count(*)::int AS n FROM sampler_window')).toBe(0);
    expect(await count('SELECT count(DISTINCT doc_id)::int AS n FROM sampler_selections')).toBe(3);
    const events = await readTopic(topics.reviewCandidates.name, (m) => m.length >= 3, 15_000);
    // give a stray duplicate event time to show up before counting
    const settled = await readTopic(topics.reviewCandidates.name, (m) => m.length > 3, 2_000);
    expect(settled).toHaveLength(3);
    expect(new Set(events.map((m) => topics.reviewCandidates.codec.decode(m.value).docId))).toEqual(new Set(['doc-0', 'doc-1', 'doc-2']));
  });
});
