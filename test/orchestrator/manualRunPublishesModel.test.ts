// A manual run on real Kafka and PostgreSQL with a fake training job and evaluator: the run is
// recorded with its progress and gate, the version registered as a candidate, and PUBLISHED reaches
// the model-events topic through the outbox. A second run while one is active is refused (409).
import path from 'node:path';
import type { Correction } from '@zhner/contracts';
import { FakeTrainingJob, FixedEvaluator, writeFakeModelDir } from '@zhner/trainer-orchestrator/testing';
import { readTopic, waitFor } from '@zhner/test';
import { startOrchestratorFixture, writeCorpus, type OrchestratorFixture } from './support';

jest.setTimeout(120_000);

const correction = (i: number): Correction => ({
  correctionId: `m-${i}`,
  candidateId: null,
  docId: `doc-${i}`,
  text: `第${i}位记者王军在上海报道`,
  annotator: 'ann',
  revision: 0,
  entities: [{ start: `第${i}位记者`.length, end: `第${i}位记者王军`.length, type: 'PER', text: '王军' }],
  modelVersion: 'base-v1',
  origin: 'STUDIO',
  createdAt: Date.now(),
});

describe('manual run with a fake job → registered version → PUBLISHED via the outbox', () => {
  let f: OrchestratorFixture;
  const job = new FakeTrainingJob({ epochs: 3, epochMs: 200, version: () => 'cand-1' });
  const evaluator = new FixedEvaluator((dir) => (dir === job.specs.at(-1)?.outDir ? 0.82 : 0.8));

  beforeAll(async () => {
    f = await startOrchestratorFixture({
      prepare: async (dir) => {
        await writeFakeModelDir(path.join(dir, 'base'), 'base-v1');
        await writeCorpus(path.join(dir, 'replay.jsonl'), 300, '回放');
        await writeCorpus(path.join(dir, 'dev.jsonl'), 40, '开发');
      },
      env: (dir) => ({ MODEL_DIR: path.join(dir, 'base'), TRAIN_REPLAY_FILES: path.join(dir, 'replay.jsonl'), GATE_DEV_FILE: path.join(dir, 'dev.jsonl'), HOLDOUT_SHARE: '0.3', GATE_MIN_HOLDOUT_DOCS: '1', ADMIN_TOKEN: 'orch-it-admin' }),
      overrides: { job, evaluator },
    });
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('runs, gates, registers and announces the candidate', async () => {
    await f.bus.publish(f.topics.corrections, Array.from({ length: 30 }, (_, i) => ({ value: correction(i) })));
    await waitFor(async () => (await f.db.query<{ n: number }>('SELECT count(*)::int AS n FROM training_examples')).rows[0].n === 30, 60_000, '30 examples');
    const split = (await f.db.query<{ split: string; n: number }>('SELECT split, count(*)::int AS n FROM training_examples GROUP BY split')).rows;
    const holdout = split.find((s) => s.split === 'holdout')?.n ?? 0;
    expect(holdout).toBeGreaterThan(0); // ~30% of 30 texts
    expect(holdout).toBeLessThan(30);

    // an admin route: refused without the token, even with work to do
    expect((await f.service.app!.inject({ method: 'POST', url: '/runs' })).statusCode).toBe(401);
    const admin = { authorization: 'Bearer orch-it-admin' };
    const res = await f.service.app!.inject({ method: 'POST', url: '/runs', headers: admin });
    expect(res.statusCode).toBe(202);
    const runId = res.json().run.runId as string;
    expect((await f.service.app!.inject({ method: 'POST', url: '/runs', headers: admin })).statusCode).toBe(409);

    // progress is visible while the job runs
    await waitFor(async () => (await f.service.app!.inject({ method: 'GET', url: `/runs/${runId}` })).json().progress.length >= 1, 30_000, 'live progress');
    await waitFor(async () => (await f.service.app!.inject({ method: 'GET', url: `/runs/${runId}` })).json().status !== 'running', 30_000, 'run end');
    const run = (await f.service.app!.inject({ method: 'GET', url: `/runs/${runId}` })).json();
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual', baseVersion: 'base-v1', newVersion: 'cand-1', gate: { passed: true } });
    expect(run.progress).toHaveLength(3);
    const nNew = 30 - holdout;
    expect(run.dataStats).toMatchObject({ nNew, nReplay: Math.ceil((nNew * 0.85) / 0.15), nHoldout: holdout, nDev: 40 });
    expect(run.dataStats.share).toBeLessThanOrEqual(0.15);
    // candidate and base were scored on the same dev and hold-out documents
    expect(evaluator.calls.map((c) => [c.dataset, c.docs])).toEqual([['dev', 40], ['holdout', holdout], ['dev', 40], ['holdout', holdout]]);

    const models = (await f.service.app!.inject({ method: 'GET', url: '/models' })).json();
    expect(models.promoted).toBe('base-v1');
    expect(models.models.find((m: { version: string }) => m.version === 'cand-1')).toMatchObject({ status: 'candidate', trainingRunId: runId, parentVersion: 'base-v1' });

    const msgs = await readTopic(f.topics.modelEvents.name, (m) => m.length >= 1, 30_000);
    expect(msgs).toHaveLength(1);
    expect(msgs[0].key!.toString()).toBe('cand-1');
    const ev = f.topics.modelEvents.codec.decode(msgs[0].value);
    expect(ev).toMatchObject({ type: 'PUBLISHED', modelVersion: 'cand-1', previousVersion: 'base-v1', modelUri: job.specs[0].outDir, reason: null });
    expect(ev.metrics.dev_f1).toBeCloseTo(0.82);
    expect(ev.metrics.base_dev_f1).toBeCloseTo(0.8);
    const outbox = (await f.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0].n;
    expect(outbox).toBe(0);
  });
});
