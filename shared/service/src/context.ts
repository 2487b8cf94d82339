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
