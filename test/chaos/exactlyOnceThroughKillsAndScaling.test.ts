// The chaos command (bench/chaos/delivery.ts) at a small scale, on a broker of this test's own
// (the repository's launcher settings: 10 s consumer-group session timeout): real tagger
// processes in one group, one SIGKILL and a scale 1 → 2 → 1 while documents stream. Exactly-once:
// every document's entity event is seen exactly once by a read_committed reader. At-least-once:
// every document is seen (its duplicate count is reported, not asserted: it depends on timing).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { freeBrokerPort, ownBroker, type OwnBroker } from '@zhner/test';

jest.setTimeout(900_000);

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '..', '..');


async function chaos(brokers: string, delivery: string): Promise<Record<string, unknown>> {
  const args = ['--import', 'tsx', path.join(REPO, 'bench', 'chaos', 'delivery.ts'), '--docs', '1500', '--kills', '1', '--scale', '1,2,1', '--delivery', delivery, '--spacing', '16', '--seed', '3'];
  const { stdout } = await run(process.execPath, args, { cwd: REPO, env: { ...process.env, KAFKA_BROKERS: brokers }, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 }).catch((err: { stdout?: string; stderr?: string }) => {
    // exit code 1 means a delivery failure: its JSON is still the last line
    if (err.stdout?.trim()) return { stdout: err.stdout };
    throw new Error(`chaos command failed: ${err.stderr?.slice(-3000)}`);
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe('delivery through SIGKILLs and scaling, real tagger processes', () => {
  let broker: OwnBroker;
  beforeAll(async () => {
    broker = ownBroker(await freeBrokerPort());
    broker.start();
  });
  afterAll(() => broker?.destroy());

  it('exactly-once: nothing missing, nothing twice', async () => {
    const r = await chaos(broker.brokers, 'exactly-once');
    expect({ missing: r.missing, duplicates: r.duplicates, kills: r.kills, crashes: r.unplanned_crashes }).toEqual({ missing: 0, duplicates: 0, kills: 1, crashes: 0 });
    expect(r.delivered).toBe(1500);
    expect(r.rebalances as number).toBeGreaterThanOrEqual(3); // join of the second replica, kill, leave
  });

  it('at-least-once: nothing missing', async () => {
    const r = await chaos(broker.brokers, 'at-least-once');
    expect({ missing: r.missing, kills: r.kills, crashes: r.unplanned_crashes }).toEqual({ missing: 0, kills: 1, crashes: 0 });
    expect(r.duplicates as number).toBeGreaterThanOrEqual(0);
  });
});
