// A member joining a consumer group of the broker-side protocol (KIP-848, the default client and
// protocol) does not stop the others: while a second member joins, the first keeps partitions
// (it never holds none) and keeps processing batches on them. With the classic eager protocol every
// member gives up all its partitions until the group has synced again.
import { createBusMetrics, KafkaBus } from '@zhner/bus';
import { createTopics, type RawText } from '@zhner/contracts';
import { Registry } from '@zhner/kit';
import { kafkaBrokers, testLogger, uniqueName, waitFor, waitForGroupStable } from '@zhner/test';

jest.setTimeout(180_000);

describe('scale-out on a KIP-848 group', () => {
  const topics = createTopics({ prefix: `${uniqueName('so')}.`, partitions: 6 });
  const bus = (name: string) => new KafkaBus({ brokers: kafkaBrokers(), clientId: uniqueName(name), logger: testLogger, deadLetterTopic: topics.deadLetters, metrics: createBusMetrics(new Registry()) });
  const a = bus('a-');
  const b = bus('b-');
  let producing = true;

  afterAll(async () => {
    producing = false;
    await Promise.allSettled([a.close(), b.close()]);
  });

  it('keeps the first member consuming while the second joins', async () => {
    await a.ensureTopics([topics.rawText, topics.deadLetters]);
    const group = uniqueName('so-g-');
    const doneAt: number[] = [];
    const handler = (list: number[]) => async (batch: unknown[]) => {
      await new Promise((r) => setTimeout(r, 5));
      for (const _ of batch) list.push(Date.now());
    };
    const subA = await a.subscribe({ groupId: group, topics: [topics.rawText], maxBatchSize: 5, partitionsConsumedConcurrently: 6, handler: handler(doneAt) });
    let n = 0;
    const flow = (async () => {
      while (producing) {
        const docs: RawText[] = Array.from({ length: 12 }, () => ({ id: `d${n++}`, text: '北京欢迎你', source: 'so', publishedAt: null, metadata: {} }));
        await a.publish(topics.rawText, docs.map((value) => ({ value })));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await waitFor(() => subA.health().partitions === 6 && doneAt.length > 100, 60_000, 'the first member consuming all 6 partitions');

    // the second member joins; sample the first one's partitions until the group is stable again
    let minPartitions = 6;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        minPartitions = Math.min(minPartitions, subA.health().partitions);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const joinStarted = Date.now();
    const subB = await b.subscribe({ groupId: group, topics: [topics.rawText], maxBatchSize: 5, handler: handler([]) });
    await waitForGroupStable(group, 2, 60_000);
    await waitFor(() => subB.health().partitions > 0 && subA.health().partitions + subB.health().partitions === 6, 60_000, 'both members holding partitions');
    const joinEnded = Date.now();
    sampling = false;
    await sampler;
    producing = false;
    await flow;

    expect(minPartitions).toBeGreaterThan(0); // never stopped the world
    expect(subA.health().partitions).toBeLessThan(6); // and the newcomer did get a share
    const during = doneAt.filter((t) => t >= joinStarted && t <= joinEnded);
    expect(during.length).toBeGreaterThan(0); // the first member processed while the second joined
    // its longest pause while the group rebalanced, for the record
    const gaps = during.slice(1).map((t, i) => t - during[i]);
    process.stderr.write(`[scale-out] join took ${joinEnded - joinStarted} ms; the first member processed ${during.length} messages meanwhile, longest pause ${Math.max(0, ...gaps)} ms, fewest partitions held ${minPartitions}\n`);
  });
});
