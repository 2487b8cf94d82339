// The same store behaviour suite as PGlite's unit test, on a real PostgreSQL.
import { createPostgresClient, describeStoreConformance } from '@zhner/store';
import { freshDatabase, type TestDatabase } from '@zhner/test';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db.drop();
});

describeStoreConformance('PostgreSQL', async () => createPostgresClient(db.url, { max: 3 }));
