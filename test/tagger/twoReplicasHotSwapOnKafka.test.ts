/** @jest-environment ./shared/model/jest-environment.js */
// Two tagger replicas in one consumer group on the real broker tag 2,000 documents of the shared
// corpora. A hot swap to a second model version is commanded half-way (over the replica-commands
// topic, to every replica) while documents keep flowing. Proves: every document gets exactly one
// entity event and one prediction; the entities equal what the runtime returns for the same text
// in-process with the version the event names; no document is lost across the swap; in every
// partition the versions change once, v1 then v2 (a clean boundary); both replicas report the new
// version in their heartbeats.
import { loadModel } from '@zhner/model';
import { consumerGroup, type EntityEvent, type Prediction, type RawText, type ReplicaHeartbeat } from '@zhner/contracts';
import { kafkaBus, readTopic, testTopics, uniqueName, waitFor } from '@zhner/test';
import { buildTinyModel, collectTopic, corpusTexts, removeModel, startKafkaReplica, waitForStableGroup, type BuiltModel, type KafkaReplica, type TopicCollector } from './helpers';
import { startRegistryStub, type RegistryStub } from '../harness/registry';

jest.setTimeout(300_000);

const N = 2000;

describe('two replicas, one group, a hot swap half-way', () => {
  const topics = testTopics();
  const producer = kafkaBus(topics);
  const group = uniqueName('tagger-');
  let v1: BuiltModel;
  let v2: BuiltModel;
  let registry: RegistryStub | undefined;
  const replicas: KafkaReplica[] = [];
  const collectors: TopicCollector[] = [];

  beforeAll(async () => {
    // two versions of a tiny real model (different seeds and data → different weights)
    [v1, v2] = await Promise.all([
      buildTinyModel(['corpora.train_limit=1500', 'training.epochs=3', 'system.seed=11']),
      buildTinyModel(['corpora.train_limit=1000', 'training.epochs=2', 'system.seed=12']),
    ]);
    expect(v1.version).not.toBe(v2.version);
    await producer.ensureTopics([topics.rawText, topics.entities, topics.predictions, topics.deadLetters, topics.replicaCommands, topics.replicaHeartbeats]);
  });

  afterAll(async () => {
    await Promise.allSettled(collectors.map((c) => c.stop()));
    await Promise.allSettled(replicas.map((r) => r.close()));
    await producer.close();
    await registry?.close();
    removeModel(v1);
    removeModel(v2);
  });

  it('tags every document exactly once, matches the runtime, and swaps versions at a clean boundary', async () => {
    const docs: RawText[] = corpusTexts('peoples_daily/dev.jsonl', N).map((d, i) => ({ id: `pd-${i}-${d.id}`, text: d.text, source: 'peoples_daily', publishedAt: null, metadata: {} }));
    expect(docs).toHaveLength(N);

    // FP32: its results do not depend on which documents share a batch, so they can be compared
    // exactly with an in-process run (INT8 quantises activations per batch: scores move slightly
    // with the batch's composition, and near-ties can flip)
    // the registry names v1 promoted (what a starting replica serves) and knows v2 (what the command names)
    const reg = await startRegistryStub();
    registry = reg;
    reg.add(v1.dir);
    reg.add(v2.dir);
    reg.promote(v1.version);
    const env = (id: string) => ({ REGISTRY_URL: reg.url, MODEL_DIR: '/nonexistent', MODEL_PRECISION: 'fp32', REPLICA_ID: id, TAGGER_GROUP: group, TAGGER_PARTITIONS_CONCURRENTLY: '3', TAGGER_CACHE_SIZE: '0' });
    replicas.push(await startKafkaReplica(topics, env(uniqueName('r1-'))), await startKafkaReplica(topics, env(uniqueName('r2-'))));
    await Promise.all(replicas.map((r) => r.tagger.whenReady()));
    // no rebalance while documents flow: both members hold their partitions before the first document
    await waitForStableGroup(consumerGroup(topics, group), 2);
    const entities = await collectTopic(topics.entities.name);
    const heartbeats = await collectTopic(topics.replicaHeartbeats.name);
    collectors.push(entities, heartbeats);

    // first half, all on v1
    await producer.publish(topics.rawText, docs.slice(0, N / 2).map((value) => ({ value })));
    await waitFor(() => entities.messages.length >= N / 2, 120_000, 'the first half');

    // command the swap to every replica, and keep documents flowing while it happens
    const commandId = uniqueName('swap-');
    await producer.publish(topics.replicaCommands, [
      // a registered version, resolved by each replica through the registry (no path in the command)
      { value: { commandId, replicaId: '*', type: 'LOAD_MODEL', modelVersion: v2.version, modelUri: '', manifestSha256: null, issuedAt: Date.now() } },
    ]);
    const beats = () => heartbeats.messages.map((m) => topics.replicaHeartbeats.codec.decode(m.value!) as ReplicaHeartbeat);
    const swapped = () => replicas.every((r) => beats().some((b) => b.replicaId === r.tagger.replicaId && b.lastCommandId === commandId && b.state === 'READY' && b.modelVersion === v2.version));
    const held = 200; // kept back until both replicas serve v2, so v2 certainly tags some documents
    let next = N / 2;
    while (next < N - held && !swapped()) {
      await producer.publish(topics.rawText, docs.slice(next, next + 20).map((value) => ({ value })));
      next += 20;
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(swapped, 120_000, 'both replicas to report the new version');
    await producer.publish(topics.rawText, docs.slice(next).map((value) => ({ value })));
    await waitFor(() => new Set(entities.messages.map((m) => m.key!.toString())).size >= N, 120_000, 'every entity event');
    await new Promise((r) => setTimeout(r, 1000)); // a late duplicate would show up here

    // exactly one entity event per document
    const events = entities.messages.map((m) => topics.entities.codec.decode(m.value!) as EntityEvent);
    const perDoc = new Map<string, number>();
    for (const e of events) perDoc.set(e.docId, (perDoc.get(e.docId) ?? 0) + 1);
    expect(perDoc.size).toBe(N);
    expect([...perDoc.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(events.map((e) => e.docId))).toEqual(new Set(docs.map((d) => d.id)));
    expect(new Set(events.map((e) => e.replicaId)).size).toBe(2); // both replicas took part

    // one prediction per document too, with the same version as its entity event
    const predMsgs = await readTopic(topics.predictions.name, (m) => new Set(m.map((x) => x.key!.toString())).size >= N, 60_000);
    const preds = predMsgs.map((m) => topics.predictions.codec.decode(m.value!) as Prediction);
    expect(preds).toHaveLength(N);
    const byDoc = new Map(events.map((e) => [e.docId, e]));
    for (const p of preds) expect(p.modelVersion).toBe(byDoc.get(p.docId)!.modelVersion);

    // versions: some of each, and within each partition v1 strictly before v2
    const versionOf = (id: string) => byDoc.get(id)!.modelVersion;
    const counts = { v1: events.filter((e) => e.modelVersion === v1.version).length, v2: events.filter((e) => e.modelVersion === v2.version).length };
    expect(counts.v1 + counts.v2).toBe(N);
    expect(counts.v1).toBeGreaterThanOrEqual(N / 2);
    expect(counts.v2).toBeGreaterThanOrEqual(held);
    const raw = await collectTopic(topics.rawText.name);
    collectors.push(raw);
    await waitFor(() => raw.messages.length >= N, 60_000, 'the raw topic');
    const partitions = new Map<number, Array<{ offset: number; id: string }>>();
    for (const m of raw.messages) {
      const list = partitions.get(m.partition) ?? [];
      list.push({ offset: Number(m.offset), id: (topics.rawText.codec.decode(m.value!) as RawText).id });
      partitions.set(m.partition, list);
    }
    expect(partitions.size).toBe(3);
    for (const [, list] of partitions) {
      list.sort((a, b) => a.offset - b.offset);
      const seq = list.map((x) => (versionOf(x.id) === v1.version ? 1 : 2));
      const firstV2 = seq.indexOf(2);
      if (firstV2 >= 0) expect(seq.slice(firstV2).every((v) => v === 2)).toBe(true);
    }

    // offsets and types equal the runtime's for the same text, in-process, per version
    const texts = new Map(docs.map((d) => [d.id, d.text]));
    for (const m of [v1, v2]) {
      const model = await loadModel(m.dir, { precision: 'fp32' });
      try {
        const mine = events.filter((e) => e.modelVersion === m.version);
        const expected = await model.predict(mine.map((e) => texts.get(e.docId)!));
        mine.forEach((e, i) => {
          const text = texts.get(e.docId)!;
          expect(e.entities.map((x) => [x.start, x.end, x.cpStart, x.cpEnd, x.type, x.text])).toEqual(expected[i].entities.map((x) => [x.start, x.end, x.cpStart, x.cpEnd, x.type, x.text]));
          e.entities.forEach((x, k) => expect(x.score).toBeCloseTo(expected[i].entities[k].score, 5)); // float on the wire
          for (const x of e.entities) expect(text.slice(x.start, x.end)).toBe(x.text);
        });
      } finally {
        await model.dispose();
      }
    }
    expect(events.reduce((n, e) => n + e.entities.length, 0)).toBeGreaterThan(100); // the comparison saw real entities
  });

  it('a restarted replica serves the promoted version from its first document, whatever MODEL_DIR says', async () => {
    // the registry now says v2 is promoted (the reloader would have announced it); a replica
    // restarts with MODEL_DIR still pointing at v1 while a backlog waits for it
    registry!.promote(v2.version);
    await Promise.allSettled(replicas.splice(0).map((r) => r.close()));
    const backlog: RawText[] = Array.from({ length: 50 }, (_, i) => ({ id: uniqueName(`restart-${i}-`), text: `重启后的第${i}条新闻：李鹏在北京会见日本客人。`, source: 'it', publishedAt: null, metadata: {} }));
    await producer.publish(topics.rawText, backlog.map((value) => ({ value })));
    const entities = await collectTopic(topics.entities.name);
    collectors.push(entities);
    const restarted = await startKafkaReplica(topics, { REGISTRY_URL: registry!.url, MODEL_DIR: v1.dir, MODEL_PRECISION: 'fp32', REPLICA_ID: uniqueName('r3-'), TAGGER_GROUP: group, TAGGER_CACHE_SIZE: '0' });
    replicas.push(restarted);
    const ids = new Set(backlog.map((d) => d.id));
    const mine = () => entities.messages.map((m) => topics.entities.codec.decode(m.value!) as EntityEvent).filter((e) => ids.has(e.docId));
    await waitFor(() => new Set(mine().map((e) => e.docId)).size === backlog.length, 120_000, 'the backlog tagged');
    expect(new Set(mine().map((e) => e.modelVersion))).toEqual(new Set([v2.version])); // not one document on the superseded version
  });
});
