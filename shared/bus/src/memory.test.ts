import { createTopics, type RawText } from '@zhner/contracts';
import { TransientError, ValidationError } from '@zhner/core';
import { createLogger } from '@zhner/kit';
import { MemoryBus } from './memory';
import { DLT_HEADERS, type Envelope } from './port';

const topics = createTopics({ prefix: 'unit.' });
const logger = createLogger('test', { level: 'silent' });
const doc = (i: number): RawText => ({ id: `d${i}`, text: `文本${i}`, source: 'unit', publishedAt: null, metadata: {} });

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('MemoryBus', () => {
  let bus: MemoryBus;
  beforeEach(async () => {
    bus = new MemoryBus({ logger, deadLetterTopic: topics.deadLetters, stopGraceMs: 200 });
    await bus.ensureTopics([topics.rawText, topics.deadLetters, topics.entities]);
  });
  afterEach(() => bus.close());

  it('delivers every message once per group and dead-letters poison with headers', async () => {
    await bus.publish(topics.rawText, [doc(1), doc(2)].map((value) => ({ value })));
    await bus.publishRaw(topics.rawText.name, [{ key: 'poison', value: Buffer.from('garbage') }]);
    await bus.publish(topics.rawText, [{ value: doc(3) }]);
    const seen: string[] = [];
    const sub = await bus.subscribe({ groupId: 'g', topics: [topics.rawText], handler: async (batch) => void seen.push(...batch.map((e) => e.value.id)) });
    await until(() => seen.length === 3 && bus.records(topics.deadLetters.name).length === 1);
    await sub.stop();
    expect(seen.sort()).toEqual(['d1', 'd2', 'd3']);
    const [dl] = bus.records(topics.deadLetters.name);
    expect(dl.headers[DLT_HEADERS.errorCode]).toBe('DECODE_FAILED');
    expect(dl.headers[DLT_HEADERS.originalTopic]).toBe(topics.rawText.name);
    const letter = topics.deadLetters.codec.decode(dl.value);
    expect(letter.payload?.toString()).toBe('garbage');
    expect(letter.reason).toMatch(/undecodable/);
  });

  it('commits only after the handler resolves, and redelivers after a retriable failure', async () => {
    await bus.publish(topics.rawText, [{ value: doc(1), key: 'same' }]);
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sub = await bus.subscribe({
      groupId: 'g2',
      topics: [topics.rawText],
      handler: async () => {
        calls++;
        if (calls === 1) throw new TransientError('database down');
        await gate;
      },
    });
    await until(() => calls === 2);
    const partition = bus.records(topics.rawText.name)[0].partition;
    expect(bus.committedOffset('g2', topics.rawText.name, partition)).toBe(0);
    release();
    await until(() => bus.committedOffset('g2', topics.rawText.name, partition) === 1);
    await sub.stop();
  });

  it('narrows a permanent batch failure to the failing message', async () => {
    await bus.publish(topics.rawText, [1, 2, 3].map((i) => ({ value: doc(i), key: 'k' })));
    const done: string[] = [];
    const sub = await bus.subscribe({
      groupId: 'g3',
      topics: [topics.rawText],
      handler: async (batch: Envelope<RawText>[]) => {
        if (batch.some((e) => e.value.id === 'd2')) throw new ValidationError('d2 is bad');
        done.push(...batch.map((e) => e.value.id));
      },
    });
    await until(() => bus.records(topics.deadLetters.name).length === 1 && done.length === 2);
    await sub.stop();
    expect(done).toEqual(['d1', 'd3']);
    expect(topics.deadLetters.codec.decode(bus.records(topics.deadLetters.name)[0].value).reason).toBe('d2 is bad');
  });

  it('applies the subscriber validation and splits partitions between group members', async () => {
    await bus.publish(topics.rawText, Array.from({ length: 40 }, (_, i) => ({ value: doc(i) })));
    const byMember: Record<string, number> = { a: 0, b: 0 };
    const mk = (name: 'a' | 'b') =>
      bus.subscribe({
        groupId: 'g4',
        topics: [topics.rawText],
        validate: (v) => {
          if (v.id === 'd7') throw new ValidationError('too long', { code: 'TEXT_TOO_LONG' });
        },
        handler: async (batch) => void (byMember[name] += batch.length),
      });
    const [a, b] = await Promise.all([mk('a'), mk('b')]);
    await until(() => byMember.a + byMember.b === 39).catch((e) => { throw new Error(`${e.message}: ${JSON.stringify(byMember)} dlt=${bus.records(topics.deadLetters.name).length}`); });
    await Promise.all([a.stop(), b.stop()]);
    expect(byMember.a).toBeGreaterThan(0);
    expect(byMember.b).toBeGreaterThan(0);
    expect(bus.records(topics.deadLetters.name)[0].headers[DLT_HEADERS.errorCode]).toBe('TEXT_TOO_LONG');
  });

  it('refuses unknown topics', async () => {
    await expect(bus.publishRaw('nope', [{ key: null, value: Buffer.from('x') }])).rejects.toThrow(/does not exist/);
  });
});
