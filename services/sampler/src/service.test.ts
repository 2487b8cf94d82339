// The whole service on the in-memory bus and PGlite: predictions in, a window flushed into
// selections (rows + events), duplicates, poison, corrections marking labelled, promotion expiry and re-selection.
import { createTopics, type Correction, type ModelEvent, type Prediction, type ReviewCandidate } from '@zhner/contracts';
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
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM sampler_selections')) === 2, 'two selections');
    const { rows } = await db.query<{ doc_id: string; state: string; strategy: string; model_version: string; embedding: number[]; candidate_id: string }>(
      'SELECT * FROM sampler_selections ORDER BY score DESC',
    );
    // pure uncertainty would take x-most and x-next; the per-cluster cap of 1 takes one of each direction
    expect(rows.map((r) => r.doc_id)).toEqual(['x-most', 'y-most']);
    expect(rows.every((r) => r.state === 'selected' && r.strategy === 'sampler.hybrid.v1' && r.model_version === 'v1')).toBe(true);
    expect(rows[0].embedding).toHaveLength(2);
    expect(await count('SELECT count(*)::int AS n FROM sampler_window')).toBe(0);

    await waitFor(() => events().length === 2, 'two events');
    const evs = events();
    expect(evs.map((e) => e.candidateId).sort()).toEqual(rows.map((r) => r.candidate_id).sort());
    expect(evs[0].cluster).not.toBe(evs[1].cluster);
    expect(Object.keys(evs[0].scores)).toHaveLength(5);
    const first = evs.find((e) => e.docId === 'x-most')!;
    expect(first).toMatchObject({ strategy: 'sampler.hybrid.v1', modelVersion: 'v1', novelty: null, predicted: [{ type: 'PER', text: '李鹏' }] });
    expect(first.score).toBeCloseTo(-Math.log(0.5), 5); // MNLP of 4 tokens at 0.5 each

    const m = await registry.metrics();
    expect(metricValue(m, 'zhner_sampler_predictions_total', 'outcome="gated_out"')).toBe(1);
    expect(metricValue(m, 'zhner_sampler_predictions_total', 'outcome="windowed"')).toBe(4);
    expect(metricValue(m, 'zhner_sampler_duplicates_dropped_total', 'stage="window"')).toBe(1);
    expect(metricValue(m, 'zhner_sampler_candidates_emitted_total', 'strategy="sampler.hybrid.v1"')).toBe(2);
    expect(metricValue(m, 'zhner_sampler_selections', 'state="selected"')).toBe(2);
    expect(metricValue(m, 'zhner_sampler_windows_total', 'trigger="size"')).toBe(1);
    expect(m).toMatch(/zhner_sampler_clusters\{[^}]*\} 2/);
    expect(metricValue(m, 'zhner_sampler_uncertainty_score_count', 'score="sampler.mnlp.v1"')).toBe(6);
  });

  it('drops a text already selected and absorbs a redelivered document', async () => {
    await bus.publish(topics.predictions, [
      { value: prediction('x-most', '李鹏在北京会见了日本客人', { conf: 0.5 }) }, // redelivery of a selected document
      { value: prediction('other', '国务院在北京召开会议', { conf: 0.5 }) }, // another document, same text as a selected one
    ]);
    await waitFor(async () => metricValue(await registry.metrics(), 'zhner_sampler_predictions_total', 'outcome="redelivered"') === 1, 'redelivery counted');
    const m = await registry.metrics();
    expect(metricValue(m, 'zhner_sampler_duplicates_dropped_total', 'stage="selected"')).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM sampler_window')).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM sampler_selections')).toBe(2);
  });

  it('dead-letters undecodable and invalid predictions', async () => {
    await bus.publishRaw(topics.predictions.name, [{ key: 'poison', value: Buffer.from([0x02, 0xff, 0xff]) }]);
    await bus.publish(topics.predictions, [{ value: { ...prediction('bad', '李鹏在北京'), tokenCount: 9 } }]);
    await waitFor(() => bus.records(topics.deadLetters.name).length === 2, 'two dead letters');
    const codes = bus.records(topics.deadLetters.name).map((r) => r.headers[DLT_HEADERS.errorCode]).sort();
    expect(codes).toEqual(['DECODE_FAILED', 'VALIDATION_FAILED']);
  });

  it('serves its selections over HTTP (GET /selections, the published contract)', async () => {
    // a real port: fastify's inject() needs light-my-request, whose ESM-only `cookie` jest cannot load here
    const app = svc.app!;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    };
    const res = await get('/selections?state=selected&limit=1');
    expect(res.status).toBe(200);
    expect(res.body.limit).toBe(1);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ state: 'selected', strategy: 'sampler.hybrid.v1', modelVersion: 'v1', labelledAt: null, selectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect((await get('/selections')).body.items).toHaveLength(2);
    expect((await get('/selections?state=labelled')).body.items).toHaveLength(0);
    const bad = await get('/selections?state=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await get('/selections?limit=0')).status).toBe(400);
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/healthz')).body).toMatchObject({ status: 'ok', strategy: 'sampler.hybrid.v1' });
    await app.close();
  });

  it('learns "labelled" from the corrections topic: that selection is never selected again and feeds novelty', async () => {
    const y = (await db.query<{ candidate_id: string }>(`SELECT candidate_id FROM sampler_selections WHERE doc_id = 'y-most'`)).rows[0].candidate_id;
    const correction: Correction = { correctionId: 'c-1', candidateId: y, docId: 'y-most', text: '国务院在北京召开会议', annotator: 'alice', revision: 0, entities: [], modelVersion: 'v1', origin: 'STUDIO', createdAt: Date.now() };
    await bus.publish(topics.corrections, [{ value: correction }, { value: correction }]); // a redelivery changes nothing
    await waitFor(async () => metricValue(await registry.metrics(), 'zhner_sampler_labelled_total', '') === 1, 'labelled');
    expect(await count(`SELECT count(*)::int AS n FROM sampler_selections WHERE state = 'labelled'`)).toBe(1);
    expect(await svc.sampler.labelledEmbeddings()).toEqual([expect.any(Array)]);
  });

  it('on PROMOTED expires older unlabelled selections, drops stale predictions, and selects a text that returns again', async () => {
    const at = Date.now() + 5; // selected_at of the rows is before this
    const promoted: ModelEvent = { eventId: 'e-1', type: 'PROMOTED', modelVersion: 'v2', previousVersion: 'v1', modelUri: 'file:///m/v2', manifestSha256: 'x', metrics: {}, reason: null, at };
    await new Promise((r) => setTimeout(r, 10));
    await bus.publish(topics.modelEvents, [{ value: promoted }]);
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM sampler_selections WHERE state = 'expired'`)) === 1, 'expiry');
    expect(await count(`SELECT count(*)::int AS n FROM sampler_selections WHERE state = 'labelled'`)).toBe(1); // labelled: kept
    expect(svc.sampler.promotion).toEqual({ modelVersion: 'v2', at });
    const before = (await db.query<{ candidate_id: string }>(`SELECT candidate_id FROM sampler_selections WHERE doc_id = 'x-most'`)).rows[0].candidate_id;

    // a v1 prediction made before the promotion is stale; the same text tagged by v2 is selected again
    await bus.publish(topics.predictions, [
      { value: prediction('stale', '朱镕基在广州考察', { conf: 0.5, predictedAt: at - 1000 }) },
      { value: prediction('x-again', '李鹏在北京会见了日本客人', { conf: 0.4, modelVersion: 'v2', predictedAt: at + 1 }) },
    ]);
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM sampler_window')) === 1, 'window entry');
    expect(metricValue(await registry.metrics(), 'zhner_sampler_predictions_total', 'outcome="stale_model"')).toBe(1);
    const flushed = await svc.sampler.flushDue({ force: true });
    expect(flushed.map((f) => [f.emitted.length, f.reopened])).toEqual([[1, 1]]);
    const row = (await db.query<{ candidate_id: string; state: string; model_version: string; doc_id: string }>(`SELECT * FROM sampler_selections WHERE doc_id = 'x-again'`)).rows[0];
    expect(row).toMatchObject({ candidate_id: before, state: 'selected', model_version: 'v2' });
    await waitFor(() => events().some((e) => e.docId === 'x-again' && e.modelVersion === 'v2' && e.candidateId === before), 'event of the re-selected candidate');

    // redelivering the promotion (or replaying an older one) changes nothing
    await bus.publish(topics.modelEvents, [{ value: promoted }, { value: { ...promoted, eventId: 'e-0', modelVersion: 'v1', at: at - 60_000 } }]);
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM sampler_promotions')) === 2, 'replayed promotion recorded');
    expect(await count(`SELECT count(*)::int AS n FROM sampler_selections WHERE state = 'selected'`)).toBe(1);
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
      expect((await db.query('SELECT 1 FROM sampler_selections')).rows).toHaveLength(0);
      await waitFor(async () => (await db.query('SELECT 1 FROM sampler_selections')).rows.length === 1, 'interval flush');
      const { rows } = await db.query<{ doc_id: string; strategy: string }>('SELECT doc_id, strategy FROM sampler_selections');
      expect(rows).toEqual([{ doc_id: 'b', strategy: 'sampler.entropy.v1' }]);
      expect(metricValue(await registry.metrics(), 'zhner_sampler_windows_total', 'trigger="interval"')).toBe(1);
    } finally {
      await svc.close();
      await bus.close();
      await db.close();
    }
  });
});
