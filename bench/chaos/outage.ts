// `npm run chaos:outage -- [--broker 20s] [--db 15s] [--rate 20] [--settle 15s] [--timeout 180s]`:
// outage drills against a RUNNING platform on the local infrastructure (`npm start -- --infra
// local`, which writes .data/platform.json): documents are produced at a steady rate and
// corrections submitted through the studio API the whole time, while the broker and then the
// database are stopped (deploy/local/infra.mjs down kafka|postgres) and started again.
//
// Checks, from outside (a read_committed reader of ner.entities.v1 and ner.corrections.v1, the
// studio's own API):
//   documents   acked by the broker = tagged once (lost = acked but never tagged; duplicates)
//   broker      how long after it answered again the first new entity event arrived
//               (recovery_s; the bar is 10 s) and whether the tagger's /readyz said 503 meanwhile
//   corrections accepted (201) = stored (GET /api/corrections) = published (ner.corrections.v1)
//   database    seconds from its return to the first accepted correction
// Prints a table, then ONE JSON object as the last line. Exit code 1 when a bar is missed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { createTopics, type Correction, type EntityEvent } from '@zhner/contracts';
import { describeMachine, loadConfig, machineInfo, parseDurationMs } from '@zhner/core';
import { createLogger } from '@zhner/kit';
import { openStore, storeConfigSpec } from '@zhner/store';
import { runTokenCli } from '@zhner/studio';
import { readPlatformSession, SESSION_FILE } from '../../deploy/local/session';
import { outageVerdict, type OutageFigures } from './outageReport';

const REPO = path.resolve(__dirname, '..', '..');
const say = (msg: string) => process.stderr.write(`[chaos:outage] ${new Date().toISOString().slice(11, 23)} ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Options {
  brokerMs: number;
  dbMs: number;
  rate: number;
  settleMs: number;
  timeoutMs: number;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : def;
  };
  const duration = (name: string, def: string) => {
    const ms = parseDurationMs(get(name, def));
    if (ms === undefined || ms <= 0) throw new Error(`--${name} must be a duration such as 20s, got ${JSON.stringify(get(name, def))}`);
    return ms;
  };
  const rate = Number(get('rate', '20'));
  if (!(rate > 0 && rate <= 1000)) throw new Error(`--rate must be documents per second in (0, 1000], got ${get('rate', '')}`);
  return { brokerMs: duration('broker', '20s'), dbMs: duration('db', '15s'), rate, settleMs: duration('settle', '15s'), timeoutMs: duration('timeout', '180s') };
}

/** deploy/local/infra.mjs against the platform's own infrastructure (its ports and data directory). */
function infra(cmd: 'up' | 'down', which: 'kafka' | 'postgres', env: Record<string, string>): void {
  const r = spawnSync(process.execPath, [path.join(REPO, 'deploy', 'local', 'infra.mjs'), cmd, which], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`infra.mjs ${cmd} ${which} failed: ${r.stderr}`);
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  } catch (err) {
    return { status: 0, body: String(err) };
  }
}

/** Polls every service's /healthz each second (liveness: it must answer through the outages). */
function watchHealth(urls: Record<string, string>): { stop: () => string[] } {
  const failures = new Map<string, number>();
  const crashed = new Set<string>();
  const timer = setInterval(() => {
    for (const [name, url] of Object.entries(urls)) {
      void json(`${url}/healthz`).then((r) => {
        const n = r.status === 200 ? 0 : (failures.get(name) ?? 0) + 1;
        failures.set(name, n);
        if (n >= 3 && !crashed.has(name)) {
          crashed.add(name);
          say(`${name} stopped answering /healthz`);
        }
      });
    }
  }, 1000);
  return { stop: () => (clearInterval(timer), [...crashed]) };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const file = process.env.PLATFORM_SESSION ?? SESSION_FILE;
  const s = readPlatformSession(file);
  if (!s) throw new Error(`no running platform (${file} missing or stale): start one with \`npm start -- --infra local\``);
  if (s.bus.kind !== 'kafka' || s.store.kind !== 'postgres') throw new Error('the outage drill needs the platform on the local Kafka and PostgreSQL: `npm start -- --infra local`');
  const run = Date.now().toString(36);
  const kafkaPort = s.bus.brokers[0].split(':').pop()!;
  const pgPort = new URL(s.store.databaseUrl).port;
  const infraEnv = { NER_KAFKA_PORT: kafkaPort, NER_PG_PORT: pgPort, ...(s.infraDataDir ? { NER_DATA_DIR: s.infraDataDir } : {}) };
  const topics = createTopics({ prefix: s.bus.topicPrefix });
  const annotator = `chaos-outage-${run}`;

  // a studio token of our own (before the database goes away)
  const db = await openStore(loadConfig(storeConfigSpec, { DATABASE_URL: s.store.databaseUrl }), { logger: createLogger('chaos', { level: 'silent' }), service: 'chaos-outage' });
  let token = '';
  try {
    await runTokenCli(['create', '--annotator', annotator, '--role', 'annotator'], db, { out: (t) => (token = t), err: () => undefined });
  } finally {
    await db.close();
  }
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const kafka = new Kafka({ clientId: `chaos-outage-${run}`, brokers: s.bus.brokers, logLevel: logLevel.NOTHING, retry: { retries: 100, initialRetryTime: 300, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  const start = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const t of [topics.entities.name, topics.corrections.name]) start.set(t, await admin.fetchTopicOffsets(t));
  await admin.disconnect();

  // the reader: entity events of our documents, corrections of our annotator
  const events = new Map<string, number>();
  const eventTimes: number[] = [];
  const published = new Set<string>();
  const consumer: Consumer = kafka.consumer({ groupId: `chaos-outage-${run}`, readUncommitted: false, retry: { retries: 100, initialRetryTime: 300, maxRetryTime: 2000 } });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.entities.name, topics.corrections.name], fromBeginning: false });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (!message.value) return;
      if (topic === topics.entities.name) {
        const e = topics.entities.codec.decode(message.value) as EntityEvent;
        if (!e.docId.startsWith(`outage-${run}-`)) return;
        events.set(e.docId, (events.get(e.docId) ?? 0) + 1);
        eventTimes.push(Date.now());
      } else {
        const c = topics.corrections.codec.decode(message.value) as Correction;
        if (c.annotator === annotator) published.add(c.correctionId);
      }
    },
  });
  await joined;
  for (const [topic, offsets] of start) for (const o of offsets) consumer.seek({ topic, partition: o.partition, offset: o.offset });

  // the producer: one document every 1/rate s, retried until the broker acks it (idempotent: a
  // retry after a lost ack is not a second record)
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const acked = new Set<string>();
  let producing = true;
  let n = 0;
  const texts = ['新华社北京电，国务院总理在人民大会堂会见了来访的外国客人。', '记者从上海市政府获悉，浦东新区将新建三所学校。', '华为公司在深圳发布了新款手机，小米科技随后回应。', '中国足球协会宣布，国家队将在广州进行集训。'];
  const produce = (async () => {
    while (producing) {
      const id = `outage-${run}-${n}`;
      const value = topics.rawText.codec.encode({ id, text: `${texts[n % texts.length]}（第${n}条）`, source: 'chaos-outage', publishedAt: Date.now(), metadata: {} });
      n++;
      for (;;) {
        try {
          await producer.send({ topic: topics.rawText.name, messages: [{ key: id, value }] });
          acked.add(id);
          break;
        } catch {
          if (!producing) break;
          await sleep(500);
        }
      }
      await sleep(1000 / opts.rate);
    }
  })();

  // the annotator: claim, correct (accept the prediction), repeat
  const accepted = new Map<string, number>();
  const correctionStatus = new Map<number, number>();
  let annotating = true;
  const annotate = (async () => {
    while (annotating) {
      const claim = await json(`${s.urls.studio}/api/queue/claim`, { method: 'POST', headers: auth, body: '{}' });
      const item = claim.status === 200 ? (claim.body as { item: { candidate: { candidateId: string; text: string; predicted: Array<{ start: number; end: number; type: string; text: string }> }; revision: number } | null }).item : null;
      if (!item) {
        correctionStatus.set(claim.status, (correctionStatus.get(claim.status) ?? 0) + 1);
        await sleep(500);
        continue;
      }
      const entities = item.candidate.predicted.map(({ start, end, type, text }) => ({ start, end, type, text }));
      const r = await json(`${s.urls.studio}/api/corrections`, { method: 'POST', headers: auth, body: JSON.stringify({ candidateId: item.candidate.candidateId, revision: item.revision, entities }) });
      correctionStatus.set(r.status, (correctionStatus.get(r.status) ?? 0) + 1);
      if (r.status === 201) accepted.set((r.body as { correction: { correctionId: string } }).correction.correctionId, Date.now());
      await sleep(200);
    }
  })();

  // readiness while the broker is down
  const readyDuringBroker: number[] = [];
  const phases: Array<{ phase: string; at: number }> = [];
  const mark = (phase: string) => {
    phases.push({ phase, at: Date.now() });
    say(phase);
  };

  const health = watchHealth(s.urls);
  mark(`warm-up (${opts.settleMs / 1000} s at ${opts.rate} docs/s)`);
  await sleep(opts.settleMs);
  mark(`broker down for ${opts.brokerMs / 1000} s`);
  infra('down', 'kafka', infraEnv);
  const brokerDownAt = Date.now();
  const poll = setInterval(() => void json(`${s.urls.tagger}/readyz`).then((r) => readyDuringBroker.push(r.status)), 1000);
  await sleep(opts.brokerMs);
  clearInterval(poll);
  mark('broker up');
  infra('up', 'kafka', infraEnv);
  const brokerUpAt = Date.now();
  await sleep(opts.settleMs);
  mark(`database down for ${opts.dbMs / 1000} s`);
  infra('down', 'postgres', infraEnv);
  const dbDownAt = Date.now();
  await sleep(opts.dbMs);
  mark('database up');
  infra('up', 'postgres', infraEnv);
  const dbUpAt = Date.now();
  await sleep(opts.settleMs);
  mark('stopping the feed and the annotator; waiting for the last events');
  producing = false;
  annotating = false;
  await Promise.all([produce, annotate]);
  const deadline = Date.now() + opts.timeoutMs;
  let lastSay = 0;
  for (;;) {
    const missingDocs = [...acked].filter((id) => !events.has(id)).length;
    const missingCorrections = [...accepted.keys()].filter((id) => !published.has(id)).length;
    if ((missingDocs === 0 && missingCorrections === 0) || Date.now() > deadline) break;
    if (Date.now() - lastSay > 10_000) {
      lastSay = Date.now();
      say(`waiting: ${missingDocs} documents without an entity event, ${missingCorrections} corrections not yet on the topic`);
    }
    await sleep(500);
  }
  await sleep(3000);
  const crashed = health.stop();

  const stored = await json(`${s.urls.studio}/api/corrections?annotator=${annotator}&limit=500`, { headers: auth });
  const storedIds = new Set(stored.status === 200 ? (stored.body as { items: Array<{ correctionId: string }> }).items.map((c) => c.correctionId) : []);
  // bounded: with the platform (and the infrastructure it started) gone, a disconnect retries long
  const bounded = (p: Promise<void>) => Promise.race([p.catch(() => undefined), sleep(5000)]);
  await Promise.all([bounded(producer.disconnect()), bounded(consumer.disconnect())]);

  const firstAfter = (t: number) => eventTimes.filter((x) => x >= t).sort((a, b) => a - b)[0];
  const firstEvent = firstAfter(brokerUpAt);
  const firstCorrection = [...accepted.values()].filter((t) => t >= dbUpAt).sort((a, b) => a - b)[0];
  const figures: OutageFigures = {
    crashed,
    docs: { produced: n, acked: acked.size, tagged: [...acked].filter((id) => events.has(id)).length, lost: [...acked].filter((id) => !events.has(id)).length, duplicates: [...events.values()].filter((c) => c > 1).length },
    broker: { downS: (brokerUpAt - brokerDownAt) / 1000, recoveryS: firstEvent ? (firstEvent - brokerUpAt) / 1000 : null, readyz503: readyDuringBroker.filter((x) => x === 503).length, readyzPolls: readyDuringBroker.length },
    db: { downS: (dbUpAt - dbDownAt) / 1000, recoveryS: firstCorrection ? (firstCorrection - dbUpAt) / 1000 : null },
    corrections: { accepted: accepted.size, stored: [...accepted.keys()].filter((id) => storedIds.has(id)).length, published: [...accepted.keys()].filter((id) => published.has(id)).length, storedTotal: storedIds.size, publishedTotal: published.size, answers: Object.fromEntries([...correctionStatus].map(([k, v]) => [String(k), v])) },
  };
  const verdict = outageVerdict(figures, { recoveryS: 10 });
  const rows: Array<[string, string]> = [
    ['services down (/healthz failed 3 times in a row)', crashed.length ? crashed.join(', ') : 'none'],
    ['documents produced / acked', `${figures.docs.produced} / ${figures.docs.acked}`],
    ['tagged / lost / duplicates', `${figures.docs.tagged} / ${figures.docs.lost} / ${figures.docs.duplicates}`],
    ['broker down', `${figures.broker.downS.toFixed(1)} s; /readyz 503 in ${figures.broker.readyz503} of ${figures.broker.readyzPolls} polls`],
    ['events again after the broker', figures.broker.recoveryS === null ? 'never' : `${figures.broker.recoveryS.toFixed(1)} s`],
    ['database down', `${figures.db.downS.toFixed(1)} s`],
    ['first correction after the database', figures.db.recoveryS === null ? 'never' : `${figures.db.recoveryS.toFixed(1)} s`],
    ['corrections accepted / stored / published', `${figures.corrections.accepted} / ${figures.corrections.stored} / ${figures.corrections.published}`],
    ['studio answers (claims + submits)', Object.entries(figures.corrections.answers).map(([k, v]) => `${k}: ${v}`).join(', ')],
  ];
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(44)} ${v}`).join('\n')}\n${verdict.failures.length ? `MISSED: ${verdict.failures.join('; ')}` : 'all bars met'} on ${describeMachine()}\n`);
  process.stdout.write(`${JSON.stringify({ ...figures, ok: verdict.ok, failures: verdict.failures, options: opts, phases, run, machine: machineInfo() })}\n`);
  process.exitCode = verdict.ok ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`chaos:outage failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
