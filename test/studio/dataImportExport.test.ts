// On a real PostgreSQL and Kafka: an annotated corpus imported through the studio's admin API is
// validated line by line (a dry run stores nothing; invalid lines are reported and never stored),
// stored as IMPORT corrections and published once on the corrections topic (a re-import adds
// nothing); the export of the current gold (adjudications first) imports into a fresh studio and
// exports again byte for byte, astral characters included; the routes need an admin token.
import type { Correction } from '@zhner/contracts';
import { textHash } from '@zhner/core';
import { testkit } from '@zhner/studio/testing';
import type { SqlClient } from '@zhner/store';
import { freshDatabase, readTopic, waitFor, type TestDatabase } from '@zhner/test';
import { messageCount, startStudioOnKafka, type StudioOnKafka } from './support';

jest.setTimeout(120_000);

const VALID = [
  { id: 'seed-1', text: '𠮷野家在东京开店', entities: [{ start: 0, end: 3, type: 'ORG', text: '𠮷野家' }, { start: 4, end: 6, type: 'LOC', text: '东京' }] },
  { id: 'seed-2', text: '李鹏在北京会见了日本客人', entities: [{ start: 0, end: 2, type: 'PER', text: '李鹏' }, { start: 3, end: 5, type: 'LOC', text: '北京' }] },
  { id: 'seed-3', text: '王𠮷去了 上海', entities: [{ start: 0, end: 2, type: 'PER', text: '王𠮷' }, { start: 5, end: 7, type: 'LOC', text: '上海' }] },
];
const FILE = [
  JSON.stringify(VALID[0]),
  '{"id": "broken", "text": ',
  JSON.stringify(VALID[1]),
  JSON.stringify({ id: 'bad-surface', text: '李鹏在北京', entities: [{ start: 3, end: 5, type: 'LOC', text: '上海' }] }),
  JSON.stringify({ id: 'bad-type', text: '李鹏在北京', entities: [{ start: 3, end: 5, type: 'COUNTRY', text: '北京' }] }),
  '',
  JSON.stringify(VALID[2]),
].join('\n');

describe('data import and export on PostgreSQL and Kafka', () => {
  let database: TestDatabase;
  let db: SqlClient;
  let s: StudioOnKafka;
  let admin: string;
  let alice: string;

  const importFile = (token: string | undefined, body: Record<string, unknown>, studio = s) =>
    studio.studio.app.inject({ method: 'POST', url: '/api/admin/import', headers: token ? { authorization: `Bearer ${token}` } : {}, payload: body });
  const exportAs = (token: string | undefined, format: string, studio = s) =>
    studio.studio.app.inject({ method: 'GET', url: `/api/admin/export?format=${format}`, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const count = async (sql: string, d = db) => (await d.query<{ n: number }>(sql)).rows[0].n;

  beforeAll(async () => {
    database = await freshDatabase();
    db = await database.open();
    s = await startStudioOnKafka(db);
    admin = await testkit.issueToken(db, 'ada', 'admin');
    alice = await testkit.issueToken(db, 'alice');
  });

  afterAll(async () => {
    await s?.close();
    await database?.drop();
  });

  it('needs an admin token (401 without one, 403 for an annotator)', async () => {
    expect((await importFile(undefined, { format: 'jsonl', content: FILE })).statusCode).toBe(401);
    expect((await exportAs(undefined, 'jsonl')).statusCode).toBe(401);
    expect((await importFile(alice, { format: 'jsonl', content: FILE })).statusCode).toBe(403);
    expect((await exportAs(alice, 'jsonl')).statusCode).toBe(403);
    expect((await importFile(admin, { format: 'xml', content: FILE })).statusCode).toBe(400);
    expect(await count('SELECT count(*)::int AS n FROM corrections')).toBe(0);
  });

  it('dry run: reports counts and rejected lines, stores and publishes nothing', async () => {
    const res = await importFile(admin, { format: 'jsonl', content: FILE, dryRun: true });
    expect(res.statusCode).toBe(200);
    const summary = res.json();
    expect(summary).toMatchObject({ documents: 3, entities: 6, per_type: { ORG: 1, LOC: 3, PER: 2 }, dry_run: true, stored: 0, unchanged: 0 });
    expect(summary.rejected.map((r: { line: number; code: string }) => [r.line, r.code])).toEqual([
      [2, 'NOT_JSON'],
      [4, 'SURFACE_MISMATCH'],
      [5, 'UNKNOWN_TYPE'],
    ]);
    expect(await count('SELECT count(*)::int AS n FROM corrections')).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM outbox')).toBe(0);
  });

  it('stores valid lines as IMPORT corrections, publishes each once, never stores the invalid ones; a re-import adds nothing', async () => {
    const res = await importFile(admin, { format: 'jsonl', content: FILE });
    expect(res.json()).toMatchObject({ documents: 3, stored: 3, unchanged: 0, dry_run: false });
    const rows = (await db.query<{ doc_id: string; origin: string; annotator_id: string; candidate_id: string | null; entities: unknown }>('SELECT doc_id, origin, annotator_id, candidate_id, entities FROM corrections ORDER BY doc_id')).rows;
    expect(rows.map((r) => [r.doc_id, r.origin, r.annotator_id, r.candidate_id])).toEqual([
      ['seed-1', 'IMPORT', 'import', null],
      ['seed-2', 'IMPORT', 'import', null],
      ['seed-3', 'IMPORT', 'import', null],
    ]);
    // stored (and published) offsets are UTF-16: 𠮷 is two code units
    expect(rows[0].entities).toEqual([{ start: 0, end: 4, type: 'ORG', text: '𠮷野家' }, { start: 5, end: 7, type: 'LOC', text: '东京' }]);

    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')) === 0, 30_000, 'outbox drained');
    const msgs = await readTopic(s.topics.corrections.name, (m) => m.length >= 3);
    const published = msgs.map((m) => s.topics.corrections.codec.decode(m.value!) as Correction);
    expect(published.map((c) => c.docId).sort()).toEqual(['seed-1', 'seed-2', 'seed-3']);
    expect(published.every((c) => c.origin === 'IMPORT' && c.candidateId === null)).toBe(true);
    expect(msgs.every((m) => m.headers?.['x-origin']?.toString() === 'IMPORT')).toBe(true);

    const again = await importFile(admin, { format: 'jsonl', content: FILE });
    expect(again.json()).toMatchObject({ stored: 0, unchanged: 3 });
    expect(await count('SELECT count(*)::int AS n FROM corrections')).toBe(3);
    await s.studio.flushOutbox();
    expect(await messageCount(s.topics.corrections.name)).toBe(3);
  });

  it('exports the current gold (an adjudication over the imported gold) and round-trips it losslessly through a fresh studio', async () => {
    // a studio correction that disagrees with the imported gold of seed-2, then an adjudication of the conflict
    const text = VALID[1].text;
    await testkit.insertCandidate(db, { candidateId: 'c-seed-2', text });
    await s.studio.app.inject({ method: 'POST', url: '/api/queue/c-seed-2/claim', headers: { authorization: `Bearer ${alice}` }, payload: {} });
    const corr = await s.studio.app.inject({ method: 'POST', url: '/api/corrections', headers: { authorization: `Bearer ${alice}` }, payload: { candidateId: 'c-seed-2', entities: [{ start: 0, end: 2, type: 'PER', text: '李鹏' }] } });
    expect(corr.statusCode).toBe(201);
    const gold = [{ start: 0, end: 2, type: 'PER', text: '李鹏' }, { start: 3, end: 5, type: 'LOC', text: '北京' }, { start: 8, end: 10, type: 'LOC', text: '日本' }];
    const adj = await s.studio.app.inject({ method: 'POST', url: '/api/adjudications', headers: { authorization: `Bearer ${admin}` }, payload: { textHash: textHash(text), entities: gold } });
    expect(adj.statusCode).toBe(201);

    const exported = (await exportAs(admin, 'jsonl')).json();
    const lines = exported.content.trimEnd().split('\n').map((l: string) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines.find((l: { text: string }) => l.text === text).entities).toEqual(gold.map((e) => ({ ...e })));
    expect(lines.find((l: { id: string }) => l.id === 'seed-1')).toEqual(VALID[0]); // code-point offsets, as imported
    expect(exported.summary).toMatchObject({ documents: 3, entities: 7, rejected: [] });

    const otherDatabase = await freshDatabase();
    const otherDb = await otherDatabase.open();
    const other = await startStudioOnKafka(otherDb);
    try {
      const otherAdmin = await testkit.issueToken(otherDb, 'root', 'admin');
      for (const format of ['jsonl', 'conll', 'spans-jsonl']) {
        const file = (await exportAs(admin, format)).json().content as string;
        await otherDb.query('DELETE FROM outbox');
        await otherDb.query('DELETE FROM corrections');
        const imported = (await importFile(otherAdmin, { format, content: file }, other)).json();
        expect([format, imported.stored, imported.rejected]).toEqual([format, 3, []]);
        expect([format, (await exportAs(otherAdmin, format, other)).json().content]).toEqual([format, file]);
      }
    } finally {
      await other.close();
      await otherDatabase.drop();
    }
  });
});
