// Numbered SQL migrations (`NNN_name.sql`), applied in order at start-up by every service; a table
// records what ran with a checksum so an edited, already-applied migration is refused. On
// PostgreSQL an advisory lock keeps concurrently starting services from racing.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PlatformError } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import type { SqlClient } from './client';

export const MIGRATIONS_DIR = path.join(__dirname, '..', 'migrations');
const LOCK_KEY = 7_734_201; // arbitrary, constant: one migrator at a time per database

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends PlatformError {
  constructor(message: string, context: Record<string, string | number>) {
    super('MIGRATION_FAILED', message, { context });
  }
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Map<number, string>();
  return files.map((file) => {
    const m = /^(\d+)_([\w-]+)\.sql$/.exec(file);
    if (!m) throw new MigrationError(`migration file ${file} must be named NNN_name.sql`, { file });
    const version = Number(m[1]);
    if (seen.has(version)) throw new MigrationError(`migrations ${seen.get(version)} and ${file} share version ${version}`, { file });
    seen.set(version, file);
    const sql = readFileSync(path.join(dir, file), 'utf8');
    return { version, name: m[2], sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/** Applies pending migrations; returns the versions applied now. */
export async function migrate(db: SqlClient, opts: { logger?: Logger; dir?: string } = {}): Promise<number[]> {
  const migrations = loadMigrations(opts.dir);
  const locked = db.kind === 'postgres';
  return db.transaction(async (tx) => {
    if (locked) await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number; checksum: string; name: string }>('SELECT version, checksum, name FROM schema_migrations');
    const applied = new Map(rows.map((r) => [r.version, r]));
    const done: number[] = [];
    for (const m of migrations) {
      const prior = applied.get(m.version);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          throw new MigrationError(`migration ${m.version}_${m.name} was edited after it was applied (checksum differs); add a new migration instead`, { version: m.version });
        }
        continue;
      }
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new MigrationError(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`, { version: m.version });
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
      opts.logger?.info({ version: m.version, name: m.name }, 'applied migration');
      done.push(m.version);
    }
    return done;
  });
}
