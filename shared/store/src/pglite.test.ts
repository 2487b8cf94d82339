import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPgliteClient } from './client';
import { describeStoreConformance } from './conformance';
import { loadMigrations } from './migrate';

describeStoreConformance('PGlite (in memory)', () => createPgliteClient());

describe('loadMigrations', () => {
  it('loads numbered migrations in order with checksums', () => {
    const m = loadMigrations();
    expect(m[0]).toMatchObject({ version: 1, name: 'outbox' });
    expect(m.map((x) => x.version)).toEqual([...m.map((x) => x.version)].sort((a, b) => a - b));
    expect(m[0].checksum).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('createPgliteClient on disk', () => {
  it('creates missing parent folders (a fresh clone has no .data/)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'zhner-pglite-'));
    const dir = path.join(root, '.data', 'pglite');
    try {
      const db = await createPgliteClient(dir);
      const { rows } = await db.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0].one).toBe(1);
      await db.close();
      expect(existsSync(path.join(dir, 'PG_VERSION'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
