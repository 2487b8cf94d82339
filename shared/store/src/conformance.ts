// One behaviour suite every store adapter must pass (run on PGlite in unit tests and on a real
// PostgreSQL in test/). Repositories rely on exactly these behaviours.
import type { SqlClient } from './client';
import { migrate } from './migrate';
import { enqueueOutbox, OutboxRelay } from './outbox';

export function describeStoreConformance(name: string, open: () => Promise<SqlClient>): void {
  describe(`store conformance: ${name}`, () => {
    let db: SqlClient;
    beforeAll(async () => {
      db = await open();
      await migrate(db);
    });
    afterAll(async () => {
      await db.close();
    });

    it('migrations are idempotent', async () => {
      expect(await migrate(db)).toEqual([]);
    });

    it('parses int8, numeric, jsonb, real[], timestamptz and bytea the same way', async () => {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT 9007199254740991::int8 AS big, 2.5::numeric AS num, '{"a":[1,"文"]}'::jsonb AS doc,
                ARRAY[0.5, -1.25]::real[] AS emb, '2026-01-02T03:04:05Z'::timestamptz AS at, '\\x00ff'::bytea AS bin, NULL::text AS nothing`,
      );
      expect(rows[0]).toEqual({ big: 9007199254740991, num: 2.5, doc: { a: [1, '文'] }, emb: [0.5, -1.25], at: new Date('2026-01-02T03:04:05Z'), bin: expect.anything(), nothing: null });
      expect(Buffer.from(rows[0].bin as Uint8Array)).toEqual(Buffer.from([0, 255]));
    });

    it('commits a transaction and rolls back a failed one', async () => {
      await db.exec('CREATE TABLE IF NOT EXISTS conformance_t (id text PRIMARY KEY, n int NOT NULL)');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO conformance_t VALUES ($1, $2)', ['a', 1]);
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO conformance_t VALUES ($1, $2)', ['b', 2]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const { rows } = await db.query<{ id: string }>('SELECT id FROM conformance_t ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual(['a']);
    });

    it('reports a unique violation as CONFLICT and counts affected rows', async () => {
      await expect(db.query('INSERT INTO conformance_t VALUES ($1, $2)', ['a', 9])).rejects.toMatchObject({ code: 'CONFLICT' });
      const r = await db.query('INSERT INTO conformance_t VALUES ($1, $2) ON CONFLICT DO NOTHING', ['a', 9]);
      expect(r.rowCount).toBe(0);
      const u = await db.query('UPDATE conformance_t SET n = n + 1 WHERE id = $1', ['a']);
      expect(u.rowCount).toBe(1);
    });

    it('relays the outbox in order, once, deduplicating by key', async () => {
      await db.exec('DELETE FROM outbox');
      await db.transaction(async (tx) => {
        expect(await enqueueOutbox(tx, [
          { topic: 't1', key: 'k1', payload: Buffer.from('one'), dedupeKey: 'e1' },
          { topic: 't1', key: 'k2', payload: Buffer.from('two'), headers: { h: 'v' }, dedupeKey: 'e2' },
        ])).toBe(2);
      });
      expect(await enqueueOutbox(db, [{ topic: 't1', key: 'k1', payload: Buffer.from('one again'), dedupeKey: 'e1' }])).toBe(0);
      const sent: Array<{ topic: string; key: string | null; value: string; headers?: Record<string, string> }> = [];
      let fail = true;
      const relay = new OutboxRelay(db, {
        publishRaw: async (topic, records) => {
          if (fail) {
            fail = false;
            throw new Error('broker down');
          }
          sent.push(...records.map((r) => ({ topic, key: r.key, value: r.value.toString(), headers: r.headers })));
        },
      }, { warn: () => undefined } as never);
      expect(await relay.flush()).toBe(0);
      expect(await relay.pending()).toBe(2);
      expect(await relay.flush()).toBe(2);
      expect(await relay.flush()).toBe(0);
      expect(sent).toEqual([
        { topic: 't1', key: 'k1', value: 'one', headers: {} },
        { topic: 't1', key: 'k2', value: 'two', headers: { h: 'v' } },
      ]);
    });
  });
}
