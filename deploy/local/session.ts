// .data/platform.json: where a running `npm start` platform is and its admin token, for the operator
// tools that drive it (npm run chaos:inputs, chaos:outage). Written at start (mode 0600: the admin
// token is in it), removed at stop.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface PlatformSession {
  pid: number;
  startedAt: string;
  /** Base URLs by service: studio, tagger, sampler, orchestrator, reloader. */
  urls: Record<string, string>;
  bus: { kind: 'memory' } | { kind: 'kafka'; brokers: string[]; topicPrefix: string };
  store: { kind: 'pglite' } | { kind: 'postgres'; databaseUrl: string };
  adminToken?: string;
  /** Where deploy/local/infra.mjs keeps Kafka's and PostgreSQL's data (NER_DATA_DIR), for the outage drill. */
  infraDataDir?: string;
}

export const SESSION_FILE = path.resolve(__dirname, '..', '..', '.data', 'platform.json');

export function writePlatformSession(session: PlatformSession, file = SESSION_FILE): () => void {
  writeFileSync(file, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return () => rmSync(file, { force: true });
}

/** The running platform's session, or undefined when none is written (or its process is gone). */
export function readPlatformSession(file = SESSION_FILE): PlatformSession | undefined {
  if (!existsSync(file)) return undefined;
  const s = JSON.parse(readFileSync(file, 'utf8')) as PlatformSession;
  try {
    process.kill(s.pid, 0);
  } catch {
    return undefined; // stale: the platform died without removing it
  }
  return s;
}
