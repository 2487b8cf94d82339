// The bus conformance suite (shared/bus/src/conformance.ts) on the real broker, for every Kafka
// client kept behind the port: @platformatic/kafka (the default) and kafkajs.
import { createBusMetrics, describeBusConformance, KAFKA_CLIENTS, KafkaBus } from '@zhner/bus';
import { committedOffsets, kafkaBrokers, readCommitted, testLogger, testTopics, uniqueName } from '@zhner/test';

jest.setTimeout(180_000);

for (const client of KAFKA_CLIENTS) {
  describeBusConformance(`KafkaBus (${client})`, () => ({
    open: (topics, { registry }) =>
      new KafkaBus({ client, brokers: kafkaBrokers(), clientId: uniqueName(`conf-${client}-`), logger: testLogger, deadLetterTopic: topics.deadLetters, metrics: createBusMetrics(registry), sessionTimeoutMs: 6000, stopGraceMs: 5000 }),
    read: (topic, until, timeoutMs) => readCommitted(topic, until, timeoutMs),
    committed: async (groupId, topic) => new Map([...(await committedOffsets(groupId, topic))].filter(([, o]) => o >= 0)),
    topics: () => testTopics(),
    group: (prefix) => uniqueName(prefix),
    timeoutMs: 60_000,
  }));
}
