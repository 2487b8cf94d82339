/**
 * @jest-environment ./test/orchestrator/onnxEnvironment.ts
 */
// The real loop on a tiny model: the Python trainer fine-tunes a tiny base model (itself trained
// here from scratch in a few seconds) on corrections + replay of msra/train, the TypeScript runtime
// scores candidate and base for the gate, and the new version is registered and announced.
// About 30-60 s on two cores. The gate tolerances are wide open: this suite proves the plumbing
// (CLI flags, progress lines, model directory, manifest checksum, runtime scoring), not quality.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Correction } from '@zhner/contracts';
import { sha256Hex } from '@zhner/core';
import { FileWorkspace, PythonTrainingJob, readCorpusFile, readManifest, resolveRepoPath } from '@zhner/trainer-orchestrator';
import { readTopic, testLogger, waitFor } from '@zhner/test';
import { startOrchestratorFixture, type OrchestratorFixture } from './support';

jest.setTimeout(240_000);

const TINY_CFG = resolveRepoPath('services/trainer-orchestrator/trainer/configs/tiny.cfg');
const MSRA = resolveRepoPath('../shared/data/msra/train.jsonl');
const WEIBO_DEV = resolveRepoPath('../shared/data/weibo/dev.jsonl');
const FAST = ['training.epochs=2', 'training.max_steps=0', 'export.quantize=false', 'export.int8_check_docs=0'];

const correction = (i: number): Correction => {
  const text = `第${i}期节目中，主持人王小明在杭州采访了阿里巴巴的员工。`;
  const at = (s: string) => text.indexOf(s);
  return {
    correctionId: `real-${i}`,
    candidateId: null,
    docId: `doc-${i}`,
    text,
    annotator: 'ann',
    revision: 0,
    entities: [
      { start: at('王小明'), end: at('王小明') + 3, type: 'PER', text: '王小明' },
      { start: at('杭州'), end: at('杭州') + 2, type: 'LOC', text: '杭州' },
      { start: at('阿里巴巴'), end: at('阿里巴巴') + 4, type: 'ORG', text: '阿里巴巴' },
    ],
    modelVersion: null,
    origin: 'STUDIO',
    createdAt: Date.now(),
  };
};

describe('real trainer: fine-tune a tiny model through the orchestrator', () => {
  let f: OrchestratorFixture;
  let baseVersion: string;

  beforeAll(async () => {
    f = await startOrchestratorFixture({
      prepare: async (dir) => {
        // a tiny base model, trained from scratch by the same job runner the orchestrator uses
        const ws = new FileWorkspace(dir);
        const trainFile = path.join(dir, 'base-train.jsonl');
        await ws.writeCorpus(trainFile, await readCorpusFile(MSRA, 120));
        const job = new PythonTrainingJob({ python: resolveRepoPath('.venv/bin/python'), trainerDir: resolveRepoPath('services/trainer-orchestrator/trainer'), configFile: TINY_CFG, overrides: FAST, logger: testLogger });
        const base = await job.run({ runId: 'base', trainFile, devFile: WEIBO_DEV, devLimit: 20, outDir: path.join(dir, 'base'), initFrom: null });
        baseVersion = base.version!;
      },
      env: (dir) => ({
        MODEL_DIR: path.join(dir, 'base'),
        TRAINER_CONFIG: TINY_CFG,
        TRAINER_SET: FAST.join(';'),
        GATE_DEV_FILE: WEIBO_DEV,
        GATE_DEV_LIMIT: '30',
        GATE_MAX_DEV_DROP: '100',
        GATE_MAX_HOLDOUT_DROP: '100',
        GATE_MIN_HOLDOUT_DOCS: '1',
        HOLDOUT_SHARE: '0.25',
        ADMIN_TOKEN: 'orch-real-admin',
      }),
    });
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('trains, reports progress, scores with the runtime, registers and publishes the fine-tuned model', async () => {
    expect((await f.service.app!.inject({ method: 'GET', url: '/models' })).json().promoted).toBe(baseVersion);
    await f.bus.publish(f.topics.corrections, Array.from({ length: 16 }, (_, i) => ({ value: correction(i) })));
    await waitFor(async () => (await f.db.query<{ n: number }>('SELECT count(*)::int AS n FROM training_examples')).rows[0].n === 16, 60_000, '16 examples');

    const res = await f.service.app!.inject({ method: 'POST', url: '/runs', headers: { authorization: 'Bearer orch-real-admin' } });
    expect(res.statusCode).toBe(202);
    const runId = res.json().run.runId as string;
    await waitFor(async () => (await f.service.app!.inject({ method: 'GET', url: `/runs/${runId}` })).json().status !== 'running', 180_000, 'run end');
    const run = (await f.service.app!.inject({ method: 'GET', url: `/runs/${runId}` })).json();
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect(run.progress.map((p: { epoch: number }) => p.epoch)).toEqual([1, 2]);
    for (const p of run.progress) expect(p.dev.f1).toBeGreaterThanOrEqual(0);

    // the training file: corrections (code-point offsets) plus replay, new data ≤ 15%
    const lines = (await readFile(path.join(run.runDir, 'data', 'train.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(run.dataStats.nNew + run.dataStats.nReplay);
    expect(run.dataStats.nNew / lines.length).toBeLessThanOrEqual(0.15);
    const ours = lines.filter((l) => l.id.startsWith('real-'));
    expect(ours).toHaveLength(run.dataStats.nNew);
    for (const l of ours) for (const e of l.entities) expect(Array.from(l.text as string).slice(e.start, e.end).join('')).toBe(e.text);

    // the model directory: a fine-tuned child of the base, announced with its manifest checksum
    const modelDir = path.join(run.runDir, 'model');
    const manifest = await readManifest(modelDir);
    expect(run.newVersion).toBe(manifest.version);
    expect(manifest.parentVersion).toBe(baseVersion);
    expect(run.metrics.dev).toMatchObject({ docs: 30, f1: expect.any(Number) });
    expect(run.metrics.base).toMatchObject({ version: baseVersion, dev: { docs: 30 } });
    expect(run.gate.checks.map((c: { name: string; skipped: boolean }) => [c.name, c.skipped])).toEqual([['dev', false], ['holdout', run.dataStats.nHoldout === 0]]);

    const msgs = await readTopic(f.topics.modelEvents.name, (m) => m.length >= 1, 30_000);
    const ev = f.topics.modelEvents.codec.decode(msgs[0].value);
    expect(ev).toMatchObject({ type: 'PUBLISHED', modelVersion: manifest.version, previousVersion: baseVersion, modelUri: modelDir });
    expect(ev.manifestSha256).toBe(sha256Hex(await readFile(path.join(modelDir, 'manifest.json'))));
  });
});
