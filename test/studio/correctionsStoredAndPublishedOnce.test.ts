// On a real PostgreSQL and Kafka: a correction is validated (a rejected one stores and publishes
// nothing), written with its outbox row in one transaction and published exactly once on the
// corrections topic, also when the request is retried and when the broker refuses the first
// publish; claims are exclusive under concurrency; writes need a token made by the CLI, and model
// actions the admin role.
import type { RawRecord } from '@zhner/bus';
import type { Correction } from '@zhner/contracts';
import { runTokenCli } from '@zhner/studio';
import { testkit } from '@zhner/studio/testing';
import type { SqlClient } from '@zhner/store';
import { freshDatabase, readTopic, waitFor, type TestDatabase } from '@zhner/test';
import { messageCount, startStudioOnKafka, type StudioOnKafka } from './support';

jest.setTimeout(120_000);

const TEXT = '李鹏在北京会见了日本客人';
const GOLD = [
  { start: 0, end: 2, type: 'PER', text: '李鹏' },
  { start: 3, end: 5, type: 'LOC', text: '北京' },
  { start: 8, end: 10, type: 'LOC', text: '日本' },
];

async function cliToken(db: SqlClient, args: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTokenCli(args, db, { out: (l) => out.push(l), err: (l) => err.push(l) });
  if (code !== 0) throw new Error(`studio:token ${args.join(' ')} failed: ${err.join('\n')}`);
  expect(err.join('\n')).not.toContain(out[0]); // the token goes to stdout only, once
  return out[0];
}

describe('corrections on PostgreSQL and Kafka', () => {
  let database: TestDatabase;
  let db: SqlClient;
  let s: StudioOnKafka;
  let alice: string;
  let bob: string;
  let admin: string;
  const failNextPublish = { on: false };

  const post = (url: string, token: string | undefined, body: unknown) =>
    s.studio.app.inject({ method: 'POST', url, headers: token ? { authorization: `Bearer ${token}` } : {}, payload: body as object });
  const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

  beforeAll(async () => {
    database = await freshDatabase();
    db = await database.open();
    s = await startStudioOnKafka(db);
    // a broker that refuses one publish (the relay must keep the row and publish it later, once)
    const realPublishRaw = s.bus.publishRaw.bind(s.bus);
    s.bus.publishRaw = async (topic: string, records: RawRecord[]) => {
      if (failNextPublish.on) {
        failNextPublish.on = false;
        throw new Error('broker refused (test)');
      }
      return realPublishRaw(topic, records);
    };
    alice = await cliToken(db, ['create', '--annotator', 'alice', '--name', 'Alice']);
    bob = await cliToken(db, ['create', '--annotator', 'bob']);
    admin = await cliToken(db, ['create', '--annotator', 'ada', '--role', 'admin']);
    for (let i = 0; i < 8; i++) await testkit.insertCandidate(db, { candidateId: `c${i}`, text: i === 0 ? TEXT : `第${i}条：王小明在上海工作`, priority: 10 - i, predicted: i === 0 ? [[0, 2, 'ORG']] : [] });
  });

  afterAll(async () => {
    await s?.close();
    await database?.drop();
  });

  it('refuses writes without a valid token and model actions without the admin role', async () => {
    expect((await post('/api/queue/claim', undefined, {})).statusCode).toBe(401);
    expect((await post('/api/corrections', undefined, { candidateId: 'c0', entities: GOLD })).statusCode).toBe(401);
    expect((await post('/api/models/training', alice, {})).statusCode).toBe(403);
    const carol = await cliToken(db, ['create', '--annotator', 'carol']);
    expect((await s.studio.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${carol}` } })).statusCode).toBe(200);
    expect(await runTokenCli(['revoke', '--token', carol], db, { out: () => undefined, err: () => undefined })).toBe(0);
    expect((await s.studio.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${carol}` } })).statusCode).toBe(401);
    expect(await count('corrections')).toBe(0);
  });

  it('never gives one item to two concurrent claimers (FOR UPDATE SKIP LOCKED)', async () => {
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => testkit.issueToken(db, `claimer${i}`)));
    const got = await Promise.all(people.map(async (t) => (await post('/api/queue/claim', t, {})).json().item?.candidate.candidateId ?? null));
    const claimed = got.filter((x): x is string => x !== null);
    expect(claimed).toHaveLength(8);
    expect(new Set(claimed).size).toBe(8);
    const rows = (await db.query<{ claimed_by: string }>(`SELECT claimed_by FROM review_queue WHERE status = 'claimed'`)).rows;
    expect(new Set(rows.map((r) => r.claimed_by)).size).toBe(8);
    // give c0 to alice for the next tests
    await db.query(`UPDATE review_queue SET status = 'open', claimed_by = NULL, claim_expires_at = NULL`);
    expect((await post('/api/queue/c0/claim', alice, {})).statusCode).toBe(200);
    expect((await post('/api/queue/c0/claim', bob, {})).json().error.code).toBe('CLAIMED_BY_OTHER');
  });

  it('rejects a bad correction with a 400 naming the span, storing and publishing nothing', async () => {
    const bad = [
      [{ entities: [GOLD[0], { start: 3, end: 5, type: 'LOC', text: '上海' }] }, 'SURFACE_MISMATCH', 'entities[1]'],
      [{ entities: [GOLD[0], { start: 1, end: 4, type: 'LOC', text: '鹏在北' }] }, 'SPAN_OVERLAP', 'entities[1]'],
      [{ entities: [{ start: 11, end: 14, type: 'PER', text: '人' }] }, 'SPAN_OUT_OF_RANGE', 'entities[0]'],
      [{ entities: [{ start: 4, end: 3, type: 'LOC', text: '' }] }, 'SPAN_EMPTY', 'entities[0]'],
      [{ entities: [GOLD[0], GOLD[1], { start: 8, end: 10, type: 'COUNTRY', text: '日本' }] }, 'UNKNOWN_TYPE', 'entities[2]'],
      [{ tags: 'B-PER I-PER O I-LOC I-LOC O O O O O O O'.split(' ') }, 'BIO_INVALID', 'tags[3]'],
      [{ tags: 'B-PER I-ORG O O O O O O O O O O'.split(' ') }, 'BIO_INVALID', 'tags[1]'],
    ] as const;
    for (const [body, code, field] of bad) {
      const res = await post('/api/corrections', alice, { candidateId: 'c0', ...body });
      expect([res.statusCode, res.json().error.code, res.json().error.field]).toEqual([400, code, field]);
    }
    expect(await count('corrections')).toBe(0);
    expect(await count('outbox')).toBe(0);
  });

  it('stores a correction and publishes it exactly once, across a retry and a refused publish', async () => {
    failNextPublish.on = true;
    const body = { candidateId: 'c0', revision: 0, tags: 'B-PER I-PER O B-LOC I-LOC O O O B-LOC I-LOC O O'.split(' ') };
    const first = await post('/api/corrections', alice, body);
    expect(first.statusCode).toBe(201);
    const c: Correction = first.json().correction;
    expect(c.entities).toEqual(GOLD);
    const retry = await post('/api/corrections', alice, body);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ duplicate: true, correction: c });

    const row = (await db.query<{ entities: unknown; annotator_id: string; origin: string; status: string }>(`SELECT entities, annotator_id, origin, status FROM corrections WHERE candidate_id = 'c0'`)).rows;
    expect(row).toEqual([{ entities: GOLD, annotator_id: 'alice', origin: 'STUDIO', status: 'accepted' }]);
    expect((await db.query<{ status: string }>(`SELECT status FROM review_queue WHERE candidate_id = 'c0'`)).rows[0].status).toBe('done');

    // the first publish was refused: the row stays pending, then the relay publishes it
    await waitFor(async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0].n === 0, 30_000, 'outbox drained');
    const attempts = (await db.query<{ attempts: number }>('SELECT attempts FROM outbox WHERE dedupe_key = $1', [c.correctionId])).rows[0].attempts;
    expect(attempts).toBeGreaterThanOrEqual(1);

    // every publish is acknowledged (outbox drained): the topic holds exactly one message for it
    await post('/api/queue/c1/claim', bob, {});
    const second: Correction = (await post('/api/corrections', bob, { candidateId: 'c1', entities: [] })).json().correction;
    await waitFor(async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0].n === 0, 30_000, 'outbox drained');
    expect(await messageCount(s.topics.corrections.name)).toBe(2);
    const msgs = await readTopic(s.topics.corrections.name, (m) => m.length >= 2);
    expect(msgs.map((m) => m.key?.toString()).sort()).toEqual([c.correctionId, second.correctionId].sort());
    const mine = msgs.filter((m) => m.key?.toString() === c.correctionId);
    expect(s.topics.corrections.codec.decode(mine[0].value!)).toEqual(c);
    expect(mine[0].headers?.['x-origin']?.toString()).toBe('STUDIO');
  });
});
