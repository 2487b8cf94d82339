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
