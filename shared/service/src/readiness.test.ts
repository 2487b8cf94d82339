import type { SubscriptionHealth } from '@zhner/bus';
import { busReadiness, consumerServiceReadiness, subscriptionReadiness } from './context';

const healthy: SubscriptionHealth = { groupId: 'g', topics: ['t'], state: 'running', connected: true, member: true, partitions: 3, lag: 0, lastProgressAt: Date.now(), stalled: false, delivery: 'exactly-once', lastError: null };
const db = { query: async () => ({ rows: [], rowCount: 0 }) } as never;

describe('consumer readiness', () => {
  it('is ready when connected, a member and progressing (a member without partitions included)', () => {
    expect(subscriptionReadiness(healthy)).toEqual([]);
    expect(subscriptionReadiness({ ...healthy, partitions: 0, lag: null })).toEqual([]);
  });

  it('names the broker, the membership and a stall', () => {
    expect(subscriptionReadiness({ ...healthy, connected: false, lastError: 'fetch failed: ECONNREFUSED' })).toEqual(['broker unreachable (consumer group g: fetch failed: ECONNREFUSED)']);
    expect(subscriptionReadiness({ ...healthy, member: false })).toEqual(['not a member of consumer group g']);
    expect(subscriptionReadiness({ ...healthy, stalled: true, lag: 42, lastProgressAt: 0 })).toEqual(['consumer group g stalled: lag 42, no commit since 1970-01-01T00:00:00.000Z']);
    expect(subscriptionReadiness({ ...healthy, state: 'failed', lastError: 'fenced' })).toEqual(['consumer group g failed (fenced)']);
  });

  it('adds the bus to the service reasons', async () => {
    const bus = { health: () => ({ kind: 'kafka' as const, subscriptions: [healthy, { ...healthy, groupId: 'h', connected: false }] }) };
    expect(busReadiness(bus.health())).toEqual(['broker unreachable (consumer group h)']);
    expect(await consumerServiceReadiness({ lifecycle: { state: 'RUNNING' }, subscribed: true, db, bus })).toEqual(['broker unreachable (consumer group h)']);
    expect(await consumerServiceReadiness({ lifecycle: { state: 'RUNNING' }, subscribed: true, db })).toEqual([]);
  });
});
