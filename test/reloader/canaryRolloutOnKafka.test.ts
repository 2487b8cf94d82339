// Rollouts on a real broker and database, with fake tagger replicas that speak the replica
// protocol through Kafka (their own consumer groups on the commands topic, heartbeats on the
// compacted heartbeats topic): a healthy canary leads to all replicas and PROMOTED; a canary that
// reports an error during its soak is rolled back (ROLLBACK command) and ROLLED_BACK is published.
import type { KafkaMessage } from 'kafkajs';
import type { ModelEvent, ReplicaCommand } from '@zhner/contracts';
import { loadConfig } from '@zhner/core';
import { createMetricsRegistry } from '@zhner/kit';
import type { SqlClient } from '@zhner/store';
import { configSpec, startReloader, type RunningReloader } from '@zhner/reloader';
import { FakeReplica } from '@zhner/reloader/testing';
import { freshDatabase, kafkaBus, readTopic, testLogger, testTopics, waitFor, type TestDatabase } from '@zhner/test';

jest.setTimeout(180_000);

const published = (modelVersion: string, previousVersion: string): ModelEvent => ({
  eventId: `ev-${modelVersion}-${Date.now()}`,
  type: 'PUBLISHED',
  modelVersion,
  previousVersion,
  modelUri: `/models/${modelVersion}`,
  manifestSha256: 'c'.repeat(64),
  metrics: { dev_f1: 0.9 },
  reason: null,
  at: Date.now(),
});

describe('reloader on Kafka + PostgreSQL with fake replicas', () => {
  const topics = testTopics();
  const bus = kafkaBus(topics);
  const replicaBus = kafkaBus(topics);
  let database: TestDatabase;
  let db: SqlClient;
  let reloader: RunningReloader;
  let replicas: FakeReplica[] = [];

  beforeAll(async () => {
    database = await freshDatabase();
    db = await database.open();
    const config = loadConfig(configSpec, { CANARY_SOAK: '1s', ROLLOUT_STEP_TIMEOUT: '45s', REPLICA_STALE_AFTER: '5s', ROLLOUT_TICK: '100ms' });
    reloader = await startReloader(config, { logger: testLogger, registry: createMetricsRegistry('reloader', { defaultMetrics: false }), bus, topics, db });
  });
  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    replicas = [];
  });
  afterAll(async () => {
    await reloader?.close();
    await replicaBus.close();
    await bus.close();
    await database?.drop();
  });

  async function startReplicas(ids: string[], version: string): Promise<void> {
    replicas = ids.map((replicaId) => new FakeReplica(replicaBus, topics, { replicaId, initialVersion: version, heartbeatMs: 300 }));
    await Promise.all(replicas.map((r) => r.start()));
    await waitFor(async () => (await reloader.app!.inject({ method: 'GET', url: '/replicas' })).json().replicas.filter((r: { replicaId: string; live: boolean }) => r.live && ids.includes(r.replicaId)).length === ids.length, 60_000, 'replicas live');
  }

  const rolloutRow = async (modelVersion: string) =>
    (await db.query<{ rollout_id: string; state: string; canary_replica: string | null; detail: { steps: Array<{ event: string; at: number }>; phase: string | null; reason: string | null } }>('SELECT rollout_id, state, canary_replica, detail FROM rollouts WHERE model_version = $1', [modelVersion])).rows[0];
  const decodeCommands = (msgs: KafkaMessage[]): ReplicaCommand[] => msgs.map((m) => topics.replicaCommands.codec.decode(m.value));

  it('canary, soak, then all replicas; PROMOTED on the topic and the rollout row completed', async () => {
    await startReplicas(['r1-a', 'r1-b', 'r1-c'], 'v1');
    const ev = published('v2', 'v1');
    await bus.publish(topics.modelEvents, [{ value: ev }]);

    await waitFor(async () => ['completed', 'rolled_back', 'failed'].includes((await rolloutRow('v2'))?.state ?? ''), 90_000, 'rollout end');
    const row = await rolloutRow('v2');
    expect(row).toMatchObject({ rollout_id: `ro-${ev.eventId}`, state: 'completed', canary_replica: 'r1-a' });
    expect(row.detail.steps.map((s) => s.event)).toEqual(['created', 'canary_command', 'canary_ready', 'rolling_command', 'replica_switched', 'replica_switched', 'completed']);
    const soak = row.detail.steps[3].at - row.detail.steps[2].at;
    expect(soak).toBeGreaterThanOrEqual(1000);
    expect(replicas.map((r) => r.modelVersion)).toEqual(['v2', 'v2', 'v2']);

    const cmds = decodeCommands(await readTopic(topics.replicaCommands.name, (m) => m.length >= 2, 30_000));
    expect(cmds.map((c) => [c.commandId, c.replicaId, c.type, c.modelVersion])).toEqual([
      [`${row.rollout_id}.canary`, 'r1-a', 'LOAD_MODEL', 'v2'],
      [`${row.rollout_id}.all`, '*', 'LOAD_MODEL', 'v2'],
    ]);
    const events = (await readTopic(topics.modelEvents.name, (m) => m.length >= 2, 30_000)).map((m) => topics.modelEvents.codec.decode(m.value));
    expect(events.find((e) => e.type === 'PROMOTED')).toMatchObject({ modelVersion: 'v2', previousVersion: 'v1', modelUri: '/models/v2', manifestSha256: 'c'.repeat(64), metrics: { dev_f1: 0.9 } });
  });

  it('a canary reporting an error during the soak is rolled back: ROLLBACK sent, ROLLED_BACK published', async () => {
    await startReplicas(['r2-a', 'r2-b'], 'v2');
    await bus.publish(topics.modelEvents, [{ value: published('v3', 'v2') }]);
    await waitFor(async () => (await rolloutRow('v3'))?.detail.phase === 'soak', 60_000, 'canary soak');
    const canary = replicas[0]; // the first live READY replica by id is the canary
    expect(canary.modelVersion).toBe('v3');
    await canary.fail('InferenceError: onnxruntime failed on a batch of 32 x 128');

    await waitFor(async () => (await rolloutRow('v3'))?.state === 'rolled_back', 60_000, 'rolled back');
    const row = await rolloutRow('v3');
    expect(row.detail.reason).toBe('canary r2-a reported an error during the soak: InferenceError: onnxruntime failed on a batch of 32 x 128');
    const cmds = decodeCommands(await readTopic(topics.replicaCommands.name, (m) => decodeCommands(m).some((c) => c.type === 'ROLLBACK'), 30_000));
    expect(cmds.filter((c) => c.modelVersion === 'v3' || c.type === 'ROLLBACK').map((c) => [c.replicaId, c.type, c.modelVersion])).toEqual([
      ['r2-a', 'LOAD_MODEL', 'v3'],
      ['r2-a', 'ROLLBACK', 'v2'],
    ]);
    await waitFor(() => canary.modelVersion === 'v2', 30_000, 'canary back on v2');
    expect(replicas.find((r) => r.replicaId === 'r2-b')!.received).toEqual([]);
    const events = (await readTopic(topics.modelEvents.name, (m) => m.some((x) => topics.modelEvents.codec.decode(x.value).type === 'ROLLED_BACK'), 30_000)).map((m) => topics.modelEvents.codec.decode(m.value));
    expect(events.find((e) => e.type === 'ROLLED_BACK')).toMatchObject({ modelVersion: 'v3', previousVersion: 'v2', reason: row.detail.reason });
    const api = (await reloader.app!.inject({ method: 'GET', url: `/rollouts/${row.rollout_id}` })).json();
    expect(api).toMatchObject({ state: 'rolled_back', switched: ['r2-a'], commands: { rollback: [`${row.rollout_id}.rollback.r2-a`] } });
  });
});
