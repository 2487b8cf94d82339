import { mkdirSync } from 'node:fs';
// The store port: a tiny SQL client interface with two adapters, PostgreSQL (pg) and embedded
// PGlite (the one-machine default). Both parse int8 and numeric as JS numbers so that repositories
// behave the same on either (checked by the conformance suite).
import { Pool, types as pgTypes, type PoolClient } from 'pg';
import { PGlite, types as pgliteTypes, type Transaction } from '@electric-sql/pglite';
import { TransientError, PlatformError } from '@zhner/core';
import { type Logger } from '@zhner/kit';

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface SqlClient {
  readonly kind: 'postgres' | 'pglite';
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs `fn` in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

const CONNECTION_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|57P0[123]|08\d\d\d|53300)$/;

/** Wraps driver errors: connection-level failures become retriable TransientErrors. */
function wrap(err: unknown, sql: string): unknown {
  const code = (err as { code?: string }).code;
  const sqlHead = sql.trim().split(/\s+/).slice(0, 6).join(' ');
  if (code && CONNECTION_CODES.test(code)) return new TransientError(`database unavailable (${code}) running: ${sqlHead}…`, { cause: err, code: 'DB_UNAVAILABLE' });
  if (code === '23505') return new PlatformError('CONFLICT', `duplicate key: ${(err as Error).message}`, { cause: err, context: { constraint: (err as { constraint?: string }).constraint } });
  if (code === '40001' || code === '40P01') return new TransientError(`transaction conflict (${code}): ${(err as Error).message}`, { cause: err, code: 'DB_CONFLICT' });
  return err;
}

let pgParsersSet = false;
function setPgParsers(): void {
  if (pgParsersSet) return;
  pgTypes.setTypeParser(20, (v) => Number(v)); // int8: counts and bigserial ids stay below 2^53
  pgTypes.setTypeParser(1700, (v) => Number(v)); // numeric
  pgParsersSet = true;
}

class PgClient implements SqlClient {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly pool: Pool,
    private readonly conn?: PoolClient,
  ) {}

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    try {
      const r = await (this.conn ?? this.pool).query(sql, params as unknown[]);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    } catch (err) {
      throw wrap(err, sql);
    }
  }

  async exec(script: string): Promise<void> {
    await this.query(script);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.conn) return fn(this); // already inside one: join it
    let conn: PoolClient;
    try {
      conn = await this.pool.connect();
    } catch (err) {
      throw wrap(err, 'BEGIN');
    }
    // a checked-out client has no listener of the pool's: a server that goes away mid-transaction
    // (restart, failover, pg_ctl stop -m fast) would emit an unhandled 'error' and kill the process.
    // The query in flight rejects on its own; remember the error and discard the connection.
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
    };
    conn.on('error', onError);
    try {
      await conn.query('BEGIN');
      const out = await fn(new PgClient(this.pool, conn));
      await conn.query('COMMIT');
      return out;
    } catch (err) {
      if (!broken) await conn.query('ROLLBACK').catch(() => undefined);
      throw wrap(err, 'COMMIT');
    } finally {
      conn.off('error', onError);
      conn.release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.conn) await this.pool.end();
  }
}

export function createPostgresClient(url: string, opts: { max?: number; logger?: Logger; applicationName?: string } = {}): SqlClient {
  setPgParsers();
  const pool = new Pool({ connectionString: url, max: opts.max ?? 10, application_name: opts.applicationName ?? 'zhner', connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
  pool.on('error', (err) => opts.logger?.warn({ err: err.message }, 'idle postgres client error'));
  return new PgClient(pool);
}

type PgliteLike = Pick<PGlite, 'query' | 'exec'> | Transaction;

class PgliteClient implements SqlClient {
  readonly kind = 'pglite' as const;
  constructor(
    private readonly db: PGlite,
    private readonly tx?: PgliteLike,
  ) {}

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    try {
      const r = await (this.tx ?? this.db).query<R>(sql, params as unknown[]);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    } catch (err) {
      throw wrap(err, sql);
    }
  }

  async exec(script: string): Promise<void> {
    await (this.tx ?? this.db).exec(script);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.tx) return fn(this);
    return this.db.transaction((tx) => fn(new PgliteClient(this.db, tx)));
  }

  async close(): Promise<void> {
    if (!this.tx && !this.db.closed) await this.db.close();
  }
}

/** Embedded PostgreSQL (WASM). `dataDir` undefined = in memory. */
export async function createPgliteClient(dataDir?: string): Promise<SqlClient> {
  // PGlite creates only the last path segment; a fresh clone has no .data/ yet
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, {
    parsers: { [pgliteTypes.INT8]: (v: string) => Number(v), [pgliteTypes.NUMERIC]: (v: string) => Number(v) },
  });
  return new PgliteClient(db);
}
