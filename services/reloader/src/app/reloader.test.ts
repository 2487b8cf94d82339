// The reloader end to end on in-memory adapters (PGlite, the in-process bus) with fake replicas
// speaking the replica protocol through the bus.
import { MemoryBus } from '@zhner/bus';
import { createTopics, type ModelEvent, type ReplicaCommand, type Topics } from '@zhner/contracts';
import { loadConfig } from '@zhner/core';
import { createLogger, createMetricsRegistry } from '@zhner/kit';
import { createPgliteClient, migrate, type SqlClient } from '@zhner/store';
import type { ModelRegistry } from './ports';
import { configSpec, startReloader, type RunningReloader } from '../index';
import { FakeReplica } from '../testing/fakeReplica';

jest.setTimeout(60_000);

const logger = createLogger('test', { level: 'silent' });

async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const published = (over: Partial<ModelEvent>): ModelEvent => ({
  eventId: `e-${Math.random().toString(36).slice(2)}`,
  type: 'PUBLISHED',
  modelVersion: 'v2',
  previousVersion: 'v1',
  modelUri: '/models/v2',
  manifestSha256: 'a'.repeat(64),
  metrics: { dev_f1: 0.91 },
  reason: null,
  at: Date.now(),
  ...over,
});

describe('reloader on PGlite + in-memory bus', () => {
  let db: SqlClient;
  let bus: MemoryBus;
  let topics: Topics;
  let svc: RunningReloader;
  let replicas: FakeReplica[] = [];

  const events = () => bus.records(topics.modelEvents.name).map((r) => topics.modelEvents.codec.decode(r.value));
  const commands = (): ReplicaCommand[] => bus.records(topics.replicaCommands.name).map((r) => topics.replicaCommands.codec.decode(r.value));
  const rollout = async (id: string) => (await svc.app!.inject({ method: 'GET', url: `/rollouts/${id}` })).json();

  beforeAll(async () => {
    db = await createPgliteClient();
    await migrate(db);
    topics = createTopics({ prefix: 'r.', partitions: 1 });
    bus = new MemoryBus({ logger, deadLetterTopic: topics.deadLetters });
    const config = loadConfig(configSpec, { CANARY_SOAK: '300ms', ROLLOUT_STEP_TIMEOUT: '5s', ROLLOUT_TICK: '50ms', REPLICA_STALE_AFTER: '2s', ADMIN_TOKEN: 'sekret' });
    // the registry: every version vN lives at /models/vN; v2 is the promoted one
    const modelRegistry: ModelRegistry = {
      model: async (version) => (version === 'v404' ? undefined : { version, uri: `/models/${version}`, manifestSha256: 'b'.repeat(64) }),
      promoted: async () => ({ version: 'v2', uri: '/models/v2', manifestSha256: 'b'.repeat(64) }),
    };
    svc = await startReloader(config, { logger, registry: createMetricsRegistry('rl', { defaultMetrics: false }), bus, topics, db }, { registry: modelRegistry });
  });

  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    replicas = [];
  });

  afterAll(async () => {
    await svc?.close();
    await bus?.close();
    await db?.close();
  });

  async function startReplicas(ids: string[], version: string, opts: Partial<ConstructorParameters<typeof FakeReplica>[2]> = {}) {
    replicas = ids.map((replicaId) => new FakeReplica(bus, topics, { replicaId, initialVersion: version, heartbeatMs: 100, ...opts }));
    await Promise.all(replicas.map((r) => r.start()));
    await waitFor(async () => (await svc.app!.inject({ method: 'GET', url: '/replicas' })).json().replicas.filter((r: { live: boolean; replicaId: string }) => r.live && ids.includes(r.replicaId)).length === ids.length, 'replicas seen');
  }

  it('rolls out canary then all on PUBLISHED, and publishes PROMOTED', async () => {
    await startReplicas(['a', 'b', 'c'], 'v1');
    const ev = published({ modelVersion: 'v2' });
    await bus.publish(topics.modelEvents, [{ value: ev }]);
    const id = `ro-${ev.eventId}`;
    const done = await waitFor(async () => {
      const r = await rollout(id);
      return r.state === 'completed' || r.state === 'rolled_back' ? r : undefined;
    }, 'rollout end');
    expect(done).toMatchObject({ state: 'completed', modelVersion: 'v2', previousVersion: 'v1', canaryReplica: 'a', trigger: 'event', reason: null });
    expect(done.steps.map((s: { event: string }) => s.event)).toEqual(['created', 'canary_command', 'canary_ready', 'rolling_command', 'replica_switched', 'replica_switched', 'completed']);
    // the canary got its own command first; the others only the broadcast, after the soak
    expect(replicas[0].received.map((c) => c.commandId)).toEqual([`${id}.canary`, `${id}.all`]);
    expect(replicas[1].received.map((c) => c.commandId)).toEqual([`${id}.all`]);
    const soakStart = Date.parse(done.steps[2].at);
    expect(Date.parse(done.steps[3].at) - soakStart).toBeGreaterThanOrEqual(300);
    expect(replicas.every((r) => r.modelVersion === 'v2')).toBe(true);
    const promoted = await waitFor(() => events().find((e) => e.type === 'PROMOTED' && e.modelVersion === 'v2'), 'PROMOTED');
    expect(promoted).toMatchObject({ eventId: `${id}.promoted`, previousVersion: 'v1', modelUri: '/models/v2', metrics: { dev_f1: 0.91 } });
    const metrics = (await svc.app!.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/zhner_reloader_rollouts_finished_total\{outcome="completed",service="rl"\} 1/);
    expect(metrics).toMatch(/zhner_reloader_replicas_by_version\{model_version="v2",service="rl"\} 3/);
  });

  it('rolls back a canary that reports an error during the soak: ROLLBACK to it, ROLLED_BACK', async () => {
    await startReplicas(['d', 'e'], 'v2');
    const admin = { authorization: 'Bearer sekret' };
    // model references are registry versions, never paths; an unknown version is a 404
    for (const payload of [{ modelVersion: 'v3', modelUri: '/models/v3' }, { modelVersion: 'v3', modelUri: '../../../../etc' }]) {
      const refused = await svc.app!.inject({ method: 'POST', url: '/rollouts', headers: admin, payload });
      expect([refused.statusCode, refused.json().error.code]).toEqual([400, 'PATH_REFUSED']);
    }
    const unknown = await svc.app!.inject({ method: 'POST', url: '/rollouts', headers: admin, payload: { modelVersion: 'v404' } });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'UNKNOWN_MODEL_VERSION']);
    const asVersion = await svc.app!.inject({ method: 'POST', url: '/rollouts', headers: admin, payload: { modelVersion: '../../../../etc' } });
    expect([asVersion.statusCode, asVersion.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(asVersion.body).not.toContain('/etc');
    expect((await svc.app!.inject({ method: 'POST', url: '/rollouts', payload: { modelVersion: 'v3' } })).statusCode).toBe(401);
    const res = await svc.app!.inject({ method: 'POST', url: '/rollouts', headers: admin, payload: { modelVersion: 'v3' } });
    expect(res.statusCode).toBe(202);
    expect(res.json().rollout).toMatchObject({ modelVersion: 'v3', modelUri: '/models/v3', previousVersion: 'v2' });
    const id = res.json().rollout.rolloutId as string;
    // a second operator rollout while one is active is refused
    const again = await svc.app!.inject({ method: 'POST', url: '/rollouts', headers: admin, payload: { modelVersion: 'v4' } });
    expect(again.statusCode).toBe(409);
    await waitFor(async () => (await rollout(id)).phase === 'soak', 'soak');
    await replicas[0].fail('OrtRun failed: out of memory');
    const done = await waitFor(async () => {
      const r = await rollout(id);
      return r.state === 'rolled_back' ? r : undefined;
    }, 'rollback');
    expect(done.reason).toBe('canary d reported an error during the soak: OrtRun failed: out of memory');
    expect(done.switched).toEqual(['d']);
    const rollback = await waitFor(() => commands().find((c) => c.commandId === `${id}.rollback.d`), 'ROLLBACK command');
    expect(rollback).toMatchObject({ type: 'ROLLBACK', replicaId: 'd', modelVersion: 'v2' });
    await waitFor(() => replicas[0].modelVersion === 'v2', 'canary back on v2');
    expect(replicas[1].received).toEqual([]); // never reached the others
    expect(events().find((e) => e.type === 'ROLLED_BACK' && e.modelVersion === 'v3')).toMatchObject({ reason: done.reason, previousVersion: 'v2' });
  });

  it('rolls back without ROLLBACK when the canary cannot load the model', async () => {
    await startReplicas(['f'], 'v2', { loadOutcome: () => 'MODEL_NOT_FOUND: /models/v5 does not exist' });
    const ev = published({ modelVersion: 'v5', modelUri: '/models/v5', previousVersion: 'v2' });
    await bus.publish(topics.modelEvents, [{ value: ev }]);
    const done = await waitFor(async () => {
      const r = await rollout(`ro-${ev.eventId}`);
      return r.state === 'rolled_back' ? r : undefined;
    }, 'rollback');
    expect(done.reason).toMatch(/canary f failed to load v5: MODEL_NOT_FOUND/);
    expect(done.commands.rollback).toEqual([]);
    expect(events().some((e) => e.type === 'ROLLED_BACK' && e.modelVersion === 'v5')).toBe(true);
  });

  it('an operator can force the rollback of a completed rollout; auth is checked', async () => {
    await startReplicas(['g', 'h'], 'v2');
    const unauth = await svc.app!.inject({ method: 'POST', url: '/rollouts', payload: { modelVersion: 'v6', modelUri: '/models/v6' } });
    expect(unauth.statusCode).toBe(401);
    const res = await svc.app!.inject({ method: 'POST', url: '/rollouts', headers: { authorization: 'Bearer sekret' }, payload: { modelVersion: 'v6' } });
    const id = res.json().rollout.rolloutId as string;
    await waitFor(async () => (await rollout(id)).state === 'completed', 'completed');
    const back = await svc.app!.inject({ method: 'POST', url: `/rollouts/${id}/rollback`, headers: { authorization: 'Bearer sekret' }, payload: { reason: 'latency regression' } });
    expect(back.statusCode).toBe(200);
    expect(back.json().rollout).toMatchObject({ state: 'rolled_back', reason: 'forced by operator: latency regression' });
    await waitFor(() => replicas.every((r) => r.modelVersion === 'v2'), 'both back on v2');
    const twice = await svc.app!.inject({ method: 'POST', url: `/rollouts/${id}/rollback`, headers: { authorization: 'Bearer sekret' } });
    expect(twice.statusCode).toBe(409);
    expect((await svc.app!.inject({ method: 'POST', url: '/rollouts/nope/rollback', headers: { authorization: 'Bearer sekret' } })).statusCode).toBe(404);
    const list = (await svc.app!.inject({ method: 'GET', url: '/rollouts' })).json().rollouts;
    expect(list[0].rolloutId).toBe(id);
  });
});
