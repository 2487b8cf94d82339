import { Counter, Gauge, Histogram, LATENCY_BUCKETS_S, Registry } from '@zhner/kit';
import type { SubscriptionHealth } from './port';

export interface BusMetrics {
  consumed: Counter<'topic' | 'group'>;
  published: Counter<'topic'>;
  deadLetters: Counter<'topic' | 'group' | 'code'>;
  /** Messages that could not even be dead-lettered (see the runner): parked, and the partition moved on. */
  parked: Counter<'topic' | 'group' | 'code'>;
  batchSeconds: Histogram<'topic' | 'group'>;
  /**
   * Consumer lag per group, topic and partition, named and labelled like kafka_exporter's
   * `kafka_consumergroup_lag{consumergroup,topic,partition}` (what Grafana dashboards and KEDA's
   * Kafka scaler expect). Reported by the member that owns the partition; removed when it loses it.
   */
  lag: Gauge<'consumergroup' | 'topic' | 'partition'>;
  /** Kafka transactions of exactly-once subscriptions, by result (committed, aborted). */
  transactions: Counter<'group' | 'result'>;
  /** Time from the end of a batch's handler to its offsets being committed (transaction included). */
  commitSeconds: Histogram<'group' | 'delivery'>;
  /** Assignment changes seen by this member (a partition gained or lost). */
  rebalances: Counter<'group'>;
  /** Subscriptions whose health the stalled gauge reports at scrape time. */
  readonly health: Set<() => SubscriptionHealth>;
}

/** Bus metrics on the service's registry (or a private one when none is given). */
export function createBusMetrics(registry: Registry = new Registry()): BusMetrics {
  const health = new Set<() => SubscriptionHealth>();
  const r = [registry];
  new Gauge({
    name: 'zhner_bus_consumer_stalled',
    help: 'Consumer groups of this process that have lag but committed nothing for the stall timeout (1 = stalled)',
    labelNames: ['group'],
    registers: r,
    collect() {
      this.reset();
      for (const h of health) {
        const s = h();
        this.set({ group: s.groupId }, s.stalled ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'zhner_bus_consumer_partitions',
    help: 'Partitions assigned to this process, per consumer group',
    labelNames: ['group'],
    registers: r,
    collect() {
      this.reset();
      for (const h of health) {
        const s = h();
        this.inc({ group: s.groupId }, s.partitions);
      }
    },
  });
  return {
    consumed: new Counter({ name: 'zhner_bus_messages_consumed_total', help: 'Messages fetched and processed (good and poison)', labelNames: ['topic', 'group'], registers: r }),
    published: new Counter({ name: 'zhner_bus_messages_published_total', help: 'Messages published', labelNames: ['topic'], registers: r }),
    deadLetters: new Counter({ name: 'zhner_bus_dead_letters_total', help: 'Messages sent to the dead-letter topic, by error code', labelNames: ['topic', 'group', 'code'], registers: r }),
    parked: new Counter({ name: 'zhner_bus_parked_total', help: 'Messages that could not be dead-lettered after bounded retries, parked on the parking topic (or only logged), by error code', labelNames: ['topic', 'group', 'code'], registers: r }),
    batchSeconds: new Histogram({ name: 'zhner_bus_batch_seconds', help: 'Time to process one consumed batch, output included', labelNames: ['topic', 'group'], buckets: LATENCY_BUCKETS_S, registers: r }),
    lag: new Gauge({ name: 'kafka_consumergroup_lag', help: 'Messages behind the end of the partition (last stable offset under read_committed) minus the committed offset, per owned partition', labelNames: ['consumergroup', 'topic', 'partition'], registers: r }),
    transactions: new Counter({ name: 'zhner_bus_transactions_total', help: 'Kafka transactions of exactly-once consumers, by result', labelNames: ['group', 'result'], registers: r }),
    commitSeconds: new Histogram({ name: 'zhner_bus_commit_seconds', help: 'From the end of a batch to its offsets committed (the transaction under exactly-once)', labelNames: ['group', 'delivery'], buckets: LATENCY_BUCKETS_S, registers: r }),
    rebalances: new Counter({ name: 'zhner_bus_rebalances_total', help: 'Assignment changes seen by this member (partitions gained or lost)', labelNames: ['group'], registers: r }),
    health,
  };
}
