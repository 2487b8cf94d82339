import path from 'node:path';
import { env, type ConfigOf } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { createPgliteClient, createPostgresClient, type SqlClient } from './client';
import { migrate } from './migrate';

export const storeConfigSpec = {
  databaseUrl: env.optional(env.url('DATABASE_URL', { protocols: ['postgres', 'postgresql'], doc: 'PostgreSQL URL; unset = embedded PGlite' })),
  pgliteDir: env.string('PGLITE_DIR', { default: path.resolve(process.cwd(), '.data', 'pglite'), doc: 'Data directory of the embedded store (when DATABASE_URL is unset); "memory" keeps it in memory' }),
  dbPoolSize: env.int('DB_POOL_SIZE', { default: 10, min: 1, max: 200, doc: 'PostgreSQL connections per service' }),
};
export type StoreConfig = ConfigOf<typeof storeConfigSpec>;

/** Opens the configured store and applies pending migrations. */
export async function openStore(cfg: StoreConfig, opts: { logger: Logger; service: string }): Promise<SqlClient> {
  const db = cfg.databaseUrl
    ? createPostgresClient(cfg.databaseUrl, { max: cfg.dbPoolSize, logger: opts.logger, applicationName: `zhner-${opts.service}` })
    : await createPgliteClient(cfg.pgliteDir === 'memory' ? undefined : cfg.pgliteDir);
  try {
    await migrate(db, { logger: opts.logger });
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
