import type { Bus, BusHealth, SubscriptionHealth } from '@zhner/bus';
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
 * Why a subscription is not ready (empty = ready): not connected to the broker, not a member of
 * its consumer group, stalled (lag and no commit for the stall timeout), stopped or failed.
 */
export function subscriptionReadiness(h: SubscriptionHealth): string[] {
  const reasons: string[] = [];
  const group = `consumer group ${h.groupId}`;
  if (h.state === 'failed' || h.state === 'stopped') reasons.push(`${group} ${h.state}${h.lastError ? ` (${h.lastError})` : ''}`);
  else if (h.state === 'running') {
    if (!h.connected) reasons.push(`broker unreachable (${group}${h.lastError ? `: ${h.lastError}` : ''})`);
    else if (!h.member) reasons.push(`not a member of ${group}`);
    if (h.stalled) reasons.push(`${group} stalled: lag ${h.lag}, no commit since ${h.lastProgressAt !== null ? new Date(h.lastProgressAt).toISOString() : 'start'}`);
  }
  return reasons;
}

/** The readiness reasons of every subscription of a bus. */
export function busReadiness(health: BusHealth): string[] {
  return health.subscriptions.flatMap(subscriptionReadiness);
}

/**
 * The readiness reasons shared by the services that consume and own tables: not running yet (or
 * closing), consumers not subscribed, database unreachable, and — when `bus` is given — what the
 * bus knows of its subscriptions (broker connection, group membership, progress). Empty = ready.
 */
export async function consumerServiceReadiness(opts: { lifecycle: { readonly state: string }; subscribed: boolean; db: Pick<SqlClient, 'query'>; bus?: Pick<Bus, 'health'> }): Promise<string[]> {
  const reasons: string[] = [];
  if (opts.lifecycle.state !== 'RUNNING') reasons.push(`lifecycle ${opts.lifecycle.state}`);
  if (!opts.subscribed) reasons.push('consumers not subscribed');
  if (opts.bus) reasons.push(...busReadiness(opts.bus.health()));
  try {
    await opts.db.query('SELECT 1');
  } catch {
    reasons.push('database unreachable');
  }
  return reasons;
}
