// The bus conformance suite on the in-process bus (the same suite runs on each Kafka client in test/bus).
import { createTopics, type Topics } from '@zhner/contracts';
import { createLogger, type Registry } from '@zhner/kit';
import { describeBusConformance, type SeenRecord } from './conformance';
import { MemoryBus } from './memory';
import { createBusMetrics } from './metrics';
import type { Bus, Subscription } from './port';

const logger = createLogger('test', { level: 'silent' });
let n = 0;

/** One "process" on the shared in-process bus: closing it stops only its own subscriptions. */
function view(bus: MemoryBus): Bus {
  const mine = new Set<Subscription>();
  return {
    kind: 'memory',
    capabilities: bus.capabilities,
    delivery: bus.delivery,
    ensureTopics: (t) => bus.ensureTopics(t),
    publish: (t, m) => bus.publish(t, m),
    publishRaw: (t, r) => bus.publishRaw(t, r),
    subscribe: async (o) => {
      const s = await bus.subscribe(o);
      mine.add(s);
      return s;
    },
    health: () => ({ kind: 'memory', subscriptions: [...mine].map((s) => s.health()) }),
    close: async () => {
      await Promise.all([...mine].map((s) => s.stop()));
    },
  };
}

describeBusConformance('MemoryBus', () => {
  const buses = new Map<string, MemoryBus>();
  return {
    // the buses of one test share one log (keyed by the test's topic prefix), each with the registry it is given
    open: (topics: Topics, { registry }: { registry: Registry }) => {
      const shared = buses.get(topics.rawText.name) ?? new MemoryBus({ logger, deadLetterTopic: topics.deadLetters, metrics: createBusMetrics(registry), stopGraceMs: 500 });
      buses.set(topics.rawText.name, shared);
      return view(shared);
    },
    read: async (topic: string, until: (r: SeenRecord[]) => boolean, timeoutMs: number) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const bus = [...buses.values()].find((b) => b.records(topic).length > 0);
        const recs: SeenRecord[] = (bus?.records(topic) ?? []).map((r) => ({ key: r.key?.toString('utf8') ?? null, value: r.value, headers: r.headers, partition: r.partition, offset: r.offset }));
        if (until(recs) || Date.now() > end) return recs;
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    committed: async (groupId: string, topic: string) => {
      const out = new Map<number, number>();
      for (const b of buses.values()) for (let p = 0; p < 6; p++) if (b.committedOffset(groupId, topic, p) > 0) out.set(p, b.committedOffset(groupId, topic, p));
      return out;
    },
    topics: () => createTopics({ prefix: `conf${n++}.`, partitions: 3 }),
    group: (prefix: string) => `${prefix}${n++}`,
    timeoutMs: 5000,
  };
});
