// One owner per table, services meeting only through topics: the sampler on its own PostgreSQL
// database selects review candidates and announces them on ner.review-candidates.v1; the studio,
// on ANOTHER database, fills its own queue from that topic; an annotator's correction travels on
// ner.corrections.v1 back to the sampler, which marks the selection labelled in its own tables; a
// PROMOTED event ages both out. Neither service can see the other's tables. About 20 s.
import type { ModelEvent } from '@zhner/contracts';
import { loadConfig } from '@zhner/core';
import { Registry } from '@zhner/kit';
import { configSpec as samplerSpec, startSampler, type RunningSampler } from '@zhner/sampler';
import { testkit } from '@zhner/studio/testing';
import type { SqlClient } from '@zhner/store';
import { freshDatabase, kafkaBus, predictionAt, testLogger, testTopics, uniqueName, waitFor, type TestDatabase } from '@zhner/test';
import { startStudioOnKafka, startUpstreamStub, type StudioOnKafka, type UpstreamStub } from './support';

jest.setTimeout(180_000);

describe('the review queue is the studio’s, the selections the sampler’s: two databases, one broker', () => {
  const topics = testTopics();
  const producer = kafkaBus(topics);
  const samplerBus = kafkaBus(topics);
  let samplerDb: TestDatabase;
  let studioDb: TestDatabase;
  let samplerSql: SqlClient;
  let studioSql: SqlClient;
  let sampler: RunningSampler;
  let studio: StudioOnKafka;
  let upstreams: UpstreamStub;

  beforeAll(async () => {
    samplerDb = await freshDatabase();
    studioDb = await freshDatabase();
    samplerSql = await samplerDb.open();
    studioSql = await studioDb.open();
    await producer.ensureTopics([topics.predictions, topics.modelEvents, topics.reviewCandidates, topics.corrections, topics.deadLetters]);
    const config = loadConfig(samplerSpec, {
      SAMPLER_GROUP_ID: uniqueName('sampler-'),
      SAMPLER_WINDOW_SIZE: '3',
      SAMPLER_WINDOW_INTERVAL: '1h',
      SAMPLER_BUDGET: '3',
      SAMPLER_STRATEGY: 'sampler.entropy.v1',
      SAMPLER_TICK: '100ms',
      SAMPLER_OUTBOX_INTERVAL: '100ms',
    });
    sampler = await startSampler(config, { logger: testLogger, registry: new Registry(), bus: samplerBus, topics, db: samplerSql });
    upstreams = await startUpstreamStub();
    studio = await startStudioOnKafka(studioSql, { ORCHESTRATOR_URL: upstreams.url, RELOADER_URL: upstreams.url, STUDIO_QUEUE_GROUP_ID: uniqueName('studio-queue-') }, {}, topics);
  });
  afterAll(async () => {
    await studio?.close();
    await sampler?.close();
    await upstreams?.close();
    await samplerBus.close();
    await producer.close();
    await samplerDb?.drop();
    await studioDb?.drop();
  });

  it('selections reach the studio’s queue, a correction reaches the sampler, a promotion ages both', async () => {
    // the table both used to write is gone (its rows became sampler_selections and review_queue)
    expect((await samplerSql.query(`SELECT to_regclass('review_candidates') AS t`)).rows[0]).toEqual({ t: null });
    await producer.publish(topics.predictions, [
      { key: 'k', value: predictionAt('a', '李鹏在北京会见了日本客人', 0.5, [1, 0, 0]) },
      { key: 'k', value: predictionAt('b', '国务院在北京召开会议', 0.55, [0, 1, 0]) },
      { key: 'k', value: predictionAt('c', '李鹏在上海考察', 0.6, [0, 0, 1]) },
    ]);
    const queue = async (where = 'true') => (await studioSql.query<{ candidate_id: string; doc_id: string; status: string }>(`SELECT candidate_id, doc_id, status FROM review_queue WHERE ${where} ORDER BY doc_id`)).rows;
    await waitFor(async () => (await queue()).length === 3, 90_000, 'three items in the studio queue');
    expect((await queue()).map((r) => [r.doc_id, r.status])).toEqual([['a', 'open'], ['b', 'open'], ['c', 'open']]);
    // the queue rows live in the studio's database only (every database carries the whole schema,
    // each service writes its own tables); the sampler keeps its own memory
    expect((await samplerSql.query<{ n: number }>('SELECT count(*)::int AS n FROM sampler_selections')).rows[0].n).toBe(3);
    expect((await samplerSql.query<{ n: number }>('SELECT count(*)::int AS n FROM review_queue')).rows[0].n).toBe(0);

    // an annotator corrects item a through the studio's API
    const token = await testkit.issueToken(studioSql, 'alice');
    const auth = { authorization: `Bearer ${token}` };
    const a = (await queue(`doc_id = 'a'`))[0].candidate_id;
    expect((await studio.studio.app.inject({ method: 'POST', url: `/api/queue/${a}/claim`, headers: auth })).statusCode).toBe(200);
    const sub = await studio.studio.app.inject({ method: 'POST', url: '/api/corrections', headers: auth, payload: { candidateId: a, entities: [{ start: 0, end: 2, type: 'PER', text: '李鹏' }, { start: 3, end: 5, type: 'LOC', text: '北京' }, { start: 8, end: 10, type: 'LOC', text: '日本' }] } });
    expect(sub.statusCode).toBe(201);
    await studio.studio.flushOutbox();
    const state = async (docId: string) => (await samplerSql.query<{ state: string }>('SELECT state FROM sampler_selections WHERE doc_id = $1', [docId])).rows[0]?.state;
    await waitFor(async () => (await state('a')) === 'labelled', 60_000, 'the sampler learns a was labelled');

    // v2 is promoted: open items and unlabelled selections of v1 age out, on each side
    const promoted: ModelEvent = { eventId: uniqueName('ev-'), type: 'PROMOTED', modelVersion: 'v2', previousVersion: 'v1', modelUri: 'models/v2', manifestSha256: '00', metrics: {}, reason: null, at: Date.now() + 1 };
    await new Promise((r) => setTimeout(r, 5));
    await producer.publish(topics.modelEvents, [{ value: promoted }]);
    await waitFor(async () => (await queue(`status = 'expired'`)).length === 2, 60_000, 'open studio items expired');
    expect((await queue(`doc_id = 'a'`))[0].status).toBe('done');
    await waitFor(async () => (await state('b')) === 'expired' && (await state('c')) === 'expired', 60_000, 'sampler selections expired');
    expect(await state('a')).toBe('labelled');
  });
});
