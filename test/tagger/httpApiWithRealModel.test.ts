/** @jest-environment ./shared/model/jest-environment.js */
// POST /ner and the admin swap route on a replica running a real (tiny) model through the runtime:
// results equal the runtime's for the same texts (long texts split on sentence punctuation, never
// truncated), input errors are clear 400s, and a model directory whose files do not match its
// manifest is refused while the old version keeps serving.
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryBus, createBusMetrics } from '@zhner/bus';
import { createTopics } from '@zhner/contracts';
import { loadConfig } from '@zhner/core';
import { createLogger, createMetricsRegistry } from '@zhner/kit';
import { loadModel } from '@zhner/model';
import type { SqlClient } from '@zhner/store';
import { configSpec, startTagger, type RunningTagger } from '@zhner/tagger';
import { buildTinyModel, corpusTexts, removeModel, type BuiltModel } from './helpers';
import { startRegistryStub, type RegistryStub } from '../harness/registry';

jest.setTimeout(120_000);

describe('tagger HTTP API with a real model', () => {
  let model: BuiltModel;
  let tagger: RunningTagger;
  let bus: MemoryBus;
  let base: string;
  let corrupt: string;
  let modelRegistry: RegistryStub | undefined;

  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  beforeAll(async () => {
    model = await buildTinyModel(['corpora.train_limit=1500', 'training.epochs=3']);
    // a copy whose ONNX file no longer matches the manifest's sha256
    corrupt = mkdtempSync(path.join(os.tmpdir(), 'tagger-it-corrupt-'));
    cpSync(model.dir, corrupt, { recursive: true });
    const onnx = path.join(corrupt, 'model.int8.onnx');
    const bytes = readFileSync(onnx); // every file the manifest lists is checked, even one an FP32 replica never reads
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(onnx, bytes);
    copyFileSync(path.join(model.dir, 'manifest.json'), path.join(corrupt, 'manifest.json'));

    const logger = createLogger('tagger-it', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    const topics = createTopics({ prefix: 'http-it.' });
    const registry = createMetricsRegistry('tagger', { defaultMetrics: false });
    bus = new MemoryBus({ logger, deadLetterTopic: topics.deadLetters, metrics: createBusMetrics(registry) });
    // FP32 so that the comparison with an in-process run is exact (INT8 quantises activations per
    // batch: its results move slightly with the batch's composition)
    // the registry: the model promoted; a corrupted copy registered under another version name; the
    // model again under a third name with a manifest checksum that does not match its directory
    modelRegistry = await startRegistryStub();
    modelRegistry.add(model.dir);
    modelRegistry.promote(model.version);
    modelRegistry.add(corrupt, { version: 'corrupt-copy' });
    Object.assign(modelRegistry.add(model.dir, { version: 'wrong-checksum' }), { manifestSha256: '0'.repeat(64) });
    const config = loadConfig(configSpec, { REGISTRY_URL: modelRegistry.url, MODEL_PRECISION: 'fp32', REPLICA_ID: 'http-it', TAGGER_HTTP_MAX_TEXT_LENGTH: '2000', ADMIN_TOKEN: 'tok' });
    tagger = await startTagger(config, { logger, registry, bus, topics, db: {} as SqlClient });
    await tagger.whenReady();
    await tagger.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(tagger.app.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await tagger?.close();
    await bus?.close();
    await modelRegistry?.close();
    removeModel(model);
    if (corrupt) rmSync(corrupt, { recursive: true, force: true });
  });

  it('answers with the runtime\'s entities, for short and long texts', async () => {
    const texts = corpusTexts('peoples_daily/dev.jsonl', 40).map((d) => d.text);
    const long = texts.join('').slice(0, 1500) + '😀𠮷野家在北京。'; // far above max_length 64
    const all = [...texts, long];
    const res = await post('/ner', { texts: all });
    expect(res.status).toBe(200);
    const runtime = await loadModel(model.dir, { precision: 'fp32' });
    try {
      const expected = await runtime.predict(all);
      res.body.results.forEach((r: { modelVersion: string; entities: Array<{ start: number; end: number; cpStart: number; cpEnd: number; type: string; text: string; score: number }> }, i: number) => {
        expect(r.modelVersion).toBe(model.version);
        expect(r.entities.map((e) => [e.start, e.end, e.cpStart, e.cpEnd, e.type, e.text])).toEqual(expected[i].entities.map((e) => [e.start, e.end, e.cpStart, e.cpEnd, e.type, e.text]));
        r.entities.forEach((e, k) => expect(e.score).toBeCloseTo(expected[i].entities[k].score, 9));
        for (const e of r.entities) expect(all[i].slice(e.start, e.end)).toBe(e.text);
      });
      expect(res.body.results.reduce((n: number, r: { entities: unknown[] }) => n + r.entities.length, 0)).toBeGreaterThan(0);
    } finally {
      await runtime.dispose();
    }
    const one = await post('/ner', { text: long });
    expect(one.status).toBe(200);
    expect(one.body.textLength).toBe(long.length);
  });

  it.each([
    ['a missing text', {}, 'TEXTS_REQUIRED'],
    ['an empty text', { text: '' }, 'EMPTY_TEXT'],
    ['a non-string text', { text: 7 }, 'VALIDATION_FAILED'],
    ['a text over the limit', { text: '长'.repeat(2001) }, 'TEXT_TOO_LONG'],
    ['an unpaired surrogate', { text: '\udc00北京' }, 'INVALID_UNICODE'],
  ])('400 for %s', async (_name, body, code) => {
    const res = await post('/ner', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it('refuses a model whose files do not match the manifest and keeps serving the old one', async () => {
    const auth = { authorization: 'Bearer tok' };
    const bad = await post('/admin/model', { modelVersion: 'corrupt-copy' }, auth);
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toMatch(/CHECKSUM/);
    expect(JSON.stringify(bad.body)).not.toContain(corrupt); // the location never leaves the replica
    const wrongManifest = await post('/admin/model', { modelVersion: 'wrong-checksum' }, auth);
    // the registry's manifest checksum does not match the directory
    expect(wrongManifest.status).toBe(422);
    // a path is refused before anything is tried
    const path = await post('/admin/model', { modelUri: model.dir }, auth);
    expect([path.status, path.body.error.code]).toEqual([400, 'PATH_REFUSED']);
    expect((await post('/ner', { text: '北京' })).body.modelVersion).toBe(model.version);
    const status = await fetch(`${base}/admin/model`, { headers: auth }).then((r) => r.json());
    expect(status).toMatchObject({ modelVersion: model.version, lastError: { code: expect.stringMatching(/CHECKSUM/) } });
  });
});
