// The tagger's wiring on the in-process bus: raw texts in, one entity event and one prediction per
// document out (with the version that produced them), poison dead-lettered with a reason, replica
// commands acted on and answered with heartbeats.
import { DLT_HEADERS } from '@zhner/bus';
import { consumerGroup, type EntityEvent, type Prediction, type RawText, type ReplicaCommand, type ReplicaHeartbeat } from '@zhner/contracts';
import { PlatformError } from '@zhner/core';
import { startFakeTagger, until, type FakeTagger } from './testing/harness';
import { FLAKY_MARKER, POISON_MARKER } from './testing/fakeEngine';
import { listen } from './testing/http';

const doc = (i: number, text = `第${i}条：李鹏在北京会见了新华社记者😀`): RawText => ({ id: `d${i}`, text, source: 'unit', publishedAt: null, metadata: {} });

describe('tagger on the in-process bus', () => {
  let t: FakeTagger;
  afterEach(async () => {
    await t?.close();
  });

  const decoded = <V>(topic: { name: string; codec: { decode(b: Buffer): V } }) => t.bus.records(topic.name).map((r) => t.topics.entities && topic.codec.decode(r.value!));

  it('emits one entity event and one prediction per document, stamped with the model version', async () => {
    t = await startFakeTagger({ TAGGER_MAX_TEXT_LENGTH: '200' });
    await t.tagger.whenReady();
    const docs = Array.from({ length: 50 }, (_, i) => doc(i));
    await t.bus.publish(t.topics.rawText, docs.map((value) => ({ value })));
    await until(() => t.bus.records(t.topics.predictions.name).length === 50, 5000, 'predictions');
    const events = decoded<EntityEvent>(t.topics.entities);
    const preds = decoded<Prediction>(t.topics.predictions);
    expect(events.map((e) => e.docId).sort()).toEqual(docs.map((d) => d.id).sort());
    const e0 = events.find((e) => e.docId === 'd0')!;
    expect(e0).toMatchObject({ modelVersion: 'v1', replicaId: 'r1', textLength: docs[0].text.length });
    expect(e0.entities.map((e) => [e.type, e.text])).toEqual([['PER', '李鹏'], ['LOC', '北京'], ['ORG', '新华社']]);
    for (const e of e0.entities) expect(docs[0].text.slice(e.start, e.end)).toBe(e.text);
    const p0 = preds.find((p) => p.docId === 'd0')!;
    expect(p0).toMatchObject({ modelVersion: 'v1', text: docs[0].text, tokenCount: Array.from(docs[0].text).length });
    expect(p0.embedding.length).toBeGreaterThan(0);
    // keyed by document id
    expect(t.bus.records(t.topics.entities.name)[0].key!.toString()).toMatch(/^d\d+$/);
    // committed after both were produced
    await until(() => [0, 1, 2].reduce((n, p) => n + t.bus.committedOffset(consumerGroup(t.topics, 'tagger'), t.topics.rawText.name, p), 0) === 50, 3000, 'commits');
  });

  it('dead-letters empty, oversized and unpaired-surrogate texts and undecodable bytes with a reason; tags the rest', async () => {
    t = await startFakeTagger({ TAGGER_MAX_TEXT_LENGTH: '100' });
    await t.tagger.whenReady();
    await t.bus.publish(t.topics.rawText, [{ value: doc(1) }, { value: doc(2, '') }, { value: doc(3, '长'.repeat(101)) }, { value: doc(4) }]);
    await t.bus.publishRaw(t.topics.rawText.name, [{ key: 'd5', value: Buffer.from([2, 0xff, 0xff]) }]);
    // a lone surrogate cannot be Avro-encoded by our codec: write its bytes by hand (CESU-8 of U+D800)
    const good = t.topics.rawText.codec.encode(doc(6, 'AB'));
    const at = good.indexOf(Buffer.from('AB'));
    await t.bus.publishRaw(t.topics.rawText.name, [{ key: 'd6', value: Buffer.concat([good.subarray(0, at - 1), Buffer.from([6, 0xed, 0xa0, 0x80]), good.subarray(at + 2)]) }]);
    await t.bus.publish(t.topics.rawText, [{ value: doc(7, `坏${POISON_MARKER}`) }, { value: doc(8) }]);
    await until(() => t.bus.records(t.topics.deadLetters.name).length === 5, 5000, 'dead letters');
    await until(() => t.bus.records(t.topics.entities.name).length === 3, 5000, 'entity events');
    const letters = t.bus.records(t.topics.deadLetters.name).map((r) => ({ code: r.headers[DLT_HEADERS.errorCode], key: r.key?.toString(), letter: t.topics.deadLetters.codec.decode(r.value!) }));
    const byKey = Object.fromEntries(letters.map((l) => [l.key, l.code]));
    // the platform text policy's codes: an encoded surrogate is INVALID_UNICODE, as on POST /ner
    expect(byKey).toEqual({ d2: 'EMPTY_TEXT', d3: 'TEXT_TOO_LONG', d5: 'DECODE_FAILED', d6: 'INVALID_UNICODE', d7: 'INFERENCE_FAILED' });
    expect(letters.every((l) => l.letter.reason.length > 0 && l.letter.consumerGroup === consumerGroup(t.topics, 'tagger'))).toBe(true);
    expect(letters.find((l) => l.key === 'd3')!.letter.reason).toMatch(/101 characters long; the hard limit is 100/);
    expect(decoded<EntityEvent>(t.topics.entities).map((e) => e.docId).sort()).toEqual(['d1', 'd4', 'd8']);
    const metrics = await t.registry.metrics();
    expect(metrics).toMatch(/zhner_tagger_rejected_total\{reason="TEXT_TOO_LONG",origin="kafka",service="tagger"\} 1/);
  });

  it('retries a retriable failure, then dead-letters a document that keeps failing', async () => {
    t = await startFakeTagger();
    await t.tagger.whenReady();
    await t.bus.publish(t.topics.rawText, [{ value: doc(1), key: 'k' }, { value: doc(2, `闪${FLAKY_MARKER}`), key: 'k' }, { value: doc(3), key: 'k' }]);
    await until(() => t.bus.records(t.topics.deadLetters.name).length === 1, 15_000, 'the dead letter');
    await until(() => t.bus.records(t.topics.entities.name).length >= 2, 5000, 'entity events');
    const letter = t.topics.deadLetters.codec.decode(t.bus.records(t.topics.deadLetters.name)[0].value!);
    expect(letter).toMatchObject({ errorCode: 'INFERENCE_FAILED' });
    expect(new Set(decoded<EntityEvent>(t.topics.entities).map((e) => e.docId))).toEqual(new Set(['d1', 'd3']));
    // five attempts (the first one in the shared batch, then alone to isolate it, then alone)
    expect(t.loader.engines[0].seen.filter((s) => s.includes(FLAKY_MARKER)).length).toBe(6);
  });

  it('acts on LOAD_MODEL and ROLLBACK commands for its id or *, and reports them in heartbeats', async () => {
    t = await startFakeTagger();
    await t.tagger.whenReady();
    const cmd = (c: Partial<ReplicaCommand>): ReplicaCommand => ({ commandId: `c-${Math.random()}`, replicaId: '*', type: 'LOAD_MODEL', modelVersion: '', modelUri: '', manifestSha256: null, issuedAt: Date.now(), ...c });
    const beats = () => t.bus.records(t.topics.replicaHeartbeats.name).map((r) => t.topics.replicaHeartbeats.codec.decode(r.value!) as ReplicaHeartbeat);
    // a command names a registered version; the registry (not the command) says where it lives
    await t.bus.publish(t.topics.replicaCommands, [{ value: cmd({ commandId: 'other', replicaId: 'r2', modelVersion: 'v9' }) }, { value: cmd({ commandId: 'load-v2', modelVersion: 'v2', modelUri: '/etc' }) }]);
    await until(() => beats().some((b) => b.lastCommandId === 'load-v2' && b.state === 'READY'), 5000, 'heartbeat after load');
    expect(t.tagger.modelVersion).toBe('v2');
    expect(t.loader.loads.map((l) => l.dir)).toEqual(['/models/v1', '/models/v2']);

    t.loader.failures.set('/models/broken', new PlatformError('MODEL_CHECKSUM_MISMATCH', 'model.onnx in /models/broken differs from the manifest'));
    await t.bus.publish(t.topics.replicaCommands, [{ value: cmd({ commandId: 'load-broken', replicaId: 'r1', modelVersion: 'broken' }) }]);
    await until(() => beats().some((b) => b.lastCommandId === 'load-broken' && b.state !== 'LOADING'), 5000, 'heartbeat after failed load');
    const failed = beats().filter((b) => b.lastCommandId === 'load-broken').pop()!;
    expect(failed).toMatchObject({ modelVersion: 'v2', state: 'READY' });
    expect(failed.lastError).toBe('MODEL_CHECKSUM_MISMATCH: model.onnx in <model broken> differs from the manifest'); // no path leaves the replica

    // a version the registry does not know, and a command without a version, are refused
    t.resolver.unknown.add('v404');
    await t.bus.publish(t.topics.replicaCommands, [{ value: cmd({ commandId: 'unknown', modelVersion: 'v404' }) }, { value: cmd({ commandId: 'path-only', modelUri: '/models/v5' }) }]);
    await until(() => beats().some((b) => b.lastCommandId === 'path-only' && b.state !== 'LOADING'), 5000, 'refusals');
    expect(beats().filter((b) => b.lastCommandId === 'unknown').pop()!.lastError).toMatch(/^UNKNOWN_MODEL_VERSION: /);
    expect(beats().filter((b) => b.lastCommandId === 'path-only').pop()!.lastError).toMatch(/^MODEL_VERSION_REQUIRED: /);
    expect(t.loader.loads.map((l) => l.dir)).toEqual(['/models/v1', '/models/v2', '/models/broken']);

    await t.bus.publish(t.topics.replicaCommands, [{ value: cmd({ commandId: 'rb', type: 'ROLLBACK' }) }]);
    await until(() => beats().some((b) => b.lastCommandId === 'rb' && b.modelVersion === 'v1'), 5000, 'rollback');
    expect(beats().filter((b) => b.lastCommandId === 'rb').pop()!.lastError).toBeNull();
    // documents after the rollback are tagged by v1
    await t.bus.publish(t.topics.rawText, [{ value: doc(1) }]);
    await until(() => t.bus.records(t.topics.entities.name).length === 1, 5000, 'entity event');
    expect(decoded<EntityEvent>(t.topics.entities)[0].modelVersion).toBe('v1');
  });

  it('skips commands issued long before it started', async () => {
    t = await startFakeTagger({ TAGGER_COMMAND_GRACE: '1s' });
    await t.tagger.whenReady();
    const base = { replicaId: '*', type: 'LOAD_MODEL' as const, modelUri: '', manifestSha256: null };
    await t.bus.publish(t.topics.replicaCommands, [
      { value: { ...base, commandId: 'old', modelVersion: 'v0', issuedAt: Date.now() - 60_000 } },
      { value: { ...base, commandId: 'new', modelVersion: 'v2', issuedAt: Date.now() } },
    ]);
    const beats = () => t.bus.records(t.topics.replicaHeartbeats.name).map((r) => t.topics.replicaHeartbeats.codec.decode(r.value!));
    await until(() => beats().some((b) => b.lastCommandId === 'new' && b.state === 'READY'), 5000, 'heartbeat after the new command');
    expect(t.loader.loads.map((l) => l.dir)).toEqual(['/models/v1', '/models/v2']);
    expect(beats().some((b) => b.lastCommandId === 'old')).toBe(false);
  });

  it('stays up and not ready when the initial model cannot be loaded, and consumes once a command loads one', async () => {
    t = await startFakeTagger({ MODEL_DIR: '/models/missing' }, {}, (loader) => loader.failures.set('/models/missing', new PlatformError('MODEL_NOT_FOUND', 'no manifest.json in /models/missing')));
    const http = await listen(t.tagger.app);
    await until(() => t.loader.loads.length === 1 && t.tagger.modelVersion === undefined, 5000, 'the failed initial load');
    await until(() => t.bus.records(t.topics.replicaHeartbeats.name).length > 0, 5000, 'a heartbeat');
    const ready = await http.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json().reasons[0]).toMatch(/MODEL_NOT_FOUND/);
    expect((await http.request('GET', '/healthz')).status).toBe(200);
    expect((await http.request('POST', '/ner', { text: '北京' })).json()).toMatchObject({ error: { code: 'NOT_READY' } });
    await t.tagger.heartbeat();
    const beat = t.bus.records(t.topics.replicaHeartbeats.name).map((r) => t.topics.replicaHeartbeats.codec.decode(r.value!)).pop()!;
    expect(beat).toMatchObject({ state: 'DEGRADED', modelVersion: null });
    expect(beat.lastError).toMatch(/MODEL_NOT_FOUND/);

    await t.bus.publish(t.topics.rawText, [{ value: doc(1) }]); // waits: nothing is consumed without a model
    await t.tagger.loadModel({ modelVersion: 'v3' });
    await t.tagger.whenReady();
    await until(() => t.bus.records(t.topics.entities.name).length === 1, 5000, 'entity event');
    expect(decoded<EntityEvent>(t.topics.entities)[0].modelVersion).toBe('v3');
    expect((await http.request('GET', '/readyz')).status).toBe(200);
  });

  it('a starting replica serves the PROMOTED version from the registry before it consumes anything', async () => {
    t = await startFakeTagger({ MODEL_DIR: '/models/v1' }, {}, (_loader, resolver) => (resolver.promotedVersion = 'v7'));
    await t.bus.publish(t.topics.rawText, [{ value: doc(1) }, { value: doc(2) }]); // a backlog waiting for the replica
    await t.tagger.whenReady();
    await until(() => t.bus.records(t.topics.entities.name).length === 2, 5000, 'entity events');
    expect(t.loader.loads.map((l) => l.dir)).toEqual(['/models/v7']); // MODEL_DIR was never loaded
    expect(decoded<EntityEvent>(t.topics.entities).map((e) => e.modelVersion)).toEqual(['v7', 'v7']);
  });
});
