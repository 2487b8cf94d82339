import type { Bus } from '@zhner/bus';
import type { Topics } from '@zhner/contracts';
import type { HttpApp, Logger, Registry } from '@zhner/kit';
import type { SqlClient } from '@zhner/store';

/** What every service is started with. Standalone: Kafka + PostgreSQL; one-machine: shared in-process bus + PGlite. */
export interface ServiceContext {
  logger: Logger;
  /** The service's own prom-client registry (exposed on its /metrics). */
  registry: Registry;
  bus: Bus;
  topics: Topics;
  db: SqlClient;
}

/** A started service. Its HTTP app is built but not listening: the caller decides the port. */
export interface RunningService {
  readonly name: string;
  readonly app?: HttpApp;
  /** Stops intake, drains work in flight, releases what the service opened (not the bus or db it was given). Idempotent. */
  close(): Promise<void>;
}

export type StartService<C> = (config: C, ctx: ServiceContext) => Promise<RunningService>;

/**
 * The readiness reasons shared by the services that consume and own tables: not running yet (or
 * closing), consumers not subscribed, database unreachable. Empty = ready.
 */
export async function consumerServiceReadiness(opts: { lifecycle: { readonly state: string }; subscribed: boolean; db: Pick<SqlClient, 'query'> }): Promise<string[]> {
  const reasons: string[] = [];
  if (opts.lifecycle.state !== 'RUNNING') reasons.push(`lifecycle ${opts.lifecycle.state}`);
  if (!opts.subscribed) reasons.push('consumers not subscribed');
  try {
    await opts.db.query('SELECT 1');
  } catch {
    reasons.push('database unreachable');
  }
  return reasons;
}
