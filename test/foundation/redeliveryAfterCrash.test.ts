// Kills the consumer process (SIGKILL: no graceful shutdown, no final commit) in the middle of a
// stream, restarts it, and proves nothing is lost and nothing is stored twice.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createTopics, type RawText } from '@zhner/contracts';
import { createPostgresClient, type SqlClient } from '@zhner/store';
import { freshDatabase, tsNode, kafkaBus, uniqueName, waitFor, type TestDatabase } from '@zhner/test';
import { ARCHIVE_DDL } from './archiveWorker';

jest.setTimeout(180_000);

const N = 1500;

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const worker = tsNode(path.join(__dirname, 'archiveWorker.ts'));
  const child = spawn(worker.cmd, worker.args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('READY')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${err}`)));
  });
}

describe('consumer killed mid-stream', () => {
  let db: TestDatabase;
  let sql: SqlClient;
  const prefix = `${uniqueName('k')}.`;
  const topics = createTopics({ prefix, partitions: 3 });
  const bus = kafkaBus(topics);
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    sql = createPostgresClient(db.url, { max: 2 });
    await sql.exec(ARCHIVE_DDL);
    await bus.ensureTopics([topics.rawText, topics.deadLetters]);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await bus.close();
    await sql.close();
    await db.drop();
  });

  const count = async (q: string) => Number((await sql.query<{ n: number }>(q)).rows[0].n);

  it('loses nothing and stores nothing twice after SIGKILL and restart', async () => {
    const docs: RawText[] = Array.from({ length: N }, (_, i) => ({ id: `k-${i}`, text: `新闻${i}：国务院在北京召开会议`, source: 'it', publishedAt: null, metadata: {} }));
    for (let i = 0; i < N; i += 250) await bus.publish(topics.rawText, docs.slice(i, i + 250).map((value) => ({ value })));

    const env = { DATABASE_URL: db.url, TOPIC_PREFIX: prefix, GROUP_ID: uniqueName('crash-'), DELAY_MS: '40', MAX_BATCH: '20' };
    const first = await startWorker(env);
    children.push(first);
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM archived_documents')) >= N / 4, 90_000, 'a quarter of the rows');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = await count('SELECT count(*)::int AS n FROM archived_documents');
    expect(atKill).toBeLessThan(N); // killed mid-stream

    const second = await startWorker({ ...env, DELAY_MS: '0' });
    children.push(second);
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM archived_documents')) === N, 120_000, 'all rows');
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    expect(await count('SELECT count(DISTINCT id)::int AS n FROM archived_documents')).toBe(N);
    const { rows } = await sql.query<{ id: string }>('SELECT id FROM archived_documents ORDER BY id');
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(docs.map((d) => d.id)));
    // at-least-once: every message was delivered at least once; redeliveries were absorbed by the id key
    expect(await count('SELECT count(DISTINCT id)::int AS n FROM archive_deliveries')).toBe(N);
  });
});
