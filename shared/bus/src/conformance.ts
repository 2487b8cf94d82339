// One behaviour suite every bus adapter must pass: the in-process bus in unit tests, each Kafka
// client on a real broker in test/bus. Services rely on exactly these behaviours. Exactly-once
// cases run where the adapter claims the capability.
import { createHash } from 'node:crypto';
import { type DeadLetter, type EntityEvent, type RawText, type Topics, type TopicSpec } from '@zhner/contracts';
import { TransientError, ValidationError } from '@zhner/core';
import { Registry } from '@zhner/kit';
import { DLT_HEADERS, type Bus, type Envelope, type Subscription } from './port';
import { DEAD_LETTER_MAX_PAYLOAD_BYTES } from './runner';

/** A record as a read_committed consumer sees it. */
export interface SeenRecord {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  partition: number;
  offset: number;
}

export interface BusConformanceTarget {
  /** A new bus on the target: a separate client, as another process would have. */
  open(topics: Topics, opts: { registry: Registry }): Bus;
  /** Every record of `topic` visible to a read_committed consumer, once `until` holds or after `timeoutMs`. */
  read(topic: string, until: (records: SeenRecord[]) => boolean, timeoutMs: number): Promise<SeenRecord[]>;
  /** Committed offsets (next to read) of `groupId` on `topic`, by partition; a partition without one is absent. */
  committed(groupId: string, topic: string): Promise<Map<number, number>>;
  /** Unique topic names for one test (3 partitions for the high-volume topics). */
  topics(): Topics;
  /** A new group id. */
  group(prefix: string): string;
  /** Waits are bounded by this (rebalances on a broker take heartbeats). */
  timeoutMs: number;
}

const doc = (i: number, text = `第${i}条：李鹏在北京会见了日本客人`): RawText => ({ id: `d${i}`, text, source: 'conformance', publishedAt: null, metadata: { n: String(i) } });

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function describeBusConformance(name: string, target: () => BusConformanceTarget): void {
  describe(`bus conformance: ${name}`, () => {
    let t: BusConformanceTarget;
    const buses: Bus[] = [];
    const open = (topics: Topics, registry = new Registry()) => {
      const b = t.open(topics, { registry });
      buses.push(b);
      return b;
    };
    beforeAll(() => {
      t = target();
    });
    afterEach(async () => {
      await Promise.allSettled(buses.splice(0).map((b) => b.close()));
    });

    const setup = async (extra: (topics: Topics) => TopicSpec[] = () => []) => {
      const topics = t.topics();
      const bus = open(topics);
      await bus.ensureTopics([topics.rawText, topics.entities, topics.deadLetters, ...extra(topics)]);
      return { topics, bus };
    };

    it('delivers every message once per group, in order per key, and dead-letters poison with its reason and bytes', async () => {
      const { topics, bus } = await setup();
      const keys = ['k0', 'k1', 'k2'];
      await bus.publish(topics.rawText, Array.from({ length: 30 }, (_, i) => ({ value: doc(i), key: keys[i % 3] })));
      await bus.publishRaw(topics.rawText.name, [{ key: 'k1', value: Buffer.from('not avro at all') }]);
      // another schema's fingerprint: same layout is no excuse
      await bus.publishRaw(topics.rawText.name, [{ key: 'k2', value: topics.rawText.codec.encode(doc(99)), headers: { 'schema-fingerprint': 'f'.repeat(64) } }]);
      await bus.publish(topics.rawText, Array.from({ length: 30 }, (_, i) => ({ value: doc(30 + i), key: keys[i % 3] })));
      const seen: Envelope<RawText>[] = [];
      await bus.subscribe({ groupId: t.group('c1-'), topics: [topics.rawText], handler: async (batch) => void seen.push(...batch) });
      const dead = await t.read(topics.deadLetters.name, (r) => r.length >= 2, t.timeoutMs);
      await until(() => seen.length >= 60, t.timeoutMs, '60 messages');
      expect(seen.map((e) => e.value.id).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `d${i}`).sort());
      for (const k of keys) {
        const ns = seen.filter((e) => e.key === k).map((e) => Number(e.value.id.slice(1)));
        expect(ns).toEqual([...ns].sort((a, b) => a - b));
      }
      expect(dead).toHaveLength(2);
      const byCode = new Map(dead.map((d) => [d.headers[DLT_HEADERS.errorCode], d]));
      expect([...byCode.keys()].sort()).toEqual(['DECODE_FAILED', 'SCHEMA_MISMATCH']);
      const letter = topics.deadLetters.codec.decode(byCode.get('DECODE_FAILED')!.value) as DeadLetter;
      expect(letter.payload?.toString()).toBe('not avro at all');
      expect(letter.originalTopic).toBe(topics.rawText.name);
      expect(letter.reason).toMatch(/undecodable/);
    });

    it('commits only after the handler resolves, and redelivers after a retriable failure', async () => {
      const { topics, bus } = await setup();
      await bus.publish(topics.rawText, [{ value: doc(1), key: 'one' }]);
      let calls = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const group = t.group('c2-');
      await bus.subscribe({
        groupId: group,
        topics: [topics.rawText],
        handler: async () => {
          calls++;
          if (calls === 1) throw new TransientError('database down');
          await gate;
        },
      });
      await until(() => calls >= 2, t.timeoutMs, 'the retry');
      expect([...(await t.committed(group, topics.rawText.name)).values()].filter((o) => o > 0)).toEqual([]);
      release();
      await until(async () => [...(await t.committed(group, topics.rawText.name)).values()].includes(1), t.timeoutMs, 'the commit');
      expect(calls).toBe(2);
    });

    it('narrows a permanent batch failure to the failing message', async () => {
      const { topics, bus } = await setup();
      await bus.publish(topics.rawText, [1, 2, 3].map((i) => ({ value: doc(i), key: 'k' })));
      const done: string[] = [];
      await bus.subscribe({
        groupId: t.group('c3-'),
        topics: [topics.rawText],
        handler: async (batch) => {
          if (batch.some((e) => e.value.id === 'd2')) throw new ValidationError('d2 is bad', { code: 'D2_BAD' });
          done.push(...batch.map((e) => e.value.id));
        },
      });
      const dead = await t.read(topics.deadLetters.name, (r) => r.length >= 1, t.timeoutMs);
      await until(() => done.length >= 2, t.timeoutMs, 'd1 and d3');
      expect(done.sort()).toEqual(['d1', 'd3']);
      expect(dead.map((d) => d.headers[DLT_HEADERS.errorCode])).toEqual(['D2_BAD']);
      expect((topics.deadLetters.codec.decode(dead[0].value) as DeadLetter).reason).toBe('d2 is bad');
    });

    it('resumes from the committed offsets after a clean stop (nothing redelivered)', async () => {
      const { topics, bus } = await setup();
      await bus.publish(topics.rawText, Array.from({ length: 20 }, (_, i) => ({ value: doc(i) })));
      const group = t.group('c4-');
      const first: string[] = [];
      const sub = await bus.subscribe({ groupId: group, topics: [topics.rawText], handler: async (b) => void first.push(...b.map((e) => e.value.id)) });
      await until(() => first.length >= 20, t.timeoutMs, 'the first 20');
      await sub.stop();
      await bus.publish(topics.rawText, Array.from({ length: 10 }, (_, i) => ({ value: doc(20 + i) })));
      const second: string[] = [];
      const other = open(topics);
      await other.subscribe({ groupId: group, topics: [topics.rawText], handler: async (b) => void second.push(...b.map((e) => e.value.id)) });
      await until(() => second.length >= 10, t.timeoutMs, 'the next 10');
      await new Promise((r) => setTimeout(r, 300));
      expect(first.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `d${i}`).sort());
      expect(second.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `d${20 + i}`).sort());
    });

    it('splits partitions between members; when one stops the other takes its partitions over, nothing lost', async () => {
      const { topics, bus } = await setup();
      const group = t.group('c5-');
      const by: Record<string, Set<string>> = { a: new Set(), b: new Set() };
      const member = (b: Bus, n: 'a' | 'b'): Promise<Subscription> => b.subscribe({ groupId: group, topics: [topics.rawText], maxBatchSize: 10, handler: async (batch) => batch.forEach((e) => by[n].add(e.value.id)) });
      const a = await member(bus, 'a');
      const b = await member(open(topics), 'b');
      await until(() => a.health().partitions > 0 && b.health().partitions > 0 && a.health().partitions + b.health().partitions === 3, t.timeoutMs, 'both members to hold partitions');
      await bus.publish(topics.rawText, Array.from({ length: 60 }, (_, i) => ({ value: doc(i) })));
      await until(() => by.a.size > 0 && by.b.size > 0 && new Set([...by.a, ...by.b]).size === 60, t.timeoutMs, 'the first 60 split');
      await b.stop();
      await bus.publish(topics.rawText, Array.from({ length: 60 }, (_, i) => ({ value: doc(60 + i) })));
      await until(() => new Set([...by.a, ...by.b]).size === 120, t.timeoutMs, 'all 120');
      expect(a.health().partitions).toBe(3);
      expect([...by.a].some((id) => Number(id.slice(1)) >= 60)).toBe(true);
    });

    it('refuses a payload over the limit before any work and dead-letters it cut to fit, with its size and sha256', async () => {
      const { topics, bus } = await setup();
      const big = topics.rawText.codec.encode(doc(1, '中'.repeat(330_000))); // ~990 KB: fits the broker, not the topic's limit
      const mid = topics.rawText.codec.encode(doc(2, '中'.repeat(60_000))); // ~180 KB: over the limit, kept whole in the dead letter
      await bus.publishRaw(topics.rawText.name, [{ key: 'k', value: big, headers: topics.rawText.codec.headers }]);
      await bus.publishRaw(topics.rawText.name, [{ key: 'k', value: mid, headers: topics.rawText.codec.headers }]);
      await bus.publish(topics.rawText, [{ value: doc(3), key: 'k' }]);
      const handled: string[] = [];
      await bus.subscribe({ groupId: t.group('c6-'), topics: [topics.rawText], maxPayloadBytes: 100_000, handler: async (b) => void handled.push(...b.map((e) => e.value.id)) });
      const dead = await t.read(topics.deadLetters.name, (r) => r.length >= 2, t.timeoutMs);
      await until(() => handled.length >= 1, t.timeoutMs, 'the small document');
      expect(handled).toEqual(['d3']);
      const letters = dead.map((d) => ({ d, l: topics.deadLetters.codec.decode(d.value) as DeadLetter })).sort((x, y) => Number(x.l.offset) - Number(y.l.offset));
      expect(letters.map((x) => x.l.errorCode)).toEqual(['PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE']);
      const [cut, whole] = letters;
      expect(cut.l.payload!.length).toBe(DEAD_LETTER_MAX_PAYLOAD_BYTES);
      expect(cut.d.headers[DLT_HEADERS.originalSize]).toBe(String(big.length));
      expect(cut.d.headers[DLT_HEADERS.originalSha256]).toBe(createHash('sha256').update(big).digest('hex'));
      expect(cut.l.headers[DLT_HEADERS.originalSha256]).toBe(cut.d.headers[DLT_HEADERS.originalSha256]);
      expect(whole.l.payload).toEqual(mid);
      expect(whole.d.headers[DLT_HEADERS.truncated]).toBeUndefined();
    });

    it('parks a message whose dead letter cannot be published, and moves on', async () => {
      const { topics, bus } = await setup();
      // a dead-letter topic whose records can never be written (its encoding always fails)
      const broken: TopicSpec<'DeadLetter'> = {
        ...topics.deadLetters,
        codec: Object.assign(Object.create(Object.getPrototypeOf(topics.deadLetters.codec)), topics.deadLetters.codec, {
          encode: () => {
            throw new ValidationError('this dead-letter topic refuses every record');
          },
        }),
      };
      await bus.publishRaw(topics.rawText.name, [{ key: 'k', value: Buffer.from('poison') }]);
      await bus.publish(topics.rawText, [{ value: doc(1), key: 'k' }]);
      const group = t.group('c7-');
      const handled: string[] = [];
      await bus.subscribe({ groupId: group, topics: [topics.rawText], deadLetterTopic: broken, handler: async (b) => void handled.push(...b.map((e) => e.value.id)) });
      const parkingName = topics.deadLetters.name.replace('dead-letters', 'parked');
      const parked = await t.read(parkingName, (r) => r.length >= 1, t.timeoutMs);
      await until(() => handled.length >= 1, t.timeoutMs, 'the next document');
      expect(parked).toHaveLength(1);
      const slim = topics.deadLetters.codec.decode(parked[0].value) as DeadLetter;
      expect(slim.payload).toBeNull();
      expect(slim.errorCode).toBe('DECODE_FAILED');
      expect(slim.reason).toMatch(/not dead-lettered/);
      expect(parked[0].headers[DLT_HEADERS.originalSha256]).toBe(createHash('sha256').update('poison').digest('hex'));
      await until(async () => [...(await t.committed(group, topics.rawText.name)).values()].includes(2), t.timeoutMs, 'the commit past both');
    });

    it('reports health and per-partition lag; a consumer that commits nothing while lagging is stalled', async () => {
      const topics = t.topics();
      const registry = new Registry();
      const bus = open(topics, registry);
      await bus.ensureTopics([topics.rawText, topics.deadLetters]);
      const group = t.group('c8-');
      let hold = true;
      let handled = 0;
      const sub = await bus.subscribe({
        groupId: group,
        topics: [topics.rawText],
        stallTimeoutMs: 1000,
        handler: async (b, ctx) => {
          while (hold && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 20));
          handled += b.length;
        },
      });
      await until(() => sub.health().member && sub.health().partitions === 3, t.timeoutMs, 'membership');
      expect(sub.health()).toEqual(expect.objectContaining({ groupId: group, state: 'running', member: true, stalled: false }));
      await bus.publish(topics.rawText, Array.from({ length: 9 }, (_, i) => ({ value: doc(i) })));
      await until(() => sub.health().stalled, t.timeoutMs, 'stalled');
      expect(sub.health().lag).toBeGreaterThan(0);
      expect(bus.health().subscriptions.map((s) => s.groupId)).toContain(group);
      const stalledMetric = (await registry.getSingleMetricAsString('zhner_bus_consumer_stalled')).split('\n').find((l) => l.includes(group));
      expect(stalledMetric).toMatch(/ 1$/);
      hold = false;
      await until(() => handled >= 9 && sub.health().lag === 0 && !sub.health().stalled, t.timeoutMs, 'caught up');
      const lag = (await registry.getSingleMetricAsString('kafka_consumergroup_lag')).split('\n').filter((l) => l.startsWith('kafka_consumergroup_lag{'));
      expect(lag).toHaveLength(3);
      for (const l of lag) expect(l).toMatch(new RegExp(`consumergroup="${group}".* 0$`));
    });

    it('exactly-once: a batch\'s output becomes visible with its commit, never from a failed attempt', async () => {
      const { topics, bus } = await setup();
      if (!bus.capabilities.exactlyOnce) {
        await expect(bus.subscribe({ groupId: t.group('c9-'), topics: [topics.rawText], delivery: 'exactly-once', handler: async () => undefined })).rejects.toThrow(/exactly-once/);
        return;
      }
      const n = 40;
      await bus.publish(topics.rawText, Array.from({ length: n }, (_, i) => ({ value: doc(i) })));
      await bus.publishRaw(topics.rawText.name, [{ key: 'poison', value: Buffer.from('poison') }]);
      const attempts = new Map<string, number>();
      const group = t.group('c9-');
      await bus.subscribe({
        groupId: group,
        topics: [topics.rawText],
        delivery: 'exactly-once',
        maxBatchSize: 7,
        handler: async (batch, ctx) => {
          const event = (e: Envelope<RawText>): EntityEvent => ({ docId: e.value.id, source: 'c', modelVersion: 'm', textSha256: '', textLength: e.value.text.length, entities: [], timings: { queueMs: 0, inferenceMs: 0, totalMs: 0 }, taggedAt: Date.now(), replicaId: 'r' });
          await ctx.publisher.publish(topics.entities, batch.map((e) => ({ value: event(e) })));
          const k = `${ctx.partition}/${batch[0].offset}`;
          attempts.set(k, (attempts.get(k) ?? 0) + 1);
          // every batch fails once after publishing: that output must never be seen
          if (attempts.get(k) === 1) throw new TransientError('fail after publishing');
        },
      });
      const out = await t.read(topics.entities.name, (r) => r.length >= n, t.timeoutMs);
      const dead = await t.read(topics.deadLetters.name, (r) => r.length >= 1, t.timeoutMs);
      await until(async () => [...(await t.committed(group, topics.rawText.name)).values()].reduce((a, b) => a + b, 0) === n + 1, t.timeoutMs, 'commits past everything');
      const again = await t.read(topics.entities.name, () => false, 1000); // nothing more arrives
      expect(again).toHaveLength(n);
      expect(new Set(out.map((r) => r.key)).size).toBe(n);
      expect(dead).toHaveLength(1);
      expect([...attempts.values()].every((a) => a === 2)).toBe(true);
    });
  });
}

