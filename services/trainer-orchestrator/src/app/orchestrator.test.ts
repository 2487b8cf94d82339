// The orchestrator's use cases end to end on in-memory adapters: PGlite (the real SQL), the
// in-process bus, a fake training job and a fixed evaluator.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryBus } from '@zhner/bus';
import { createTopics, type Correction, type ModelEvent, type Topics } from '@zhner/contracts';
import { loadConfig } from '@zhner/core';
import { createLogger, createMetricsRegistry } from '@zhner/kit';
import { createPgliteClient, migrate, type SqlClient } from '@zhner/store';
import { configSpec, startOrchestrator, type RunningOrchestrator } from '../index';
import { FakeTrainingJob, FixedEvaluator, writeFakeModelDir } from '../testing/fakes';
import { FileWorkspace } from '../adapters/files';
import { SqlModelRepository } from '../adapters/repository';
import { ModelRegistry } from './registry';

jest.setTimeout(60_000);

const logger = createLogger('test', { level: 'silent' });

async function waitFor(cond: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let seq = 0;
const correction = (text: string, entities: Correction['entities'], over: Partial<Correction> = {}): Correction => ({
  correctionId: `c-${++seq}`,
  candidateId: null,
  docId: `d-${seq}`,
  text,
  annotator: 'ann',
  revision: 0,
  entities,
  modelVersion: 'base-v1',
  origin: 'STUDIO',
  createdAt: 1_700_000_000_000 + seq,
  ...over,
});

describe('orchestrator on PGlite + in-memory bus', () => {
  let dir: string;
  let db: SqlClient;
  let bus: MemoryBus;
  let topics: Topics;
  let svc: RunningOrchestrator;
  const job = new FakeTrainingJob({ epochMs: 30 });
  let candidateF1 = 0.9;
  // the newest model directory is the candidate; anything else scores as the base
  const evaluator = new FixedEvaluator((modelDir) => (modelDir === job.specs.at(-1)?.outDir ? candidateF1 : 0.8));
  const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0].n;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'orch-'));
    await writeFakeModelDir(path.join(dir, 'base'), 'base-v1');
    const replay = Array.from({ length: 400 }, (_, i) => {
      const text = `回放句子${i}：新华社北京电`;
      const at = Array.from(text).indexOf('北'); // code-point offsets, surface = slice (the corpus rule)
      return JSON.stringify({ id: `r${i}`, text, entities: [{ start: at, end: at + 2, type: 'LOC', text: '北京' }] });
    });
    replay.push(JSON.stringify({ id: 'r-same', text: '李鹏在北京会见客人', entities: [] }));
    await writeFile(path.join(dir, 'replay.jsonl'), replay.join('\n') + '\n');
    await writeFile(path.join(dir, 'dev.jsonl'), Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: `v${i}`, text: `开发句子${i}`, entities: [] })).join('\n') + '\n');
    db = await createPgliteClient();
    await migrate(db);
    topics = createTopics({ prefix: 'u.', partitions: 2 });
    bus = new MemoryBus({ logger, deadLetterTopic: topics.deadLetters });
    const config = loadConfig(configSpec, {
      MODELS_DIR: path.join(dir, 'models'),
      MODEL_DIR: path.join(dir, 'base'),
      TRAIN_CRON: '',
      TRAIN_BACKLOG_THRESHOLD: '0',
      TRAIN_REPLAY_FILES: path.join(dir, 'replay.jsonl'),
      GATE_DEV_FILE: path.join(dir, 'dev.jsonl'),
      GATE_MIN_HOLDOUT_DOCS: '1',
      HOLDOUT_SHARE: '0',
      // no hold-out in this fixture: the operator says explicitly that the gate may pass without it
      GATE_MISSING_EVIDENCE: 'allow',
      RUN_HEARTBEAT_INTERVAL: '100ms',
      ADMIN_TOKEN: 'orch-admin',
      TRAIN_MANUAL_MIN_CORRECTIONS: '2',
    });
    svc = await startOrchestrator(config, { logger, registry: createMetricsRegistry('orch', { defaultMetrics: false }), bus, topics, db }, { job, evaluator });
  });

  afterAll(async () => {
    await svc?.close();
    await bus?.close();
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers the bundled model as promoted at start-up', async () => {
    const res = await svc.app!.inject({ method: 'GET', url: '/models' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ promoted: 'base-v1', models: [{ version: 'base-v1', status: 'promoted', uri: path.join(dir, 'base') }] });
  });

  const asAdmin = { authorization: 'Bearer orch-admin' };

  it('refuses an anonymous manual run, and one while there is nothing to learn', async () => {
    const anonymous = await svc.app!.inject({ method: 'POST', url: '/runs' });
    expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const res = await svc.app!.inject({ method: 'POST', url: '/runs', headers: asAdmin });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/no corrections to learn from/);
  });

  it('stores valid corrections once, supersedes older revisions and dead-letters invalid ones', async () => {
    const first = correction('李鹏在北京会见客人', [{ start: 0, end: 2, type: 'PER', text: '李鹏' }], { annotator: 'a1', revision: 0 });
    const revised = correction('李鹏在北京会见客人', [{ start: 0, end: 2, type: 'PER', text: '李鹏' }, { start: 3, end: 5, type: 'LOC', text: '北京' }], { annotator: 'a1', revision: 1 });
    const astral = correction('😀王军去了上海', [{ start: 2, end: 4, type: 'PER', text: '王军' }, { start: 6, end: 8, type: 'LOC', text: '上海' }]);
    const badType = correction('小米手机很好', [{ start: 0, end: 4, type: 'PRODUCT', text: '小米手机' }]);
    await bus.publish(topics.corrections, [first, revised, astral, badType, first].map((value) => ({ value })));
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM training_examples')) === 3, '3 examples');
    await waitFor(() => bus.records(topics.deadLetters.name).length === 1, 'one dead letter');
    const letter = topics.deadLetters.codec.decode(bus.records(topics.deadLetters.name)[0].value);
    expect(letter.reason).toMatch(/PRODUCT.*not in the label set/);
    const rows = (await db.query<{ correction_id: string; superseded_by: string | null }>('SELECT correction_id, superseded_by FROM training_examples ORDER BY correction_id')).rows;
    expect(rows).toEqual([
      { correction_id: first.correctionId, superseded_by: revised.correctionId },
      { correction_id: revised.correctionId, superseded_by: null },
      { correction_id: astral.correctionId, superseded_by: null },
    ]);
  });

  it('runs a manual fine-tune: training set under the cap, progress, gate, PUBLISHED via the outbox', async () => {
    const res = await svc.app!.inject({ method: 'POST', url: '/runs', headers: asAdmin });
    expect(res.statusCode).toBe(202);
    const runId = res.json().run.runId as string;
    expect(res.json().run).toMatchObject({ status: 'running', trigger: 'manual', baseVersion: 'base-v1' });

    const again = await svc.app!.inject({ method: 'POST', url: '/runs', headers: asAdmin });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(new RegExp(runId));

    await waitFor(async () => (await svc.app!.inject({ method: 'GET', url: `/runs/${runId}` })).json().status !== 'running', 'run end');
    const run = (await svc.app!.inject({ method: 'GET', url: `/runs/${runId}` })).json();
    expect(run).toMatchObject({ status: 'succeeded', newVersion: 'fake-1', error: null });
    expect(run.progress.map((p: { epoch: number }) => p.epoch)).toEqual([1, 2]);
    expect(run.dataStats).toMatchObject({ nNew: 2, nReplay: 12, cap: 0.15, replayExcluded: 1 });
    expect(run.gate).toMatchObject({ passed: true });

    // the job got the run's files; corrections are written with code-point offsets
    const spec = job.specs[0];
    expect(spec.initFrom).toBe(path.join(dir, 'base'));
    const lines = (await readFile(spec.trainFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(14);
    const astralLine = lines.find((l) => l.text === '😀王军去了上海');
    expect(astralLine.entities).toEqual([{ start: 1, end: 3, type: 'PER', text: '王军' }, { start: 5, end: 7, type: 'LOC', text: '上海' }]);
    expect(lines.filter((l) => l.text === '李鹏在北京会见客人')).toHaveLength(1); // the replay copy is excluded, the revision wins
    expect(lines.find((l) => l.text === '李鹏在北京会见客人').entities).toHaveLength(2);

    const models = (await svc.app!.inject({ method: 'GET', url: '/models' })).json();
    expect(models.models.find((m: { version: string }) => m.version === 'fake-1')).toMatchObject({ status: 'candidate', parentVersion: 'base-v1', trainingRunId: runId });
    await waitFor(() => bus.records(topics.modelEvents.name).length === 1, 'PUBLISHED on the topic');
    const ev = topics.modelEvents.codec.decode(bus.records(topics.modelEvents.name)[0].value);
    expect(ev).toMatchObject({ type: 'PUBLISHED', modelVersion: 'fake-1', previousVersion: 'base-v1', modelUri: spec.outDir, reason: null });
    expect(ev.metrics.dev_f1).toBeCloseTo(0.9);
    expect(ev.metrics.base_dev_f1).toBeCloseTo(0.8);
    expect(ev.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await count('SELECT count(*)::int AS n FROM training_examples WHERE first_used_in = $1', [runId])).toBe(2);

    const metrics = await (await svc.app!.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/zhner_orchestrator_runs\{status="succeeded",service="orch"\} 1/);
    expect(metrics).toMatch(/zhner_orchestrator_last_f1\{model="candidate",dataset="dev",service="orch"\} 0.9/);
    expect(metrics).toMatch(/zhner_orchestrator_backlog_examples\{service="orch"\} 0/);
  });

  it('follows PROMOTED from the reloader: the candidate is promoted, the base retired, its corrections learned', async () => {
    const promoted: ModelEvent = { eventId: 'e-promo', type: 'PROMOTED', modelVersion: 'fake-1', previousVersion: 'base-v1', modelUri: 'x', manifestSha256: 'y', metrics: {}, reason: null, at: Date.now() + 1000 };
    await bus.publish(topics.modelEvents, [{ value: promoted }]);
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM model_versions WHERE version = 'fake-1' AND status = 'promoted'`)) === 1, 'promotion');
    expect(await count(`SELECT count(*)::int AS n FROM model_versions WHERE version = 'base-v1' AND status = 'retired'`)).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM training_examples WHERE learned_in = $1', ['fake-1'])).toBe(2);
    // a stale promotion of the older version does not flip the registry back
    await bus.publish(topics.modelEvents, [{ value: { ...promoted, eventId: 'e-old', modelVersion: 'base-v1', at: 1 } }]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await svc.app!.inject({ method: 'GET', url: '/models' })).json().promoted).toBe('fake-1');
  });

  it('rejects a candidate whose dev F1 drops: status rejected, REJECTED event, base unchanged', async () => {
    candidateF1 = 0.7;
    await bus.publish(topics.corrections, [{ value: correction('张三在广州工作', [{ start: 0, end: 2, type: 'PER', text: '张三' }]) }]);
    await waitFor(async () => (await count('SELECT count(*)::int AS n FROM training_examples')) === 4, 'new example');
    // one new correction: below TRAIN_MANUAL_MIN_CORRECTIONS for a manual run (a schedule may run it)
    const few = await svc.app!.inject({ method: 'POST', url: '/runs', headers: asAdmin });
    expect([few.statusCode, few.json().error.message]).toEqual([409, expect.stringMatching(/1 new correction\(s\) wait; a manual run needs at least 2/)]);
    const started = await svc.trainingRuns.start('schedule');
    const done = await started.done;
    expect(done.status).toBe('rejected');
    expect(done.gate?.reasons[0]).toMatch(/dev F1 dropped 10\.00 points/);
    expect(done.dataStats).toMatchObject({ nNew: 1, nReplay: 6 });
    await waitFor(() => bus.records(topics.modelEvents.name).length >= 3, 'REJECTED');
    const events = bus.records(topics.modelEvents.name).map((r) => topics.modelEvents.codec.decode(r.value));
    expect(events.at(-1)).toMatchObject({ type: 'REJECTED', modelVersion: 'fake-2', reason: expect.stringMatching(/dev F1 dropped/) });
    expect(await count(`SELECT count(*)::int AS n FROM model_versions WHERE version = 'fake-2' AND status = 'rejected'`)).toBe(1);
    // the rejected run's corrections were not learned: the next run may use them again, but they no longer count as backlog
    expect(await count(`SELECT count(*)::int AS n FROM training_examples WHERE learned_in IS NULL AND superseded_by IS NULL`)).toBe(1);
    expect((await svc.app!.inject({ method: 'GET', url: '/runs?status=rejected' })).json().runs).toHaveLength(1);
  });

  it('records a failed job with its reason', async () => {
    const failing = new FakeTrainingJob({ failWith: 'E_DATA: bad line 3' });
    (svc.trainingRuns as unknown as { deps: { job: unknown } }).deps.job = failing;
    const done = await (await svc.trainingRuns.start('schedule')).done;
    expect(done).toMatchObject({ status: 'failed', error: 'trainer exited with 2: E_DATA: bad line 3' });
    (svc.trainingRuns as unknown as { deps: { job: unknown } }).deps.job = job;
  });
});

describe('the registry follows the shipped default model directory', () => {
  it('promotes the new version the bundled directory holds after an update, retiring the old one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-bundled-'));
    const db = await createPgliteClient();
    try {
      await migrate(db);
      const models = new SqlModelRepository(db);
      const workspace = new FileWorkspace(path.join(dir, 'models'));
      const registry = new ModelRegistry({ models, workspace, logger });
      const bundled = path.join(dir, 'bundled');
      await writeFakeModelDir(bundled, 'default-v1');
      await registry.bootstrap(bundled);
      expect((await models.promoted())?.version).toBe('default-v1');
      await writeFakeModelDir(bundled, 'default-v2', ['LOC', 'ORG', 'PER', 'TIME']); // the repository was updated
      await registry.bootstrap(bundled);
      expect(await models.promoted()).toMatchObject({ version: 'default-v2', entityTypes: ['LOC', 'ORG', 'PER', 'TIME'] });
      expect((await models.get('default-v1'))?.status).toBe('retired');
      expect(registry.labelSet()).toEqual(['LOC', 'ORG', 'PER', 'TIME']);
      await registry.bootstrap(bundled); // nothing changed: nothing happens
      expect((await models.list(10)).map((m) => [m.version, m.status])).toEqual([['default-v2', 'promoted'], ['default-v1', 'retired']]);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
