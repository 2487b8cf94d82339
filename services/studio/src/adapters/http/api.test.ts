// The studio's REST API on the embedded store (PGlite) and the in-process bus: auth, every
// correction rule, idempotency, claim exclusivity, outbox publishing, adjudication, the OpenAPI
// document and the web bundle fallback.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryBus } from '@zhner/bus';
import { createTopics, type Correction, type ModelEvent } from '@zhner/contracts';
import { loadConfig, textHash } from '@zhner/core';
import { Registry, createLogger } from '@zhner/kit';
import { createPgliteClient, migrate, type SqlClient } from '@zhner/store';
import { configSpec, startStudio, type ModelActions, type NerClient, type RunningStudio } from '../../index';
import * as testkit from '../../testkit';

jest.setTimeout(60_000);

const TEXT = '李鹏在北京会见了日本客人';
const logger = createLogger('studio-test', { level: 'silent' });

interface Harness {
  db: SqlClient;
  bus: MemoryBus;
  studio: RunningStudio;
  topics: ReturnType<typeof createTopics>;
  tokens: { alice: string; bob: string; admin: string; carol: string };
  modelCalls: string[];
  nerFails: { on: boolean };
  upstreams: testkit.FakeUpstreams;
}

async function startHarness(env: Record<string, string> = {}, webDir?: string): Promise<Harness> {
  const db = await createPgliteClient();
  await migrate(db);
  const topics = createTopics({ prefix: 'unit.' });
  const bus = new MemoryBus({ logger, deadLetterTopic: topics.deadLetters });
  const nerFails = { on: false };
  const nerClient: NerClient = {
    async tag(texts) {
      if (nerFails.on) throw Object.assign(new Error('down'), {});
      return {
        modelVersion: 'stub-model-7',
        results: texts.map((t) => ({ entities: t.includes('北京') ? [{ start: t.indexOf('北京'), end: t.indexOf('北京') + 2, type: 'LOC', text: '北京', score: 0.93 }] : [] })),
      };
    },
  };
  const modelCalls: string[] = [];
  const modelActions: ModelActions = {
    triggerTraining: async (r) => (modelCalls.push(`train by ${r.requestedBy}`), { runId: 'run-1' }),
    startRollout: async (r) => (modelCalls.push(`rollout ${r.modelVersion} by ${r.requestedBy}`), { rolloutId: 'ro-1' }),
    rollback: async (id, r) => (modelCalls.push(`rollback ${id} by ${r.requestedBy}`), { ok: true }),
    // the registry's label set follows (as the orchestrator's does)
    admitType: async (r) => (modelCalls.push(`admit ${r.type} by ${r.by}`), upstreams.labelSet.push(r.type), { type: r.type }),
    removeType: async (r) => (modelCalls.push(`remove ${r.type} by ${r.by}`), (upstreams.labelSet = upstreams.labelSet.filter((t) => t !== r.type)), null),
  };
  const config = loadConfig(configSpec, { LABELS_FROM_MODEL: 'false', OUTBOX_INTERVAL: '1h', STUDIO_WEB_DIR: webDir ?? path.join(tmpdir(), 'no-such-studio-dist'), API_DOCS_UI: 'false', ...env });
  const upstreams = new testkit.FakeUpstreams();
  const studio = await startStudio(config, { logger, registry: new Registry(), bus, topics, db }, { nerClient, modelActions, registry: upstreams, rollouts: upstreams });
  const tokens = {
    alice: await testkit.issueToken(db, 'alice'),
    bob: await testkit.issueToken(db, 'bob'),
    carol: await testkit.issueToken(db, 'carol'),
    admin: await testkit.issueToken(db, 'root', 'admin'),
  };
  return { db, bus, studio, topics, tokens, modelCalls, nerFails, upstreams };
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const count = async (db: SqlClient, table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

describe('studio API', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.studio.close();
    await h.bus.close();
    await h.db.close();
  });
  beforeEach(async () => {
    await h.db.exec('TRUNCATE correction_reviews, adjudications, corrections, outbox, review_queue');
    await testkit.insertCandidate(h.db, { candidateId: 'cand-a', text: TEXT, priority: 9, score: 0.8, strategy: 'sampler.hybrid.v1', predicted: [[0, 2, 'ORG', 0.41], [3, 5, 'LOC', 0.9], [10, 12, 'PER', 0.3]] });
    await testkit.insertCandidate(h.db, { candidateId: 'cand-b', text: '王小明在上海工作', priority: 5, predicted: [[4, 6, 'LOC']] });
    await testkit.insertCandidate(h.db, { candidateId: 'cand-c', text: '联合国总部位于纽约', priority: 1 });
  });

  const inject = (method: 'GET' | 'POST', url: string, opts: { token?: string; body?: unknown } = {}) =>
    h.studio.app.inject({ method, url, headers: opts.token ? auth(opts.token) : {}, payload: opts.body as object | undefined });
  const claimNext = async (token: string) => (await inject('POST', '/api/queue/claim', { token })).json().item;
  const submit = (token: string, body: Record<string, unknown>) => inject('POST', '/api/corrections', { token, body });
  const goodEntities = [
    { start: 0, end: 2, type: 'PER', text: '李鹏' },
    { start: 3, end: 5, type: 'LOC', text: '北京' },
    { start: 8, end: 10, type: 'LOC', text: '日本' },
  ];

  describe('authentication', () => {
    it('refuses a write without a token (401, nothing changes)', async () => {
      const res = await inject('POST', '/api/queue/claim');
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
      const sub = await submit('', { candidateId: 'cand-a', entities: goodEntities });
      expect(sub.statusCode).toBe(401);
      expect(await count(h.db, 'corrections')).toBe(0);
      expect((await inject('GET', '/api/queue/cand-a', { token: h.tokens.carol })).json().status).toBe('open');
    });

    it('refuses malformed, unknown, revoked and disabled tokens', async () => {
      expect((await inject('POST', '/api/queue/claim', { token: 'not-a-token' })).statusCode).toBe(401);
      const forged = h.tokens.alice.slice(0, -4) + 'AAAA';
      expect((await inject('POST', '/api/queue/claim', { token: forged })).statusCode).toBe(401);
      const dave = await testkit.issueToken(h.db, 'dave');
      expect((await inject('GET', '/api/me', { token: dave })).statusCode).toBe(200);
      await h.db.query(`UPDATE api_tokens SET revoked_at = now() WHERE token_id = $1`, [dave.split('_')[1]]);
      expect((await inject('GET', '/api/me', { token: dave })).json().error.message).toMatch(/revoked/);
      const erin = await testkit.issueToken(h.db, 'erin');
      await h.db.query(`UPDATE annotators SET disabled_at = now() WHERE annotator_id = 'erin'`);
      expect((await inject('GET', '/api/me', { token: erin })).statusCode).toBe(401);
    });

    it('stores tokens hashed, never in clear', async () => {
      const { rows } = await h.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
      const secret = h.tokens.alice.split('_').slice(2).join('_');
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.some((r) => r.token_hash.includes(secret) || r.token_hash === h.tokens.alice)).toBe(false);
    });

    it('keeps model actions to admins (403 for an annotator)', async () => {
      const res = await inject('POST', '/api/models/rollouts', { token: h.tokens.alice, body: { modelVersion: 'v2' } });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
      expect((await inject('POST', '/api/models/training', { body: {} })).statusCode).toBe(401);
      expect((await inject('GET', '/api/adjudication/conflicts', { token: h.tokens.bob })).statusCode).toBe(403);
      expect(h.modelCalls).toEqual([]);
      const pathy = await inject('POST', '/api/models/rollouts', { token: h.tokens.admin, body: { modelVersion: 'v2', modelUri: '/etc' } });
      expect([pathy.statusCode, pathy.json().error.code]).toEqual([400, 'PATH_REFUSED']);
      expect(pathy.body).not.toContain('/etc');
      expect((await inject('POST', '/api/models/rollouts', { token: h.tokens.admin, body: { modelVersion: '../../etc' } })).statusCode).toBe(400);
      expect((await inject('POST', '/api/models/rollouts', { token: h.tokens.admin, body: { modelVersion: 'v2' } })).statusCode).toBe(404);
      h.upstreams.versions = [testkit.modelVersion({ version: 'v2', status: 'candidate' })];
      const ok = await inject('POST', '/api/models/rollouts', { token: h.tokens.admin, body: { modelVersion: 'v2' } });
      expect(ok.statusCode).toBe(202);
      expect((await inject('POST', '/api/models/training', { token: h.tokens.admin, body: { reason: 'test' } })).statusCode).toBe(202);
      expect((await inject('POST', '/api/models/rollouts/ro-1/rollback', { token: h.tokens.admin, body: {} })).statusCode).toBe(202);
      expect(h.modelCalls).toEqual(['rollout v2 by root', 'train by root', 'rollback ro-1 by root']);
    });

    it('keeps texts and people behind a token (STUDIO_PUBLIC_READS opens them)', async () => {
      for (const url of ['/api/queue', '/api/queue/cand-a', '/api/annotators', '/api/corrections']) {
        const r = await inject('GET', url);
        expect({ url, status: r.statusCode, code: r.json().error.code }).toEqual({ url, status: 401, code: 'UNAUTHENTICATED' });
        expect(r.body).not.toContain(TEXT);
      }
      expect((await inject('GET', '/api/config')).statusCode).toBe(200);
      expect((await inject('GET', '/api/models')).statusCode).toBe(200);
      const open = await startHarness({ STUDIO_PUBLIC_READS: 'true' });
      try {
        await testkit.insertCandidate(open.db, { candidateId: 'p1', text: TEXT });
        const r = await open.studio.app.inject({ method: 'GET', url: '/api/queue' });
        expect([r.statusCode, r.json().items[0].text]).toEqual([200, TEXT]);
      } finally {
        await open.studio.close();
        await open.bus.close();
        await open.db.close();
      }
    });

    it('says who a token belongs to', async () => {
      expect((await inject('GET', '/api/me', { token: h.tokens.admin })).json()).toMatchObject({ annotatorId: 'root', role: 'admin' });
    });
  });

  describe('correction rules (400 naming the offending span; nothing stored)', () => {
    beforeEach(async () => {
      expect((await claimNext(h.tokens.alice)).candidate.candidateId).toBe('cand-a');
    });

    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['span outside the text', { entities: [goodEntities[0], { start: 10, end: 13, type: 'PER', text: '客人' }] }, 'SPAN_OUT_OF_RANGE', 'entities[1]'],
      ['start = end', { entities: [goodEntities[0], goodEntities[1], { start: 6, end: 6, type: 'LOC', text: '' }] }, 'SPAN_EMPTY', 'entities[2]'],
      ['start > end', { entities: [{ start: 5, end: 3, type: 'LOC', text: '' }] }, 'SPAN_EMPTY', 'entities[0]'],
      ['fractional offset', { entities: [{ start: 0, end: 1.5, type: 'PER', text: '李' }] }, 'SPAN_NOT_INTEGER', 'entities[0]'],
      ['overlapping spans', { entities: [goodEntities[0], { start: 1, end: 5, type: 'LOC', text: '鹏在北京' }] }, 'SPAN_OVERLAP', 'entities[1]'],
      ['type not in the label set', { entities: [goodEntities[0], { start: 3, end: 5, type: 'GPE', text: '北京' }] }, 'UNKNOWN_TYPE', 'entities[1]'],
      ['surface text differing from the slice', { entities: [goodEntities[0], { start: 3, end: 5, type: 'LOC', text: '上海' }] }, 'SURFACE_MISMATCH', 'entities[1]'],
      ['I- without B-', { tags: 'O I-PER O O O O O O O O O O'.split(' ') }, 'BIO_INVALID', 'tags[1]'],
      ['I- of another type', { tags: 'B-PER I-LOC O O O O O O O O O O'.split(' ') }, 'BIO_INVALID', 'tags[1]'],
      ['a tag per character missing', { tags: ['B-PER', 'I-PER'] }, 'TAGS_LENGTH', 'tags'],
      ['malformed tag', { tags: 'B-PER I-PER O B_LOC O O O O O O O O'.split(' ') }, 'BIO_INVALID', 'tags[3]'],
      ['BIO type outside the label set', { tags: 'B-PER I-PER O B-GPE I-GPE O O O O O O O'.split(' ') }, 'UNKNOWN_TYPE', 'tags[3]'],
      ['tokens not making up the text', { tokens: ['李鹏', '在'], tags: ['B-PER', 'O'] }, 'TOKENS_MISMATCH', 'tokens'],
      ['both spans and tags', { entities: [], tags: [] }, 'INPUT_FORM', 'tags'],
    ];

    it.each(cases)('rejects %s', async (_what, body, code, field) => {
      const res = await submit(h.tokens.alice, { candidateId: 'cand-a', ...body });
      expect(res.statusCode).toBe(400);
      const err = res.json().error;
      expect([err.code, err.field]).toEqual([code, field]);
      expect(err.message).toContain(field);
      expect(await count(h.db, 'corrections')).toBe(0);
      expect(await count(h.db, 'outbox')).toBe(0);
      expect((await inject('GET', '/api/queue/cand-a', { token: h.tokens.carol })).json().status).toBe('claimed');
    });

    it('counts rejections by rule', async () => {
      await submit(h.tokens.alice, { candidateId: 'cand-a', entities: [{ start: 3, end: 5, type: 'LOC', text: '上海' }] });
      const metrics = (await inject('GET', '/metrics')).body;
      expect(metrics).toMatch(/zhner_studio_corrections_rejected_total\{reason="SURFACE_MISMATCH",service="[^"]*"\} [1-9]|studio_corrections_rejected_total\{reason="SURFACE_MISMATCH"\} [1-9]/);
    });

    it('rejects a body that breaks the schema', async () => {
      const res = await submit(h.tokens.alice, { candidateId: 'cand-a', entities: [{ start: 0, end: 2, type: 'PER' }] });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toMatch(/^body\.entities\.0/);
    });

    it('accepts BIO tags per character and stores them as spans', async () => {
      const res = await submit(h.tokens.alice, { candidateId: 'cand-a', tags: 'B-PER I-PER O B-LOC I-LOC O O O B-LOC I-LOC O O'.split(' ') });
      expect(res.statusCode).toBe(201);
      expect(res.json().correction.entities).toEqual(goodEntities);
    });
  });

  describe('storing and publishing', () => {
    it('writes the correction, closes the item and publishes one Correction through the outbox', async () => {
      const item = await claimNext(h.tokens.alice);
      expect(item).toMatchObject({ revision: 0, candidate: { candidateId: 'cand-a', status: 'claimed', claimedBy: 'alice', strategy: 'sampler.hybrid.v1' } });
      const res = await submit(h.tokens.alice, { candidateId: 'cand-a', revision: 0, entities: [goodEntities[2], goodEntities[0], goodEntities[1]], claimNext: true });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.next.candidate.candidateId).toBe('cand-b');
      const c: Correction = body.correction;
      expect(c).toMatchObject({ candidateId: 'cand-a', annotator: 'alice', revision: 0, origin: 'STUDIO', modelVersion: 'test-model-1', entities: goodEntities });
      expect((await inject('GET', '/api/queue/cand-a', { token: h.tokens.carol })).json().status).toBe('done');
      const row = (await h.db.query<{ entities: unknown; status: string }>('SELECT entities, status FROM corrections WHERE correction_id = $1', [c.correctionId])).rows[0];
      expect(row).toEqual({ entities: goodEntities, status: 'accepted' });

      expect(h.bus.records(h.topics.corrections.name)).toHaveLength(0);
      expect(await h.studio.flushOutbox()).toBe(1);
      const records = h.bus.records(h.topics.corrections.name);
      expect(records).toHaveLength(1);
      expect(records[0].key?.toString()).toBe(c.correctionId);
      expect(h.topics.corrections.codec.decode(records[0].value!)).toEqual(c);
      expect(await h.studio.flushOutbox()).toBe(0);
    });

    it('is idempotent on (candidate, annotator, revision): a retry stores and publishes nothing new', async () => {
      await claimNext(h.tokens.alice);
      const body = { candidateId: 'cand-a', revision: 0, entities: goodEntities };
      const before = h.bus.records(h.topics.corrections.name).length;
      const first = await submit(h.tokens.alice, body);
      const again = await submit(h.tokens.alice, body);
      expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
      expect(again.json().duplicate).toBe(true);
      expect(again.json().correction).toEqual(first.json().correction);
      expect(await count(h.db, 'corrections')).toBe(1);
      await h.studio.flushOutbox();
      expect(h.bus.records(h.topics.corrections.name).slice(before).map((r) => r.key?.toString())).toEqual([first.json().correction.correctionId]);

      const changed = await submit(h.tokens.alice, { ...body, entities: goodEntities.slice(0, 2) });
      expect(changed.statusCode).toBe(409);
      expect(changed.json().error.code).toBe('IDEMPOTENCY_CONFLICT');

      const revised = await submit(h.tokens.alice, { ...body, revision: 1, entities: goodEntities.slice(0, 2) });
      expect(revised.statusCode).toBe(201);
      expect(revised.json().correction.correctionId).not.toBe(first.json().correction.correctionId);
      const statuses = (await h.db.query<{ revision: number; status: string }>('SELECT revision, status FROM corrections ORDER BY revision')).rows;
      expect(statuses).toEqual([
        { revision: 0, status: 'superseded' },
        { revision: 1, status: 'accepted' },
      ]);
    });

    it('needs a claim before a correction', async () => {
      const res = await submit(h.tokens.alice, { candidateId: 'cand-b', entities: [] });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('NOT_CLAIMED');
      expect((await submit(h.tokens.alice, { candidateId: 'nope', entities: [] })).statusCode).toBe(404);
    });
  });

  describe('claiming', () => {
    it('gives each annotator a different item, highest priority first, and keeps others off a claimed one', async () => {
      const a = await claimNext(h.tokens.alice);
      const b = await claimNext(h.tokens.bob);
      expect([a.candidate.candidateId, b.candidate.candidateId]).toEqual(['cand-a', 'cand-b']);
      expect((await claimNext(h.tokens.alice)).candidate.candidateId).toBe('cand-a'); // the held item comes back
      const steal = await inject('POST', '/api/queue/cand-a/claim', { token: h.tokens.bob });
      expect(steal.statusCode).toBe(409);
      expect(steal.json().error.code).toBe('CLAIMED_BY_OTHER');
      const write = await submit(h.tokens.bob, { candidateId: 'cand-a', entities: [] });
      expect(write.json().error.code).toBe('CLAIMED_BY_OTHER');
      expect(await count(h.db, 'corrections')).toBe(0);
    });

    it('lets an expired claim be taken over', async () => {
      await claimNext(h.tokens.alice);
      await h.db.query(`UPDATE review_queue SET claim_expires_at = now() - interval '1 second' WHERE candidate_id = 'cand-a'`);
      expect((await claimNext(h.tokens.bob)).candidate.candidateId).toBe('cand-a');
      expect((await submit(h.tokens.alice, { candidateId: 'cand-a', entities: [] })).json().error.code).toBe('CLAIMED_BY_OTHER');
    });

    it('never hands one item to two of many concurrent claimers', async () => {
      for (let i = 0; i < 6; i++) await testkit.insertCandidate(h.db, { candidateId: `extra-${i}`, text: `第${i}条：张三在广州`, priority: 3 });
      const people = await Promise.all(Array.from({ length: 9 }, (_, i) => testkit.issueToken(h.db, `p${i}`)));
      const items = await Promise.all(people.map((t) => claimNext(t)));
      const ids = items.map((it) => it.candidate.candidateId);
      expect(new Set(ids).size).toBe(9);
      expect((await claimNext(h.tokens.alice))).toBeNull();
    });

    it('skips an item and hands out the next one in the same call', async () => {
      await claimNext(h.tokens.alice);
      const res = await inject('POST', '/api/queue/cand-a/skip', { token: h.tokens.alice, body: { claimNext: true } });
      expect(res.statusCode).toBe(200);
      expect(res.json().next.candidate.candidateId).toBe('cand-b');
      expect((await inject('GET', '/api/queue/cand-a', { token: h.tokens.carol })).json().status).toBe('skipped');
      expect((await inject('POST', '/api/queue/cand-c/skip', { token: h.tokens.alice, body: {} })).json().error.code).toBe('NOT_CLAIMED');
    });

    it('lists the queue by priority with why each item was picked', async () => {
      const res = await inject('GET', '/api/queue?limit=10', { token: h.tokens.carol });
      const { depth, items } = res.json();
      expect(depth).toEqual({ open: 3, claimed: 0, done: 0, skipped: 0, expired: 0 });
      expect(items.map((i: { candidateId: string }) => i.candidateId)).toEqual(['cand-a', 'cand-b', 'cand-c']);
      expect(items[0]).toMatchObject({ strategy: 'sampler.hybrid.v1', score: 0.8, scores: { entropy: 0.8 } });
      expect((await inject('GET', '/api/queue?status=bogus', { token: h.tokens.carol })).statusCode).toBe(400);
    });
  });

  describe('tagging', () => {
    it('proxies texts to the tagger', async () => {
      const res = await inject('POST', '/api/ner', { body: { text: TEXT } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ modelVersion: 'stub-model-7', results: [{ text: TEXT, entities: [{ start: 3, end: 5, type: 'LOC', text: '北京', score: 0.93 }] }] });
      expect((await inject('POST', '/api/ner', { body: {} })).statusCode).toBe(400);
    });

    it('answers 502 when the tagger fails', async () => {
      h.nerFails.on = true;
      try {
        const res = await inject('POST', '/api/ner', { body: { texts: ['北京'] } });
        expect(res.statusCode).toBe(502);
        expect(res.json().error.code).toBe('UPSTREAM_FAILED');
      } finally {
        h.nerFails.on = false;
      }
    });
  });

  describe('adjudication and annotator figures', () => {
    it('shows a conflict, resolves it by picking one, publishes an ADJUDICATION correction and credits agreement', async () => {
      // two annotators correct the same text differently (the item wants two annotations)
      await h.db.query(`UPDATE review_queue SET status = 'claimed', claimed_by = 'alice', claim_expires_at = now() + interval '1 hour' WHERE candidate_id = 'cand-a'`);
      expect((await submit(h.tokens.alice, { candidateId: 'cand-a', entities: goodEntities })).statusCode).toBe(201);
      await h.db.query(`UPDATE review_queue SET status = 'claimed', claimed_by = 'bob', claim_expires_at = now() + interval '1 hour' WHERE candidate_id = 'cand-a'`);
      expect((await submit(h.tokens.bob, { candidateId: 'cand-a', entities: goodEntities.slice(0, 2) })).statusCode).toBe(201);

      const conflicts = (await inject('GET', '/api/adjudication/conflicts', { token: h.tokens.admin })).json().items;
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0].corrections.map((c: Correction) => c.annotator).sort()).toEqual(['alice', 'bob']);
      const alices = conflicts[0].corrections.find((c: Correction) => c.annotator === 'alice');

      const adj = await inject('POST', '/api/adjudications', { token: h.tokens.admin, body: { textHash: conflicts[0].textHash, chosenCorrectionId: alices.correctionId } });
      expect(adj.statusCode).toBe(201);
      expect(adj.json().correction).toMatchObject({ origin: 'ADJUDICATION', annotator: 'root', entities: goodEntities });
      const again = await inject('POST', '/api/adjudications', { token: h.tokens.admin, body: { textHash: conflicts[0].textHash, chosenCorrectionId: alices.correctionId } });
      expect(again.statusCode).toBe(200);
      expect((await inject('GET', '/api/adjudication/conflicts', { token: h.tokens.admin })).json().items).toEqual([]);

      await h.studio.flushOutbox();
      const origins = h.bus.records(h.topics.corrections.name).map((r) => h.topics.corrections.codec.decode(r.value!).origin);
      expect(origins.filter((o) => o === 'ADJUDICATION').length).toBeGreaterThanOrEqual(1);

      const spot = (await inject('GET', '/api/adjudication/spot-checks?annotator=bob&size=5', { token: h.tokens.admin })).json().items;
      expect(spot).toHaveLength(1);
      expect((await inject('POST', '/api/adjudication/spot-checks', { token: h.tokens.admin, body: { correctionId: spot[0].correction.correctionId, verdict: 'wrong' } })).statusCode).toBe(200);

      const people = (await inject('GET', '/api/annotators', { token: h.tokens.carol })).json().items;
      const alice = people.find((p: { annotatorId: string }) => p.annotatorId === 'alice');
      const bob = people.find((p: { annotatorId: string }) => p.annotatorId === 'bob');
      expect(alice).toMatchObject({ corrections: 1, adjudicated: 1, agreed: 1, agreementF1: 1, points: 3 });
      expect(bob).toMatchObject({ corrections: 1, adjudicated: 1, agreed: 0, spotChecksWrong: 1, points: 0 });
      expect(bob.agreementF1).toBeCloseTo(0.8);

      // pairwise agreement of the two annotators on the text both corrected (adjudication aside)
      expect((await inject('GET', '/api/annotators/agreement')).statusCode).toBe(401);
      const pairs = (await inject('GET', '/api/annotators/agreement', { token: h.tokens.carol })).json().pairs;
      expect(pairs).toHaveLength(1);
      expect(pairs[0]).toMatchObject({ a: 'alice', b: 'bob', items: 1, spansA: goodEntities.length, spansB: 2 });
      expect(pairs[0].exactF1).toBeCloseTo((2 * 2) / (goodEntities.length + 2), 10);
      expect(pairs[0].kappa).toBeGreaterThan(0);
      expect(pairs[0].kappa).toBeLessThan(1);
      const csv = await inject('GET', '/api/annotators/agreement.csv', { token: h.tokens.carol });
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.body.split('\n')[0]).toBe('annotator_a,annotator_b,type,items,spans_a,spans_b,exact_f1,partial_f1,cohen_kappa_chars,krippendorff_alpha_chars');
      expect(csv.body).toContain('alice,bob,*,1,');
    });

    it('validates merged gold like any correction', async () => {
      await h.db.query(`UPDATE review_queue SET status = 'claimed', claimed_by = 'alice', claim_expires_at = now() + interval '1 hour' WHERE candidate_id = 'cand-a'`);
      const c = (await submit(h.tokens.alice, { candidateId: 'cand-a', entities: goodEntities })).json().correction;
      const hash = (await h.db.query<{ text_hash: string }>('SELECT text_hash FROM corrections WHERE correction_id = $1', [c.correctionId])).rows[0].text_hash;
      const bad = await inject('POST', '/api/adjudications', { token: h.tokens.admin, body: { textHash: hash, entities: [{ start: 3, end: 5, type: 'LOC', text: '东京' }] } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'SURFACE_MISMATCH', field: 'entities[0]' });
      expect(await count(h.db, 'adjudications')).toBe(0);
    });
  });

  describe('documents and pages', () => {
    it('serves an OpenAPI document generated from the route schemas', async () => {
      const doc = (await inject('GET', '/api/openapi.json')).json();
      expect(doc.openapi).toMatch(/^3\./);
      for (const p of ['/api/ner', '/api/queue', '/api/queue/claim', '/api/corrections', '/api/models', '/api/adjudications', '/api/annotators', '/api/events']) expect(Object.keys(doc.paths)).toContain(p);
      expect(doc.paths['/api/corrections'].post.security).toEqual([{ bearer: [] }]);
      expect(doc.components.securitySchemes.bearer.scheme).toBe('bearer');
    });

    it('answers 503 with the build command when the web bundle is missing', async () => {
      const res = await inject('GET', '/');
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run studio:build');
    });

    it('reports the label set', async () => {
      expect((await inject('GET', '/api/config')).json()).toMatchObject({ labels: ['PER', 'LOC', 'ORG'], labelSource: 'config' });
    });
  });
});

describe('studio web bundle and live updates', () => {
  let h: Harness;
  const web = mkdtempSync(path.join(tmpdir(), 'studio-web-'));

  beforeAll(async () => {
    mkdirSync(path.join(web, 'assets'));
    writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>studio</title><script type="module" src="./assets/app.js"></script>');
    writeFileSync(path.join(web, 'assets', 'app.js'), 'console.log(1)');
    h = await startHarness({ EVENTS_INTERVAL: '100ms', LABELS: 'PER,LOC,ORG,GPE' }, web);
    await testkit.insertCandidate(h.db, { candidateId: 'live-1', text: '北京', priority: 1 });
  });
  afterAll(async () => {
    await h.studio.close();
    await h.bus.close();
    await h.db.close();
  });

  it('serves the page with a strict Content-Security-Policy', async () => {
    const res = await h.studio.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    const asset = await h.studio.app.inject({ method: 'GET', url: '/assets/app.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('takes the label set from LABELS', async () => {
    expect((await h.studio.app.inject({ method: 'GET', url: '/api/config' })).json().labels).toEqual(['PER', 'LOC', 'ORG', 'GPE']);
  });

  it('pushes queue depth over server-sent events, on connect and on change', async () => {
    const address = await h.studio.app.listen({ port: 0, host: '127.0.0.1' });
    const ctrl = new AbortController();
    const res = await fetch(`${address}/api/events`, { signal: ctrl.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    const nextEvent = async (name: string, pred: (d: { depth: Record<string, number> }) => boolean) => {
      for (;;) {
        const m = [...buf.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].find((x) => x[1] === name && pred(JSON.parse(x[2])));
        if (m) {
          const at = buf.indexOf(m[0]);
          buf = buf.slice(0, at) + buf.slice(at + m[0].length);
          return JSON.parse(m[2]);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += decoder.decode(value, { stream: true });
      }
    };
    expect((await nextEvent('queue', () => true)).depth.open).toBe(1);
    await h.studio.app.inject({ method: 'POST', url: '/api/queue/claim', headers: auth(h.tokens.alice) });
    expect((await nextEvent('queue', (d) => d.depth.claimed === 1)).depth).toMatchObject({ open: 0, claimed: 1 });
    expect(await nextEvent('rollouts', () => true)).toBeDefined();
    ctrl.abort();
  });
});

describe('secrets in logs', () => {
  it('never writes a bearer token to the log, whatever happens to the request', async () => {
    const pino = (await import('pino')).default;
    const lines: string[] = [];
    const verbose = pino({ level: 'trace', redact: ['req.headers.authorization'] }, { write: (l: string) => void lines.push(l) });
    const db = await createPgliteClient();
    await migrate(db);
    const topics = createTopics({ prefix: 'logs.' });
    const bus = new MemoryBus({ logger: verbose, deadLetterTopic: topics.deadLetters });
    const failing: NerClient = { tag: async () => Promise.reject(new Error('tagger down')) };
    const config = loadConfig(configSpec, { LABELS_FROM_MODEL: 'false', OUTBOX_INTERVAL: '1h', API_DOCS_UI: 'false', STUDIO_WEB_DIR: path.join(tmpdir(), 'none') });
    const studio = await startStudio(config, { logger: verbose, registry: new Registry(), bus, topics, db }, { nerClient: failing });
    try {
      const good = await testkit.issueToken(db, 'alice');
      const forged = `${good.slice(0, -6)}AAAAAA`;
      for (const token of [good, forged, 'zhner_000000000000_' + 'x'.repeat(43), 'garbage']) {
        await studio.app.inject({ method: 'POST', url: '/api/queue/claim', headers: { authorization: `Bearer ${token}` } });
        await studio.app.inject({ method: 'POST', url: '/api/ner', headers: { authorization: `Bearer ${token}` }, payload: { text: '北京' } });
      }
      expect(lines.length).toBeGreaterThan(0);
      const all = lines.join('\n');
      expect(all).toContain(good.split('_')[1]); // the token id may be logged...
      for (const secret of [good.split('_').slice(2).join('_'), forged.split('_').slice(2).join('_'), 'x'.repeat(43)]) expect(all).not.toContain(secret); // ...never the secret
    } finally {
      await studio.close();
      await bus.close();
      await db.close();
    }
  });
});

describe('label set from the registry', () => {
  it("offers and accepts the registry's published label set (the one the orchestrator checks), in LABELS order first", async () => {
    const h = await startHarness({ LABELS_FROM_MODEL: 'true' });
    try {
      h.upstreams.labelSet = ['GPE', 'PER'];
      const cfg = (await h.studio.app.inject({ method: 'GET', url: '/api/config' })).json();
      expect(cfg).toMatchObject({ labels: ['PER', 'GPE'], labelSource: 'model' });
      await testkit.insertCandidate(h.db, { candidateId: 'g1', text: '他去了北京' });
      await h.studio.app.inject({ method: 'POST', url: '/api/queue/claim', headers: auth(h.tokens.alice) });
      const loc = await h.studio.app.inject({ method: 'POST', url: '/api/corrections', headers: auth(h.tokens.alice), payload: { candidateId: 'g1', entities: [{ start: 3, end: 5, type: 'LOC', text: '北京' }] } });
      expect(loc.json().error).toMatchObject({ code: 'UNKNOWN_TYPE', field: 'entities[0]' });
      const gpe = await h.studio.app.inject({ method: 'POST', url: '/api/corrections', headers: auth(h.tokens.alice), payload: { candidateId: 'g1', entities: [{ start: 3, end: 5, type: 'GPE', text: '北京' }] } });
      expect(gpe.statusCode).toBe(201);
    } finally {
      await h.studio.close();
      await h.bus.close();
      await h.db.close();
    }
  });
});

describe('the queue feed (the studio owns its queue)', () => {
  it('opens candidates from the review-candidates topic once, re-opens an expired one, expires on PROMOTED', async () => {
    const h = await startHarness();
    const cand = (id: string, text: string, modelVersion: string, createdAt: number) => ({
      candidateId: id, docId: `d-${id}`, source: 'feed', text, textHash: textHash(text), modelVersion, strategy: 'sampler.hybrid.v1',
      score: 0.7, scores: { 'sampler.mnlp.v1': 0.7 }, cluster: 1, novelty: 0.5, priority: 0.6, predicted: [], createdAt,
    });
    const status = async (id: string) => (await h.db.query<{ status: string }>('SELECT status FROM review_queue WHERE candidate_id = $1', [id])).rows[0]?.status;
    try {
      const t0 = Date.now() - 10_000;
      await h.bus.publish(h.topics.reviewCandidates, [{ value: cand('f1', '张三在杭州开会', 'v1', t0) }, { value: cand('f2', '李四在广州开会', 'v1', t0) }]);
      await h.bus.publish(h.topics.reviewCandidates, [{ value: cand('f1', '张三在杭州开会', 'v1', t0) }]); // redelivered
      await waitUntil(async () => (await status('f2')) === 'open');
      expect(await count(h.db, 'review_queue')).toBe(2);
      await h.db.query(`UPDATE review_queue SET status = 'claimed', claimed_by = 'alice', claim_expires_at = now() + interval '1 hour' WHERE candidate_id = 'f2'`);
      const promoted: ModelEvent = { eventId: 'p1', type: 'PROMOTED', modelVersion: 'v2', previousVersion: 'v1', modelUri: 'm', manifestSha256: 'x', metrics: {}, reason: null, at: Date.now() };
      await h.bus.publish(h.topics.modelEvents, [{ value: promoted }]);
      await waitUntil(async () => (await status('f1')) === 'expired');
      expect(await status('f2')).toBe('claimed'); // someone is working on it
      // the sampler selects the text again after it was re-tagged by v2: the expired item re-opens
      await h.bus.publish(h.topics.reviewCandidates, [{ value: cand('f1', '张三在杭州开会', 'v2', Date.now()) }]);
      await waitUntil(async () => (await status('f1')) === 'open');
      expect((await h.db.query<{ model_version: string }>(`SELECT model_version FROM review_queue WHERE candidate_id = 'f1'`)).rows[0].model_version).toBe('v2');
    } finally {
      await h.studio.close();
      await h.bus.close();
      await h.db.close();
    }
  });
});

async function waitUntil(cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('entity types (an admin adds one; annotators are offered it at once)', () => {
  it('adds TIME with colour, key and guideline; corrections record the label set and guideline versions; removal is explicit', async () => {
    const h = await startHarness({ LABELS_FROM_MODEL: 'true' });
    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token?: string, payload?: unknown) =>
      h.studio.app.inject({ method, url, headers: token ? auth(token) : {}, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    try {
      const body = { type: 'TIME', colour: '#00ff88', shortcut: '4', guideline: 'Dates and clock times: 3月5日, 10点30分.' };
      expect((await call('POST', '/api/admin/types', undefined, body)).statusCode).toBe(401);
      expect((await call('POST', '/api/admin/types', h.tokens.alice, body)).statusCode).toBe(403);
      const bad = await call('POST', '/api/admin/types', h.tokens.admin, { ...body, type: 'time' });
      expect({ status: bad.statusCode, code: bad.json().error.code, field: bad.json().error.field }).toEqual({ status: 400, code: 'VALIDATION_FAILED', field: 'type' });
      expect((await call('POST', '/api/admin/types', h.tokens.admin, { ...body, type: 'LOC' })).json().error.code).toBe('TYPE_EXISTS');
      expect((await call('POST', '/api/admin/types', h.tokens.admin, { ...body, shortcut: '2' })).json().error.code).toBe('TYPE_SHORTCUT_TAKEN');
      const added = await call('POST', '/api/admin/types', h.tokens.admin, body);
      expect(added.statusCode).toBe(201);
      expect(added.json()).toMatchObject({ type: 'TIME', colour: '#00ff88', shortcut: '4', custom: true, guideline: { version: 1, body: body.guideline, createdBy: 'root' } });
      // offered at once (no waiting for the label-set cache)
      const cfg = (await call('GET', '/api/config')).json();
      expect(cfg.labels).toEqual(['PER', 'LOC', 'ORG', 'TIME']);
      expect(cfg.types.map((t: { type: string; shortcut: string | null }) => [t.type, t.shortcut])).toEqual([['PER', '1'], ['LOC', '2'], ['ORG', '3'], ['TIME', '4']]);
      // a new guideline version; the old one stays
      expect((await call('PUT', '/api/admin/types/TIME/guideline', h.tokens.admin, { guideline: 'v2: also day parts (昨天晚上).' })).json().guideline).toMatchObject({ version: 2 });
      expect((await call('PUT', '/api/admin/types/NOPE/guideline', h.tokens.admin, { guideline: 'x' })).statusCode).toBe(404);

      await testkit.insertCandidate(h.db, { candidateId: 't1', text: '他3月5日去了北京' });
      await call('POST', '/api/queue/claim', h.tokens.alice);
      const sub = await call('POST', '/api/corrections', h.tokens.alice, { candidateId: 't1', entities: [{ start: 1, end: 5, type: 'TIME', text: '3月5日' }, { start: 7, end: 9, type: 'LOC', text: '北京' }] });
      expect(sub.statusCode).toBe(201);
      expect(sub.json().correction).toMatchObject({ labelSet: ['LOC', 'ORG', 'PER', 'TIME'], guidelineVersions: { TIME: 2 } });
      await h.studio.flushOutbox();
      const [rec] = h.bus.records(h.topics.corrections.name);
      expect(h.topics.corrections.codec.decode(rec.value!)).toMatchObject({ labelSet: ['LOC', 'ORG', 'PER', 'TIME'], guidelineVersions: { TIME: 2 } });
      expect((await h.db.query('SELECT label_set, guideline_versions FROM corrections WHERE candidate_id = $1', ['t1'])).rows[0]).toEqual({ label_set: ['LOC', 'ORG', 'PER', 'TIME'], guideline_versions: { TIME: 2 } });

      // a type of the model cannot be removed here; an added one can, explicitly
      expect((await call('DELETE', '/api/admin/types/PER', h.tokens.admin)).json().error.code).toBe('TYPE_IN_MODEL');
      expect((await call('DELETE', '/api/admin/types/TIME', h.tokens.alice)).statusCode).toBe(403);
      expect((await call('DELETE', '/api/admin/types/TIME?note=merged%20into%20DATE', h.tokens.admin)).statusCode).toBe(204);
      expect((await call('GET', '/api/config')).json().labels).toEqual(['PER', 'LOC', 'ORG']);
      // the stored correction keeps its TIME span
      expect((await h.db.query<{ entities: Array<{ type: string }> }>('SELECT entities FROM corrections WHERE candidate_id = $1', ['t1'])).rows[0].entities.map((e) => e.type)).toEqual(['TIME', 'LOC']);

      // every step is in the audit log, newest first, for admins only; the log is append-only
      expect((await call('GET', '/api/admin/audit', h.tokens.alice)).statusCode).toBe(403);
      const log = (await call('GET', '/api/admin/audit', h.tokens.admin)).json();
      expect(log.entries.map((e: { actor: string; action: string; subject: string }) => `${e.actor} ${e.action} ${e.subject}`)).toEqual([
        'root type.remove TIME', `alice correction.submit ${sub.json().correction.correctionId}`, 'alice queue.claim t1', 'root type.guideline TIME', 'root type.add TIME',
      ]);
      expect(log.entries[0].detail).toMatchObject({ note: 'merged into DATE' });
      const onlyAdds = (await call('GET', '/api/admin/audit?action=type.add', h.tokens.admin)).json();
      expect(onlyAdds.entries.map((e: { subject: string }) => e.subject)).toEqual(['TIME']);
      expect((await call('GET', '/api/admin/audit?action=nope', h.tokens.admin)).statusCode).toBe(400);
      await expect(h.db.query("UPDATE audit_log SET actor = 'someone else'")).rejects.toThrow(/append-only/);
      await expect(h.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    } finally {
      await h.studio.close();
      await h.bus.close();
      await h.db.close();
    }
  });
});

describe('routing: a share of items to two annotators (blind), every new annotator reviewed first', () => {
  it('needs two annotators on an agreement item, and sends the first REVIEW_FIRST corrections of each to review', async () => {
    const h = await startHarness({ AGREEMENT_SHARE: '1', REVIEW_FIRST: '1', REVIEW_SHARE: '0' });
    const call = (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) => h.studio.app.inject({ method, url, headers: auth(token), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    try {
      for (const id of ['r1', 'r2']) await testkit.insertCandidate(h.db, { candidateId: id, text: `李鹏在北京${id}` });
      const ents = [{ start: 0, end: 2, type: 'PER', text: '李鹏' }];
      for (const id of ['r1', 'r2']) {
        expect((await call('POST', `/api/queue/${id}/claim`, h.tokens.alice)).statusCode).toBe(200);
        expect((await call('POST', '/api/corrections', h.tokens.alice, { candidateId: id, entities: ents })).json().candidateStatus).toBe('open'); // a second annotator is wanted
      }
      // blind: bob's claim shows the model's prediction, never alice's answer
      const claimed = (await call('POST', '/api/queue/r1/claim', h.tokens.bob)).json();
      expect(JSON.stringify(claimed)).not.toContain('alice');
      expect((await call('POST', '/api/corrections', h.tokens.bob, { candidateId: 'r1', entities: ents })).json().candidateStatus).toBe('done');
      const review = (await call('GET', '/api/adjudication/spot-checks?annotator=alice&mode=required', h.tokens.admin)).json();
      expect(review.items.map((i: { correction: { candidateId: string; reviewRequired: boolean } }) => [i.correction.candidateId, i.correction.reviewRequired])).toEqual([['r1', true]]);
      const bobs = (await call('GET', '/api/adjudication/spot-checks?annotator=bob&mode=required', h.tokens.admin)).json();
      expect(bobs.items.map((i: { correction: { candidateId: string } }) => i.correction.candidateId)).toEqual(['r1']); // bob's first, too
    } finally {
      await h.studio.close();
      await h.bus.close();
      await h.db.close();
    }
  });
});
