import { createLogger } from '@zhner/kit';
import { LiveUpdates, type LiveSnapshot } from './live';

const depth = (open: number) => ({ open, claimed: 0, done: 0, skipped: 0, expired: 0 });

describe('LiveUpdates', () => {
  it('sends every channel on subscribe, then only what changed; polls only while someone listens', async () => {
    let open = 3;
    let polls = 0;
    const source = {
      snapshot: async (): Promise<LiveSnapshot> => {
        polls++;
        return { queue: { depth: depth(open) }, rollouts: { rollouts: [], replicas: [] } };
      },
    };
    const live = new LiveUpdates(source, createLogger('t', { level: 'silent' }), 10_000);
    const got: string[] = [];
    const off = await live.subscribe((ch, data) => got.push(`${ch}:${JSON.stringify(data)}`));
    expect(got).toEqual([`queue:${JSON.stringify({ depth: depth(3) })}`, 'rollouts:{"rollouts":[],"replicas":[]}']);
    live.poke(); // nothing changed: nothing sent
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toHaveLength(2);
    open = 2;
    live.poke();
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toHaveLength(3);
    expect(got[2]).toContain('"open":2');
    expect(live.clients).toBe(1);
    off();
    const before = polls;
    live.poke();
    await new Promise((r) => setTimeout(r, 10));
    expect(polls).toBe(before);
    live.close();
  });
});
