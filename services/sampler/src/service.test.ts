// The whole service on the in-memory bus and PGlite: predictions in, a window flushed into the
// review queue (rows + events), duplicates, poison, promotion expiry and re-opening.
import { createTopics, type ModelEvent, type Prediction, type ReviewCandidate } from '@zhner/contracts';
import { MemoryBus, DLT_HEADERS } from '@zhner/bus';
import { loadConfig } from '@zhner/core';
import { createLogger, createMetricsRegistry, type Registry } from '@zhner/kit';
import { createPgliteClient, migrate, type SqlClient } from '@zhner/store';
import { entropy } from './domain/scores';
import { configSpec, startSampler, type RunningSampler } from './index';

const logger = createLogger('sampler-test', { level: 'silent' });

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A prediction with `n` tokens of confidence `conf` (binary marginals) and a 2-D embedding at `angle` radians. */
function prediction(docId: string, text: string, opts: { conf?: number; angle?: number; modelVersion?: string; predictedAt?: number } = {}): Prediction {
  const conf = opts.conf ?? 0.6;
  const n = 4;
  const angle = opts.angle ?? 0;
  const name = text.indexOf('李鹏');
  return {
    docId,
    source: 'unit',
    text,
    modelVersion: opts.modelVersion ?? 'v1',
    labels: ['O', 'B-PER', 'I-PER'],
    tokenCount: n,
    tokenEntropy: Array(n).fill(entropy([conf, 1 - conf])),
    tokenConfidence: Array(n).fill(conf),
    meanEntropy: entropy([conf, 1 - conf]),
    maxEntropy: entropy([conf, 1 - conf]),
    bestPathLogProb: n * Math.log(conf),
    entityMinMarginal: name >= 0 ? conf : null,
    entities: name >= 0 ? [{ start: name, end: name + 2, cpStart: name, cpEnd: name + 2, type: 'PER', text: '李鹏', score: conf }] : [],
    embedding: [Math.cos(angle), Math.sin(angle)],
    predictedAt: opts.predictedAt ?? Date.now(),
  };
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((p) => l.includes(p)));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('sampler service (memory bus + PGlite)', () => {
  const topics = createTopics({ partitions: 1 });
  let bus: MemoryBus;
  let db: SqlClient;
  let registry: Registry;
  let svc: RunningSampler;
  const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0].n;
  const events = (): ReviewCandidate[] => bus.records(topics.reviewCandidates.name).map((r) => topics.reviewCandidates.codec.decode(r.value));

  beforeAll(async () => {
    bus = new MemoryBus({ logger, deadLetterTopic: topics.deadLetters });
    db = await createPgliteClient();
    await migrate(db);
    registry = createMetricsRegistry('sampler', { defaultMetrics: false });
    const config = loadConfig(configSpec, {
      SAMPLER_WINDOW_SIZE: '4',
      SAMPLER_WINDOW_INTERVAL: '1h',
      SAMPLER_BUDGET: '2',
      SAMPLER_CLUSTERS: '2',
      SAMPLER_PER_CLUSTER_MAX: '1',
      SAMPLER_TICK: '50ms',
      SAMPLER_OUTBOX_INTERVAL: '50ms',
    });
    svc = await startSampler(config, { logger, registry, bus, topics, db });
  });
  afterAll(async () => {
    await svc?.close();
    await bus?.close();
    await db?.close();
  });

  it('flushes a full window into the queue: one per cluster, gate and near-duplicates applied', async () => {
    await bus.publish(topics.predictions, [
      { value: prediction('confident', '今天天气很好', { conf: 0.95 }) },
      { value: prediction('x-most', '李鹏在北京会见了日本客人', { conf: 0.5, angle: 0 }) },
      { value: prediction('x-next', '李鹏在上海会见了美国客人', { conf: 0.55, angle: 0.05 }) },
      { value: prediction('y-most', '国务院在北京召开会议', { conf: 0.6, angle: Math.PI / 2 }) },
      { value: prediction('y-next', '国务院在天津召开会议', { conf: 0.65, angle: Math.PI / 2 - 0.05 }) },
      // the same text up to an ideographic space and padding: a near-duplicate (same textHash)
      { value: prediction('dup', '\u3000李鹏在北京会见了日本客人  ', { conf: 0.52, angle: 0 }) },
    ]);
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM review_candidates')) === 2, 'two candidates');
    const { rows } = await db.query<{ doc_id: string; status: string; strategy: string; cluster: number; model_version: string; embedding: number[]; scores: Record<string, number>; candidate_id: string }>(
      'SELECT * FROM review_candidates ORDER BY priority DESC',
    );
    // pure uncertainty would take x-most and x-next; the per-cluster cap of 1 takes one of each direction
    expect(rows.map((r) => r.doc_id)).toEqual(['x-most', 'y-most']);
    expect(rows.every((r) => r.status === 'open' && r.strategy === 'sampler.hybrid.v1' && r.model_version === 'v1')).toBe(true);
    expect(rows[0].cluster).not.toBe(rows[1].cluster);
    expect(rows[0].embedding).toHaveLength(2);
    expect(Object.keys(rows[0].scores)).toHaveLength(5);
    expect(await count('SELECT count(*)::int AS n FROM sampler_window')).toBe(0);

    await waitFor(() => events().length === 2, 'two events');
    const evs = events();
    expect(evs.map((e) => e.candidateId).sort()).toEqual(rows.map((r) => r.candidate_id).sort());
    const first = evs.find((e) => e.docId === 'x-most')!;
    expect(first).toMatchObject({ strategy: 'sampler.hybrid.v1', modelVersion: 'v1', novelty: null, predicted: [{ type: 'PER', text: '李鹏' }] });
    expect(first.score).toBeCloseTo(-Math.log(0.5), 5); // MNLP of 4 tokens at 0.5 each

    const m = await registry.metrics();
    expect(metricValue(m, 'zhner_sampler_predictions_total', 'outcome="gated_out"')).toBe(1);
    expect(metricValue(m, 'zhner_sampler_predictions_total', 'outcome="windowed"')).toBe(4);
    expect(metricValue(m, 'zhner_sampler_duplicates_dropped_total', 'stage="window"')).toBe(1);
    expect(metricValue(m, 'zhner_sampler_candidates_emitted_total', 'strategy="sampler.hybrid.v1"')).toBe(2);
    expect(metricValue(m, 'zhner_sampler_queue_depth', 'status="open"')).toBe(2);
    expect(metricValue(m, 'zhner_sampler_windows_total', 'trigger="size"')).toBe(1);
    expect(m).toMatch(/zhner_sampler_clusters\{[^}]*\} 2/);
    expect(metricValue(m, 'zhner_sampler_uncertainty_score_count', 'score="sampler.mnlp.v1"')).toBe(6);
  });

  it('drops a text already queued and absorbs a redelivered document', async () => {
    await bus.publish(topics.predictions, [
      { value: prediction('x-most', '李鹏在北京会见了日本客人', { conf: 0.5 }) }, // redelivery of a queued document
      { value: prediction('other', '国务院在北京召开会议', { conf: 0.5 }) }, // another document, same text as a queued one
    ]);
    await waitFor(async () => metricValue(await registry.metrics(), 'zhner_sampler_predictions_total', 'outcome="redelivered"') === 1, 'redelivery counted');
    const m = await registry.metrics();
    expect(metricValue(m, 'zhner_sampler_duplicates_dropped_total', 'stage="queue"')).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM sampler_window')).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM review_candidates')).toBe(2);
  });

  it('dead-letters undecodable and invalid predictions', async () => {
    await bus.publishRaw(topics.predictions.name, [{ key: 'poison', value: Buffer.from([0x02, 0xff, 0xff]) }]);
    await bus.publish(topics.predictions, [{ value: { ...prediction('bad', '李鹏在北京'), tokenCount: 9 } }]);
    await waitFor(() => bus.records(topics.deadLetters.name).length === 2, 'two dead letters');
    const codes = bus.records(topics.deadLetters.name).map((r) => r.headers[DLT_HEADERS.errorCode]).sort();
    expect(codes).toEqual(['DECODE_FAILED', 'VALIDATION_FAILED']);
  });

  it('serves the queue over HTTP', async () => {
    // a real port: fastify's inject() needs light-my-request, whose ESM-only `cookie` jest cannot load here
    const app = svc.app!;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    };
    const res = await get('/queue?status=open&limit=1');
    expect(res.status).toBe(200);
    expect(res.body.limit).toBe(1);
    expect(res.body.items.map((i: { docId: string; status: string }) => [i.docId, i.status])).toEqual([['x-most', 'open']]);
    expect(res.body.items[0]).toMatchObject({ strategy: 'sampler.hybrid.v1', modelVersion: 'v1', novelty: null, cluster: expect.any(Number) });
    expect((await get('/queue')).body.items).toHaveLength(2);
    expect((await get('/queue?status=done')).body.items).toHaveLength(0);
    const bad = await get('/queue?status=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await get('/queue?limit=0')).status).toBe(400);
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/healthz')).body).toMatchObject({ status: 'ok', strategy: 'sampler.hybrid.v1' });
    await app.close();
  });

  it('on PROMOTED expires older open candidates, drops stale predictions, and re-opens a text that returns', async () => {
    await db.query(`UPDATE review_candidates SET status = 'claimed' WHERE doc_id = 'y-most'`); // being annotated: kept
    const at = Date.now() + 5; // created_at of the rows is before this
    const promoted: ModelEvent = { eventId: 'e-1', type: 'PROMOTED', modelVersion: 'v2', previousVersion: 'v1', modelUri: 'file:///m/v2', manifestSha256: 'x', metrics: {}, reason: null, at };
    await new Promise((r) => setTimeout(r, 10));
    await bus.publish(topics.modelEvents, [{ value: promoted }]);
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM review_candidates WHERE status = 'expired'`)) === 1, 'expiry');
    expect(await count(`SELECT count(*)::int AS n FROM review_candidates WHERE status = 'claimed'`)).toBe(1);
    expect(svc.sampler.promotion).toEqual({ modelVersion: 'v2', at });
    const before = (await db.query<{ candidate_id: string }>(`SELECT candidate_id FROM review_candidates WHERE doc_id = 'x-most'`)).rows[0].candidate_id;

    // a v1 prediction made before the promotion is stale; the same text tagged by v2 re-opens the expired row
    await bus.publish(topics.predictions, [
      { value: prediction('stale', '朱镕基在广州考察', { conf: 0.5, predictedAt: at - 1000 }) },
      { value: prediction('x-again', '李鹏在北京会见了日本客人', { conf: 0.4, modelVersion: 'v2', predictedAt: at + 1 }) },
    ]);
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM sampler_window')) === 1, 'window entry');
    expect(metricValue(await registry.metrics(), 'zhner_sampler_predictions_total', 'outcome="stale_model"')).toBe(1);
    const flushed = await svc.sampler.flushDue({ force: true });
    expect(flushed.map((f) => [f.emitted.length, f.reopened])).toEqual([[1, 1]]);
    const row = (await db.query<{ candidate_id: string; status: string; model_version: string; doc_id: string; rescored_at: Date | null }>(`SELECT * FROM review_candidates WHERE doc_id = 'x-again'`)).rows[0];
    expect(row).toMatchObject({ candidate_id: before, status: 'open', model_version: 'v2' });
    expect(row.rescored_at).not.toBeNull();
    await waitFor(() => events().some((e) => e.docId === 'x-again' && e.modelVersion === 'v2' && e.candidateId === before), 'event of the re-opened candidate');

    // redelivering the promotion (or replaying an older one) changes nothing
    await bus.publish(topics.modelEvents, [{ value: promoted }, { value: { ...promoted, eventId: 'e-0', modelVersion: 'v1', at: at - 60_000 } }]);
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM sampler_promotions')) === 2, 'replayed promotion recorded');
    expect(await count(`SELECT count(*)::int AS n FROM review_candidates WHERE status = 'open'`)).toBe(1);
    expect(svc.sampler.promotion).toEqual({ modelVersion: 'v2', at });
    expect(metricValue(await registry.metrics(), 'zhner_sampler_candidates_expired_total', '')).toBe(1);
  });
});

describe('sampler service: interval flush', () => {
  it('flushes a window that is not full once its oldest document has waited the interval', async () => {
    const topics = createTopics({ partitions: 1 });
    const bus = new MemoryBus({ logger, deadLetterTopic: topics.deadLetters });
    const db = await createPgliteClient();
    await migrate(db);
    const config = loadConfig(configSpec, { SAMPLER_WINDOW_SIZE: '100', SAMPLER_WINDOW_INTERVAL: '150ms', SAMPLER_TICK: '30ms', SAMPLER_STRATEGY: 'sampler.entropy.v1', SAMPLER_BUDGET: '1' });
    const registry = createMetricsRegistry('sampler', { defaultMetrics: false });
    const svc = await startSampler(config, { logger, registry, bus, topics, db });
    try {
      await bus.publish(topics.predictions, [{ value: prediction('a', '甲文本', { conf: 0.7 }) }, { value: prediction('b', '乙文本', { conf: 0.5 }) }]);
      await waitFor(async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sampler_window')).rows[0].n === 2, 'window filled');
      expect((await db.query('SELECT 1 FROM review_candidates')).rows).toHaveLength(0);
      await waitFor(async () => (await db.query('SELECT 1 FROM review_candidates')).rows.length === 1, 'interval flush');
      const { rows } = await db.query<{ doc_id: string; strategy: string; cluster: number | null }>('SELECT doc_id, strategy, cluster FROM review_candidates');
      expect(rows).toEqual([{ doc_id: 'b', strategy: 'sampler.entropy.v1', cluster: null }]);
      expect(metricValue(await registry.metrics(), 'zhner_sampler_windows_total', 'trigger="interval"')).toBe(1);
    } finally {
      await svc.close();
      await bus.close();
      await db.close();
    }
  });
});
