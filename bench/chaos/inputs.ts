// `npm run chaos:inputs [-- --timeout 180] [--no-flood]`: the hostile-input suite, against a
// RUNNING platform (`npm start -- --infra local`; it writes .data/platform.json with its URLs, its
// broker and its admin token).
//
// Sends every case of ./inputs/cases.ts: raw records to ner.raw-text.v1 (each on its own partition,
// followed on that partition by a valid document), raw HTTP requests to the tagger's POST /ner, the
// studio API and the admin routes of every service, and one load case (two 64 × 10,000-character
// POST /ner at once while Kafka documents flow: the HTTP lane must not starve Kafka, and a request
// beyond the HTTP queue's bound gets 429 + Retry-After). It reads ner.dead-letters.v1 and
// ner.entities.v1 back (read_committed), polls every service's /healthz throughout, and checks each
// outcome: the dead letter with the right code (cut to fit, with size and sha256, when the record
// is too large), the right 4xx, no entity on blanks/markup, every interleaved valid document
// tagged exactly once, every service still up.
//
// Prints a table (stdout), then ONE JSON object as the last line:
//   {"cases","handled","mishandled":[{id,expected,observed}],"crashes","lost","duplicates", ...}
// Exit code 1 when anything is mishandled, lost, duplicated or a service went down.
//
// Environment overrides: PLATFORM_SESSION (file), KAFKA_BROKERS, TOPIC_PREFIX, ADMIN_TOKEN,
// STUDIO_TOKEN (else an annotator token for "chaos-inputs" is created with the studio's token CLI
// when the platform uses PostgreSQL).
import http from 'node:http';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { createTopics, type DeadLetter, type EntityEvent } from '@zhner/contracts';
import { describeMachine, loadConfig, machineInfo, seededRandom } from '@zhner/core';
import { createLogger } from '@zhner/kit';
import { openStore, storeConfigSpec } from '@zhner/store';
import { runTokenCli } from '@zhner/studio';
import { readPlatformSession, SESSION_FILE, type PlatformSession } from '../../deploy/local/session';
import { httpCases, kafkaCases, validDoc, type Auth, type HttpCase, type KafkaCase } from './inputs/cases';
import { judgeHttp, judgeKafka, summarise, table, type Outcome, type SeenDeadLetter, type SeenEvent, type SeenHttp } from './inputs/report';

const say = (msg: string) => process.stderr.write(`[chaos:inputs] ${new Date().toISOString().slice(11, 23)} ${msg}\n`);
const BROKER_MAX_RECORD = 1_048_588; // the broker's default message.max.bytes

interface Options {
  timeoutMs: number;
  flood: boolean;
}

function parseArgs(argv: string[]): Options {
  const i = argv.indexOf('--timeout');
  const timeoutS = i >= 0 ? Number(argv[i + 1]) : 180;
  if (!(timeoutS > 0)) throw new Error(`--timeout must be seconds > 0, got ${argv[i + 1]}`);
  return { timeoutMs: timeoutS * 1000, flood: !argv.includes('--no-flood') };
}

function session(): PlatformSession & { bus: { kind: 'kafka'; brokers: string[]; topicPrefix: string } } {
  const file = process.env.PLATFORM_SESSION ?? SESSION_FILE;
  const s = readPlatformSession(file);
  if (!s) throw new Error(`no running platform (${file} missing or stale): start one with \`npm start -- --infra local\` and run this again`);
  const brokers = process.env.KAFKA_BROKERS?.split(',') ?? (s.bus.kind === 'kafka' ? s.bus.brokers : undefined);
  if (!brokers) throw new Error('the platform runs on its in-process bus: the Kafka cases need a broker; start it with `npm start -- --infra local`');
  const topicPrefix = process.env.TOPIC_PREFIX ?? (s.bus.kind === 'kafka' ? s.bus.topicPrefix : '');
  return { ...s, adminToken: process.env.ADMIN_TOKEN ?? s.adminToken, bus: { kind: 'kafka', brokers, topicPrefix } };
}

async function studioToken(s: PlatformSession): Promise<string | undefined> {
  if (process.env.STUDIO_TOKEN) return process.env.STUDIO_TOKEN;
  if (s.store.kind !== 'postgres') return undefined;
  const db = await openStore(loadConfig(storeConfigSpec, { DATABASE_URL: s.store.databaseUrl }), { logger: createLogger('chaos', { level: 'silent' }), service: 'chaos-inputs' });
  try {
    let token: string | undefined;
    await runTokenCli(['create', '--annotator', 'chaos-inputs', '--role', 'annotator', '--name', 'npm run chaos:inputs'], db, { out: (t) => (token = t), err: () => undefined });
    return token;
  } finally {
    await db.close();
  }
}

/**
 * One raw HTTP request (bytes as given: no client-side JSON re-encoding). The body is written in
 * chunks and writing stops once the server has answered (a 413 answers before the body is read;
 * the reset that follows is not the answer).
 */
function request(url: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<SeenHttp> {
  return new Promise((resolve) => {
    let answered = false;
    const req = http.request(url, { method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers, timeout: 120_000 }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: String(err) }));
    });
    req.on('error', (err) => answered || resolve({ status: 0, headers: {}, body: `request failed: ${err.message}` }));
    req.on('timeout', () => req.destroy(new Error('timed out')));
    let at = 0;
    const write = (): void => {
      // a large body: the first chunk, then a pause, so that a server that refuses by
      // content-length alone answers before the rest is pushed at a closing socket
      if (body && body.length > 1024 * 1024 && at === 0) {
        req.write(body.subarray(0, (at = 64 * 1024)));
        setTimeout(write, 300);
        return;
      }
      while (body && at < body.length && !answered) {
        const more = req.write(body.subarray(at, (at += 64 * 1024)));
        if (!more) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

function authHeader(auth: Auth, admin: string | undefined, studio: string | undefined): Record<string, string> {
  switch (auth) {
    case 'none':
      return {};
    case 'admin':
      return admin ? { authorization: `Bearer ${admin}` } : {};
    case 'studio':
      return studio ? { authorization: `Bearer ${studio}` } : {};
    case 'wrong':
      return { authorization: 'Bearer zhner_not_a_real_token_0123456789' };
    case 'admin-truncated':
      return { authorization: `Bearer ${(admin ?? 'xx').slice(0, -1)}` };
    case 'admin-lowercase-scheme':
      return admin ? { authorization: `bearer ${admin}` } : {};
    case 'admin-two-values':
      return { authorization: `Bearer ${admin ?? 'x'}, Bearer ${admin ?? 'x'}` };
  }
}

async function runHttpCase(c: HttpCase, urls: Record<string, string>, admin: string | undefined, studio: string | undefined): Promise<Outcome> {
  if (((c.auth === 'admin' || c.auth === 'admin-lowercase-scheme') && !admin) || (c.auth === 'studio' && !studio)) {
    return { id: c.id, entry: c.entry, title: c.title, expected: 'run', observed: `not run: no ${c.auth} token (set ${c.auth === 'admin' ? 'ADMIN_TOKEN' : 'STUDIO_TOKEN'})`, ok: false };
  }
  const body = c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(typeof c.body === 'string' ? c.body : JSON.stringify(c.body), 'utf8');
  const headers: Record<string, string> = { ...authHeader(c.auth, admin, studio), ...(body ? { 'content-type': c.contentType ?? 'application/json' } : {}) };
  return judgeHttp(c, await request(`${urls[c.service]}${c.path}`, c.method, headers, body));
}

/** Polls every service's /healthz each second; a service that fails 3 polls in a row has crashed. */
function watchHealth(urls: Record<string, string>): { stop: () => string[] } {
  const failures = new Map<string, number>();
  const crashed = new Set<string>();
  const timer = setInterval(() => {
    for (const [name, url] of Object.entries(urls)) {
      void request(`${url}/healthz`, 'GET', {}).then((r) => {
        const n = r.status === 200 ? 0 : (failures.get(name) ?? 0) + 1;
        failures.set(name, n);
        if (n >= 3 && !crashed.has(name)) {
          crashed.add(name);
          say(`${name} stopped answering /healthz: ${r.status} ${r.body.slice(0, 120)}`);
        }
      });
    }
  }, 1000);
  return { stop: () => (clearInterval(timer), [...crashed]) };
}

interface Observed {
  deadLetters: Map<string, SeenDeadLetter[]>;
  events: Map<string, Array<SeenEvent & { seenAt: number }>>;
}

async function startReader(kafka: Kafka, topics: ReturnType<typeof createTopics>, run: string): Promise<{ consumer: Consumer; seen: Observed }> {
  const seen: Observed = { deadLetters: new Map(), events: new Map() };
  const admin = kafka.admin();
  await admin.connect();
  const start = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const t of [topics.deadLetters.name, topics.entities.name]) start.set(t, await admin.fetchTopicOffsets(t));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `chaos-inputs-${run}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.deadLetters.name, topics.entities.name], fromBeginning: false });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (!message.value) return;
      if (topic === topics.deadLetters.name) {
        const d = topics.deadLetters.codec.decode(message.value) as DeadLetter;
        const key = d.key ? Buffer.from(d.key).toString('utf8') : '';
        if (!key.startsWith(`chaos-${run}-`)) return;
        const list = seen.deadLetters.get(key) ?? [];
        list.push({ errorCode: d.errorCode, reason: d.reason, recordBytes: message.value.length + (message.key?.length ?? 0), headers: d.headers });
        seen.deadLetters.set(key, list);
      } else {
        const e = topics.entities.codec.decode(message.value) as EntityEvent;
        if (!e.docId.startsWith(`chaos-${run}-`)) return;
        const list = seen.events.get(e.docId) ?? [];
        list.push({ entities: e.entities, seenAt: Date.now() });
        seen.events.set(e.docId, list);
      }
    },
  });
  await joined;
  // from the offsets before the run, whatever the group's reset policy did at join
  for (const [topic, offsets] of start) for (const o of offsets) consumer.seek({ topic, partition: o.partition, offset: o.offset });
  return { consumer, seen };
}

/** Sends the Kafka cases, each on its own partition followed by a valid document there. */
async function sendKafkaCases(producer: Producer, topic: string, partitions: number, cases: KafkaCase[], run: string): Promise<string[]> {
  const valid: string[] = [];
  for (const [i, c] of cases.entries()) {
    const partition = i % partitions;
    const v = validDoc(run, i);
    valid.push(v.key);
    await producer.send({ topic, messages: [{ key: c.key, value: c.value, headers: c.headers, partition }] });
    await producer.send({ topic, messages: [{ key: v.key, value: v.value, partition }] });
  }
  return valid;
}

/**
 * The load case: Kafka documents produced one every 250 ms while two maximum POST /ner requests
 * (64 × 10,000 seeded random characters each) are sent at once. Handled when: every answer is 200
 * or 429 with Retry-After, at least one is 200, and no Kafka document waited more than 10 s for its
 * entity event while the load ran.
 */
async function floodCase(urls: Record<string, string>, producer: Producer, topic: string, seen: Observed, run: string): Promise<{ outcome: Outcome; valid: string[] }> {
  const random = seededRandom(7);
  const alphabet = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府';
  const text = () => Array.from({ length: 10_000 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const body = () => Buffer.from(JSON.stringify({ texts: Array.from({ length: 64 }, text) }), 'utf8');
  const bodies = [body(), body()];
  const sent = new Map<string, number>();
  let n = 0;
  let loading = true;
  const feed = (async () => {
    while (loading) {
      const key = `chaos-${run}-load-${n++}`;
      sent.set(key, Date.now());
      await producer.send({ topic, messages: [{ key, value: createDocValue(key, n) }] });
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const started = Date.now();
  const answers = await Promise.all(bodies.map((b) => request(`${urls.tagger}/ner`, 'POST', { 'content-type': 'application/json' }, b)));
  const loadS = (Date.now() - started) / 1000;
  loading = false;
  await feed;
  // wait for the documents produced during the load (at most 30 s)
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && [...sent.keys()].some((k) => !seen.events.has(k))) await new Promise((r) => setTimeout(r, 250));
  const waits = [...sent].map(([k, at]) => (seen.events.get(k)?.[0]?.seenAt ?? Infinity) - at);
  const maxWaitS = Math.max(...waits) / 1000;
  const statuses = answers.map((a) => (a.status === 429 ? `429 (Retry-After ${a.headers['retry-after'] ?? 'missing'})` : String(a.status)));
  const ok = answers.every((a) => a.status === 200 || (a.status === 429 && a.headers['retry-after'] !== undefined)) && answers.some((a) => a.status === 200) && maxWaitS <= 10;
  return {
    outcome: {
      id: 'ner-load-fair-sharing',
      entry: 'ner',
      title: 'two 64 × 10,000-character POST /ner at once while Kafka documents flow',
      expected: '200 or 429+Retry-After each, ≥ one 200; Kafka documents tagged within 10 s during the load',
      observed: `answers ${statuses.join(', ')} in ${loadS.toFixed(1)} s; ${sent.size} Kafka documents, slowest ${Number.isFinite(maxWaitS) ? `${maxWaitS.toFixed(1)} s` : 'never tagged'}`,
      ok,
    },
    valid: [...sent.keys()],
  };
}

const plainTopics = createTopics();
function createDocValue(key: string, n: number): Buffer {
  return plainTopics.rawText.codec.encode({ id: key, text: `负载期间第${n}条：外交部发言人在北京表示欢迎。`, source: 'chaos', publishedAt: Date.now(), metadata: {} });
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const s = session();
  const run = Date.now().toString(36);
  const topics = createTopics({ prefix: s.bus.topicPrefix });
  const studio = await studioToken(s);
  if (!s.adminToken) say('no admin token in the session (INSECURE_OPEN_ADMIN?): the admin cases will say so');
  if (!studio) say('no studio token (embedded store): set STUDIO_TOKEN=<a token from npm run studio:token> for the studio cases');
  const kafka = new Kafka({ clientId: `chaos-inputs-${run}`, brokers: s.bus.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const meta = await admin.fetchTopicMetadata({ topics: [topics.rawText.name] });
  await admin.disconnect();
  const partitions = meta.topics[0].partitions.length;
  const health = watchHealth(s.urls);
  const { consumer, seen } = await startReader(kafka, topics, run);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const kCases = kafkaCases(run);
    say(`run ${run}: ${kCases.length} Kafka cases on ${partitions} partitions of ${topics.rawText.name}, HTTP cases against ${Object.keys(s.urls).join(', ')}`);
    const [valid, httpOutcomes] = await Promise.all([
      sendKafkaCases(producer, topics.rawText.name, partitions, kCases, run),
      (async () => {
        const out: Outcome[] = [];
        for (const c of httpCases()) out.push(await runHttpCase(c, s.urls, s.adminToken, studio));
        return out;
      })(),
    ]);
    let load: { outcome: Outcome; valid: string[] } | undefined;
    if (opts.flood) {
      say('load case: two maximum POST /ner at once while Kafka documents flow');
      load = await floodCase(s.urls, producer, topics.rawText.name, seen, run);
    }
    // every case answered and every valid document tagged, or the timeout
    const settled = () => kCases.every((c) => seen.deadLetters.has(c.key) || seen.events.has(c.key)) && valid.every((k) => seen.events.has(k));
    const deadline = Date.now() + opts.timeoutMs;
    while (!settled() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 3000)); // late duplicates
    const crashed = health.stop();
    const outcomes: Outcome[] = [
      ...kCases.map((c) => judgeKafka(c, { deadLetters: seen.deadLetters.get(c.key) ?? [], events: seen.events.get(c.key) ?? [] }, { maxRecordBytes: BROKER_MAX_RECORD })),
      ...httpOutcomes,
      ...(load ? [load.outcome] : []),
    ];
    const validSeen = new Map([...valid, ...(load?.valid ?? [])].map((k) => [k, seen.events.get(k)?.length ?? 0]));
    const summary = summarise(outcomes, validSeen, crashed);
    process.stdout.write(`${table(outcomes)}\n\n`);
    process.stdout.write(`cases ${summary.cases}, handled ${summary.handled}, mishandled ${summary.mishandled.length}, crashes ${summary.crashes}, lost ${summary.lost}, duplicates ${summary.duplicates} (valid documents interleaved: ${validSeen.size}) on ${describeMachine()}\n`);
    process.stdout.write(`${JSON.stringify({ ...summary, crashed, valid: validSeen.size, run, machine: machineInfo() })}\n`);
    process.exitCode = summary.mishandled.length || summary.crashes || summary.lost || summary.duplicates ? 1 : 0;
  } finally {
    health.stop();
    await producer.disconnect().catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
  }
}

main().catch((err) => {
  process.stderr.write(`chaos:inputs failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
