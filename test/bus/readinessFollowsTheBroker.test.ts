// /readyz follows the broker: a consuming service on a broker of this test's own (never the
// shared one) answers 200 while connected and a member of its group, 503 naming the broker while
// the broker is down, and 200 again once the broker is back and the consumer has rejoined —
// without a restart of the service. The readiness is shared/service's consumerServiceReadiness
// fed with what the bus knows (Bus.health()).
import { createBusMetrics, KafkaBus, type Bus } from '@zhner/bus';
import { createTopics } from '@zhner/contracts';
import { createHttpApp, createMetricsRegistry, registerOpsRoutes, type HttpApp } from '@zhner/kit';
import { consumerServiceReadiness } from '@zhner/service';
import { freeBrokerPort, ownBroker, testLogger, uniqueName, waitFor, type OwnBroker } from '@zhner/test';

jest.setTimeout(600_000);



describe('/readyz while the broker goes away and comes back', () => {
  let broker: OwnBroker;
  let bus: Bus;
  let app: HttpApp;

  beforeAll(async () => {
    broker = ownBroker(await freeBrokerPort());
    broker.start();
  });
  afterAll(async () => {
    await app?.close();
    await Promise.race([bus?.close(), new Promise((r) => setTimeout(r, 20_000))]);
    broker?.destroy();
  });

  it('is ready with the broker, 503 naming it without, ready again after it returns', async () => {
    const topics = createTopics({ prefix: `${uniqueName('r')}.`, partitions: 3 });
    const registry = createMetricsRegistry('readiness-test', { defaultMetrics: false });
    bus = new KafkaBus({ brokers: [broker.brokers], clientId: uniqueName('ready-'), logger: testLogger, deadLetterTopic: topics.deadLetters, metrics: createBusMetrics(registry), connectionTimeoutMs: 1000 });
    await bus.ensureTopics([topics.rawText, topics.deadLetters]);
    const handled: string[] = [];
    await bus.subscribe({ groupId: uniqueName('ready-g-'), topics: [topics.rawText], handler: async (b) => void handled.push(...b.map((e) => e.value.id)) });
    const db = { query: async () => ({ rows: [], rowCount: 0 }) } as never;
    app = createHttpApp({ logger: testLogger }) as unknown as HttpApp;
    registerOpsRoutes(app, { registry, readiness: () => consumerServiceReadiness({ lifecycle: { state: 'RUNNING' }, subscribed: true, db, bus }) });
    const readyz = async () => {
      const res = await (app as unknown as { inject: (o: object) => Promise<{ statusCode: number; json: () => { reasons?: string[] } }> }).inject({ method: 'GET', url: '/readyz' });
      return { status: res.statusCode, reasons: res.json().reasons ?? [] };
    };

    await waitFor(async () => (await readyz()).status === 200, 120_000, 'ready with the broker up');
    await bus.publish(topics.rawText, [{ value: { id: 'before', text: '北京', source: 't', publishedAt: null, metadata: {} } }]);
    await waitFor(() => handled.includes('before'), 60_000, 'a document consumed');

    broker.stop();
    await waitFor(async () => (await readyz()).status === 503, 60_000, '503 with the broker down');
    const down = await readyz();
    expect(down.reasons.join('; ')).toMatch(/broker unreachable/);
    // it stays not ready while the broker is away
    await new Promise((r) => setTimeout(r, 3000));
    expect((await readyz()).status).toBe(503);

    broker.start();
    await waitFor(async () => (await readyz()).status === 200, 180_000, 'ready again once the broker is back');
    await bus.publish(topics.rawText, [{ value: { id: 'after', text: '上海', source: 't', publishedAt: null, metadata: {} } }]);
    await waitFor(() => handled.includes('after'), 120_000, 'consuming again');
  });
});
