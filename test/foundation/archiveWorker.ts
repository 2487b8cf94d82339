// A minimal real consumer used by the foundation suites: raw-text events from Kafka → one row per
// document in PostgreSQL, idempotent on the document id. Run in-process or as a child process
// (`tsx archiveWorker.ts`) so a test can SIGKILL it mid-stream.
import { createTopics, type RawText } from '@zhner/contracts';
import { KafkaBus, type Envelope, type Subscription } from '@zhner/bus';
import { createLogger, type Logger } from '@zhner/kit';
import { createPostgresClient, type SqlClient } from '@zhner/store';

export const ARCHIVE_DDL = `
CREATE TABLE IF NOT EXISTS archived_documents (
  id text PRIMARY KEY, text text NOT NULL, source text NOT NULL, topic_partition int NOT NULL, kafka_offset bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS archive_deliveries (
  id text NOT NULL, kafka_offset bigint NOT NULL, at timestamptz NOT NULL DEFAULT now()
);`;

export interface ArchiveWorker {
  subscription: Subscription;
  bus: KafkaBus;
  db: SqlClient;
  stop(): Promise<void>;
}

export async function startArchiveWorker(opts: {
  brokers: string[];
  databaseUrl: string;
  topicPrefix: string;
  groupId: string;
  delayMs?: number;
  maxBatchSize?: number;
  beforeWrite?: (batch: Envelope<RawText>[]) => Promise<void>;
  logger?: Logger;
}): Promise<ArchiveWorker> {
  const logger = opts.logger ?? createLogger('archive-worker', { level: 'silent' });
  const topics = createTopics({ prefix: opts.topicPrefix, partitions: 3 });
  const db = createPostgresClient(opts.databaseUrl, { max: 3 });
  await db.exec(ARCHIVE_DDL);
  const bus = new KafkaBus({ brokers: opts.brokers, clientId: `archive-${opts.groupId}`, logger, deadLetterTopic: topics.deadLetters, sessionTimeoutMs: 6000 });
  const subscription = await bus.subscribe({
    groupId: opts.groupId,
    topics: [topics.rawText],
    maxBatchSize: opts.maxBatchSize ?? 50,
    handler: async (batch) => {
      await opts.beforeWrite?.(batch);
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      await db.transaction(async (tx) => {
        for (const m of batch) {
          await tx.query('INSERT INTO archive_deliveries (id, kafka_offset) VALUES ($1, $2)', [m.value.id, m.offset]);
          await tx.query('INSERT INTO archived_documents (id, text, source, topic_partition, kafka_offset) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING', [
            m.value.id,
            m.value.text,
            m.value.source,
            m.partition,
            m.offset,
          ]);
        }
      });
    },
  });
  return {
    subscription,
    bus,
    db,
    async stop() {
      await bus.close();
      await db.close();
    },
  };
}

if (require.main === module) {
  const env = process.env;
  startArchiveWorker({
    brokers: (env.KAFKA_BROKERS ?? '').split(','),
    databaseUrl: env.DATABASE_URL ?? '',
    topicPrefix: env.TOPIC_PREFIX ?? '',
    groupId: env.GROUP_ID ?? 'archive',
    delayMs: Number(env.DELAY_MS ?? 0),
    maxBatchSize: Number(env.MAX_BATCH ?? 50),
  }).then(
    (w) => {
      process.stdout.write('READY\n');
      process.once('SIGTERM', () => void w.stop().then(() => process.exit(0)));
    },
    (err) => {
      process.stderr.write(String(err?.stack ?? err));
      process.exit(1);
    },
  );
}
