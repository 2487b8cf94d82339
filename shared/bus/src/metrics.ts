import { Counter, Gauge, Histogram, LATENCY_BUCKETS_S, Registry } from '@zhner/kit';

export interface BusMetrics {
  consumed: Counter<'topic' | 'group'>;
  published: Counter<'topic'>;
  deadLetters: Counter<'topic' | 'group' | 'code'>;
  batchSeconds: Histogram<'topic' | 'group'>;
  lag: Gauge<'topic' | 'partition' | 'group'>;
}

/** Bus metrics on the service's registry (or a private one when none is given). */
export function createBusMetrics(registry: Registry = new Registry()): BusMetrics {
  return {
    consumed: new Counter({ name: 'zhner_bus_messages_consumed_total', help: 'Messages fetched and processed (good and poison)', labelNames: ['topic', 'group'], registers: [registry] }),
    published: new Counter({ name: 'zhner_bus_messages_published_total', help: 'Messages published', labelNames: ['topic'], registers: [registry] }),
    deadLetters: new Counter({ name: 'zhner_bus_dead_letters_total', help: 'Messages sent to the dead-letter topic, by error code', labelNames: ['topic', 'group', 'code'], registers: [registry] }),
    batchSeconds: new Histogram({ name: 'zhner_bus_batch_seconds', help: 'Time to process one consumed batch, output included', labelNames: ['topic', 'group'], buckets: LATENCY_BUCKETS_S, registers: [registry] }),
    lag: new Gauge({ name: 'zhner_bus_consumer_lag', help: 'Messages behind the end of the partition after the last batch', labelNames: ['topic', 'partition', 'group'], registers: [registry] }),
  };
}
