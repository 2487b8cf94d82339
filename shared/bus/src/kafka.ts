// The Kafka bus: one port, two client libraries behind it (KAFKA_CLIENT).
//   platformatic (default)  @platformatic/kafka: maintained, pure TypeScript; KIP-848 consumer
//                           groups (no stop-the-world rebalances), transactions (exactly-once)
//   kafkajs                 kafkajs 2.2.4: unmaintained since 2023, classic eager rebalancing,
//                           at-least-once only; kept because it passes the same conformance suite
import type { SchemaName, SchemaTypes, TopicInfo, TopicSpec } from '@zhner/contracts';
import { ConfigError } from '@zhner/core';
import { KafkaJsBus } from './kafkajs';
import { PlatformaticBus, type PlatformaticBusOptions } from './platformatic';
import type { Bus, BusCapabilities, BusHealth, DeliveryMode, OutgoingMessage, RawRecord, Subscription, SubscribeOptions } from './port';

export const KAFKA_CLIENTS = ['platformatic', 'kafkajs'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

export interface KafkaBusOptions extends PlatformaticBusOptions {
  /** Client library. Default platformatic. */
  client?: KafkaClientName;
}

export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  readonly client: KafkaClientName;
  private readonly impl: PlatformaticBus | KafkaJsBus;

  constructor(opts: KafkaBusOptions) {
    this.client = opts.client ?? 'platformatic';
    if (this.client === 'kafkajs' && opts.delivery === 'exactly-once') {
      throw new ConfigError(['KAFKA_DELIVERY=exactly-once needs KAFKA_CLIENT=platformatic: kafkajs has no group-epoch fencing of transactional offset commits (KIP-447)']);
    }
    this.impl = this.client === 'kafkajs' ? new KafkaJsBus(opts) : new PlatformaticBus(opts);
  }

  get capabilities(): BusCapabilities {
    return this.impl.capabilities;
  }

  get delivery(): DeliveryMode {
    return this.impl.delivery;
  }

  ensureTopics(topics: readonly TopicInfo[]): Promise<void> {
    return this.impl.ensureTopics(topics);
  }

  publish<N extends SchemaName>(topic: TopicSpec<N>, messages: OutgoingMessage<SchemaTypes[N]>[]): Promise<void> {
    return this.impl.publish(topic, messages);
  }

  publishRaw(topic: string, records: RawRecord[]): Promise<void> {
    return this.impl.publishRaw(topic, records);
  }

  subscribe<N extends SchemaName>(opts: SubscribeOptions<N>): Promise<Subscription> {
    return this.impl.subscribe(opts);
  }

  health(): BusHealth {
    return this.impl.health();
  }

  close(): Promise<void> {
    return this.impl.close();
  }
}
