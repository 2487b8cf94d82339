// A connection killed by the server in the middle of a transaction (a restart, a failover,
// `pg_ctl stop -m fast`) must fail that transaction, not the process: a checked-out pg client
// emits 'error' with no listener of the pool's, and an unhandled 'error' event crashes Node (the
// platform died this way in the PostgreSQL outage drill, npm run chaos:outage).
import { Client } from 'pg';
import { createPostgresClient, type SqlClient } from '@zhner/store';
import { freshDatabase, type TestDatabase } from '@zhner/test';

let db: TestDatabase;
let store: SqlClient;
beforeAll(async () => {
  db = await freshDatabase();
  store = createPostgresClient(db.url, { max: 2, applicationName: 'zhner-connection-loss' });
});
afterAll(async () => {
  await store.close();
  await db.drop();
});

it('a transaction whose connection the server terminates rejects, and the pool serves the next query', async () => {
  const killer = new Client({ connectionString: db.url });
  await killer.connect();
  try {
    const tx = store.transaction(async (t) => {
      await t.query('SELECT pg_sleep(10)');
    });
    // wait until the transaction's backend is in pg_sleep, then terminate it
    let killed = 0;
    for (let i = 0; i < 100 && killed === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const r = await killer.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'zhner-connection-loss' AND query LIKE 'SELECT pg_sleep%'`);
      killed = r.rows.filter((x: { ok: boolean }) => x.ok).length;
    }
    expect(killed).toBe(1);
    await expect(tx).rejects.toMatchObject({ retriable: true });
    // the broken connection was discarded, not returned to the pool
    await expect(store.query<{ one: number }>('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    await expect(store.transaction(async (t) => (await t.query<{ two: number }>('SELECT 2 AS two')).rows[0].two)).resolves.toBe(2);
  } finally {
    await killer.end();
  }
});
