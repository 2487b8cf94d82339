// The whole platform in one process (what `npm start` runs): tagger, sampler, trainer-orchestrator,
// reloader and studio share one bus and one store. Default: the in-process bus and the embedded
// PGlite store under .data/pglite — nothing to install beyond npm. With BUS=kafka and DATABASE_URL
// set (`npm start -- --infra local`) the same services run on a real Kafka and PostgreSQL.
// <SERVICE>_DATABASE_URL (TAGGER_, SAMPLER_, ORCHESTRATOR_, RELOADER_, STUDIO_) gives a service its
// own PostgreSQL database, as an operator isolating them would: the services meet only through
// topics and HTTP, so the loop runs the same on one database or five.
//
// Each service keeps its own HTTP port and /metrics: studio 8080, tagger 8081, sampler 8082,
// trainer-orchestrator 8083, reloader 8084 (STUDIO_PORT, TAGGER_PORT, ... override them).
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { MemoryBus, busConfigSpec, createBus, createBusMetrics, topicsFromConfig, type Bus } from '@zhner/bus';
import type { RawText } from '@zhner/contracts';
import { env, loadConfig, ConfigError } from '@zhner/core';
import { Lifecycle, createLogger, createMetricsRegistry, installSignalHandlers, type Registry } from '@zhner/kit';
import type { RunningService, ServiceContext } from '@zhner/service';
import { demoTexts } from './demoFeed';
import { writePlatformSession, type PlatformSession } from './session';
import { openStore, storeConfigSpec, type SqlClient, type StoreConfig } from '@zhner/store';
import { configSpec as samplerSpec, startSampler } from '@zhner/sampler';
import { configSpec as orchestratorSpec, startOrchestrator } from '@zhner/trainer-orchestrator';
import { configSpec as reloaderSpec, startReloader } from '@zhner/reloader';
import { configSpec as studioSpec, inProcessNerClient, runTokenCli, startStudio } from '@zhner/studio';
import { configSpec as taggerSpec, startTagger } from '@zhner/tagger';

const repo = path.resolve(__dirname, '..', '..');

const platformSpec = {
  host: env.string('HTTP_HOST', { default: '127.0.0.1', doc: 'Address every service binds (0.0.0.0 to expose them)' }),
  studioPort: env.int('STUDIO_PORT', { default: 8080, min: 0, max: 65535, doc: 'Studio (web page + /api)' }),
  taggerPort: env.int('TAGGER_PORT', { default: 8081, min: 0, max: 65535, doc: 'Tagger (POST /ner)' }),
  samplerPort: env.int('SAMPLER_PORT', { default: 8082, min: 0, max: 65535, doc: 'Sampler' }),
  orchestratorPort: env.int('ORCHESTRATOR_PORT', { default: 8083, min: 0, max: 65535, doc: 'Trainer-orchestrator' }),
  reloaderPort: env.int('RELOADER_PORT', { default: 8084, min: 0, max: 65535, doc: 'Reloader' }),
  demoFeed: env.bool('DEMO_FEED', { default: true, doc: 'Publish demo news texts (deploy/local/demo-texts.txt, then recombinations of them) so the review queue has work; false = none' }),
  demoFeedBurst: env.int('DEMO_FEED_BURST', { default: 10, min: 0, max: 1000, doc: 'Demo texts published at start' }),
  demoFeedIntervalMs: env.durationMs('DEMO_FEED_INTERVAL', { default: '10s', min: 100, doc: 'Then one demo text every interval' }),
  firstAdmin: env.string('FIRST_ADMIN', { default: 'admin', doc: 'Annotator id of the admin created (with a token printed once) when the store has no annotator' }),
};

/** The variable that gives each service its own database (else DATABASE_URL / the embedded store). */
const SERVICE_DATABASE_VARS = {
  tagger: 'TAGGER_DATABASE_URL',
  sampler: 'SAMPLER_DATABASE_URL',
  'trainer-orchestrator': 'ORCHESTRATOR_DATABASE_URL',
  reloader: 'RELOADER_DATABASE_URL',
  studio: 'STUDIO_DATABASE_URL',
} as const;
type ServiceName = keyof typeof SERVICE_DATABASE_VARS;

/** Base URLs of the in-process services on their configured ports (loopback when bound to all). */
function ownUrls(p: { host: string; orchestratorPort: number; reloaderPort: number; taggerPort: number }): Record<string, string> {
  const host = p.host === '0.0.0.0' ? '127.0.0.1' : p.host;
  return { ORCHESTRATOR_URL: `http://${host}:${p.orchestratorPort}`, RELOADER_URL: `http://${host}:${p.reloaderPort}`, TAGGER_URL: `http://${host}:${p.taggerPort}` };
}

async function main(): Promise<void> {
  const logger = createLogger('platform');
  const source: Record<string, string | undefined> = {
    BUS: 'memory',
    PGLITE_DIR: path.join(repo, '.data', 'pglite'),
    MODELS_DIR: path.join(repo, '.data', 'models'),
    // demo-friendly sampler defaults: the bundled model is confident on most news text, and a
    // newcomer should see the review queue fill within seconds, not after a 30 s window
    SAMPLER_CONFIDENCE_THRESHOLD: '0.99',
    SAMPLER_WINDOW_INTERVAL: '5s',
    ...process.env,
  };
  // Secure by default: without ADMIN_TOKEN (and without an explicit INSECURE_OPEN_ADMIN=true) the
  // platform makes one for this run, prints it, and gives it to every service and to the studio's
  // calls of the orchestrator and the reloader
  const generatedAdminToken = !source.ADMIN_TOKEN && !/^(1|true|yes|on)$/i.test(source.INSECURE_OPEN_ADMIN ?? '') ? `zhner_admin_${randomBytes(24).toString('base64url')}` : undefined;
  const adminToken = source.ADMIN_TOKEN || generatedAdminToken;
  if (adminToken) Object.assign(source, { ADMIN_TOKEN: adminToken, ORCHESTRATOR_TOKEN: source.ORCHESTRATOR_TOKEN || adminToken, RELOADER_TOKEN: source.RELOADER_TOKEN || adminToken });
  let cfg;
  try {
    const own = ownUrls(loadConfig(platformSpec, source));
    cfg = {
      platform: loadConfig(platformSpec, source),
      bus: loadConfig(busConfigSpec, source),
      store: loadConfig(storeConfigSpec, source),
      // a service's own database when its variable is set (validated like DATABASE_URL)
      stores: Object.fromEntries(
        (Object.entries(SERVICE_DATABASE_VARS) as [ServiceName, string][]).map(([name, key]) => [name, source[key] ? loadConfig(storeConfigSpec, { ...source, DATABASE_URL: source[key] }) : undefined]),
      ) as Record<ServiceName, StoreConfig | undefined>,
      // the tagger and the reloader resolve model versions through this process's registry
      tagger: loadConfig(taggerSpec, { REPLICA_ID: `${os.hostname()}-tagger`, REGISTRY_URL: own.ORCHESTRATOR_URL, ...source }),
      sampler: loadConfig(samplerSpec, source),
      orchestrator: loadConfig(orchestratorSpec, source),
      reloader: loadConfig(reloaderSpec, { REGISTRY_URL: own.ORCHESTRATOR_URL, ...source }),
      // the studio reads the registry and rollouts over the services' published HTTP APIs: here
      // those are this process's own ports (whatever STUDIO_/ORCHESTRATOR_/RELOADER_PORT say)
      studio: loadConfig(studioSpec, { ...own, ...source }),
    };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`platform: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  const lifecycle = new Lifecycle(logger);
  installSignalHandlers(() => lifecycle.close(), logger);
  // started by scripts/start.mjs with an IPC channel: when that process dies, stop too (we run in
  // our own process group, so nothing else would tell us)
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', () => {
      logger.info('parent process gone: shutting down');
      lifecycle.close().then(() => process.exit(0), () => process.exit(1));
    });
  }
  const topics = topicsFromConfig(cfg.bus);
  await lifecycle.start(async () => {
    const db = await openStore(cfg.store, { logger, service: 'platform' });
    lifecycle.onClose('store', () => db.close());
    const ownStores = new Map<ServiceName, SqlClient>();
    for (const [name, store] of Object.entries(cfg.stores) as [ServiceName, StoreConfig | undefined][]) {
      if (!store) continue;
      const own = await openStore(store, { logger, service: name });
      lifecycle.onClose(`${name} store`, () => own.close());
      ownStores.set(name, own);
    }
    const dbOf = (name: ServiceName): SqlClient => ownStores.get(name) ?? db;
    // one in-process bus shared by every service, or one Kafka client per service
    const registries = new Map<string, Registry>();
    const registryOf = (name: string): Registry => {
      let r = registries.get(name);
      if (!r) registries.set(name, (r = createMetricsRegistry(name)));
      return r;
    };
    // the shared in-process bus's metrics (zhner_bus_*, labelled by consumer group, dead letters
    // included) are served on the tagger's /metrics: one place, so nothing is counted twice
    const shared = cfg.bus.bus === 'memory' ? new MemoryBus({ logger: logger.child({ component: 'bus' }), metrics: createBusMetrics(registryOf('tagger')), deadLetterTopic: topics.deadLetters }) : undefined;
    if (shared) lifecycle.onClose('bus', () => shared.close());
    const context = (name: ServiceName | 'demo-feed'): ServiceContext => {
      const registry = registryOf(name);
      const bus: Bus = shared ?? createBus(cfg.bus, topics, { logger, registry, service: name });
      if (!shared) lifecycle.onClose(`${name} bus`, () => bus.close());
      return { logger: createLogger(name), registry, bus, topics, db: name === 'demo-feed' ? db : dbOf(name) };
    };
    if (shared) await shared.ensureTopics(Object.values(topics));
    else {
      const admin = createBus(cfg.bus, topics, { logger, service: 'platform' });
      try {
        await admin.ensureTopics(Object.values(topics));
      } finally {
        await admin.close();
      }
    }

    const listen = async (svc: RunningService, port: number) => {
      lifecycle.onClose(svc.name, () => svc.close());
      if (svc.app) {
        await svc.app.listen({ port, host: cfg.platform.host });
        lifecycle.onClose(`${svc.name} http`, () => svc.app!.close());
      }
    };

    // the registry first: a starting tagger asks it for the promoted version
    await listen(await startOrchestrator(cfg.orchestrator, context('trainer-orchestrator')), cfg.platform.orchestratorPort);
    const tagger = await startTagger(cfg.tagger, context('tagger'));
    await listen(tagger, cfg.platform.taggerPort);
    await listen(await startSampler(cfg.sampler, context('sampler')), cfg.platform.samplerPort);
    await listen(await startReloader(cfg.reloader, context('reloader')), cfg.platform.reloaderPort);
    const studio = await startStudio(cfg.studio, context('studio'), { nerClient: inProcessNerClient((texts) => tagger.tag(texts)) });
    await listen(studio, cfg.platform.studioPort);

    // annotators are the studio's: the first admin goes to the studio's database
    const { rows } = await dbOf('studio').query<{ n: number }>('SELECT count(*)::int AS n FROM annotators');
    let token: string | undefined;
    if (rows[0].n === 0) {
      await runTokenCli(['create', '--annotator', cfg.platform.firstAdmin, '--role', 'admin'], dbOf('studio'), { out: (t) => (token = t), err: () => undefined });
    }

    await tagger.whenReady();
    if (cfg.platform.demoFeed) {
      const file = path.join(__dirname, 'demo-texts.txt');
      const texts = readFileSync(file, 'utf8').split('\n').map((t) => t.trim()).filter(Boolean);
      const feed = demoTexts(texts);
      const bus = context('demo-feed').bus;
      let n = 0;
      const publish = async (count: number) => {
        const docs: RawText[] = [];
        for (let i = 0; i < count; i++) {
          const next = feed.next();
          if (next.done) return false;
          n++;
          docs.push({ id: `demo-${n}`, text: next.value, source: 'demo', publishedAt: Date.now(), metadata: { feed: 'deploy/local/demo-texts.txt' } });
        }
        if (docs.length) await bus.publish(topics.rawText, docs.map((value) => ({ key: value.id, value })));
        return true;
      };
      await publish(cfg.platform.demoFeedBurst);
      const timer = setInterval(() => {
        publish(1).then(
          (more) => more || clearInterval(timer),
          (err) => logger.warn({ err }, 'demo feed publish failed'),
        );
      }, cfg.platform.demoFeedIntervalMs);
      timer.unref();
      lifecycle.onClose('demo feed', () => clearInterval(timer));
    }

    const base = `http://${cfg.platform.host === '0.0.0.0' ? 'localhost' : cfg.platform.host}`;
    const lines = [
      '',
      `  Studio        ${base}:${cfg.platform.studioPort}/          (API docs: /api/docs)`,
      `  Tagger        ${base}:${cfg.platform.taggerPort}/ner       model ${tagger.modelVersion ?? '(loading)'}`,
      `  Sampler       ${base}:${cfg.platform.samplerPort}/selections`,
      `  Orchestrator  ${base}:${cfg.platform.orchestratorPort}/runs`,
      `  Reloader      ${base}:${cfg.platform.reloaderPort}/rollouts`,
      `  bus: ${cfg.bus.bus === 'memory' ? 'in-process' : cfg.bus.kafkaBrokers.join(',')}   store: ${cfg.store.databaseUrl ? 'PostgreSQL' : `PGlite (${cfg.store.pgliteDir})`}${ownStores.size ? `; own databases: ${[...ownStores.keys()].join(', ')}` : ''}`,
      token
        ? `  First admin "${cfg.platform.firstAdmin}" created. Its token (shown once; paste it into the studio's sign-in field):\n\n      ${token}\n`
        : '  Sign in with a token from `npm run studio:token -- create --annotator <you>` (stop the platform first when it uses the embedded store).',
      generatedAdminToken
        ? `  Admin token of the tagger, orchestrator and reloader for this run (set ADMIN_TOKEN to choose one):\n\n      ${generatedAdminToken}\n`
        : adminToken
          ? '  Admin routes: ADMIN_TOKEN from the environment.'
          : '  INSECURE_OPEN_ADMIN=true: the admin routes accept ANY caller.',
      '  Stop with Ctrl+C.',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    // For the operator tools that drive a running platform (npm run chaos:inputs, chaos:outage):
    // where everything is and the admin token, readable by this user only, removed at stop
    const session: PlatformSession = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      urls: Object.fromEntries((['studio', 'tagger', 'sampler', 'orchestrator', 'reloader'] as const).map((k) => [k, `http://${cfg.platform.host === '0.0.0.0' ? '127.0.0.1' : cfg.platform.host}:${cfg.platform[`${k}Port` as const]}`])),
      bus: cfg.bus.bus === 'memory' ? { kind: 'memory' } : { kind: 'kafka', brokers: cfg.bus.kafkaBrokers, topicPrefix: cfg.bus.topicPrefix },
      store: cfg.store.databaseUrl ? { kind: 'postgres', databaseUrl: cfg.store.databaseUrl } : { kind: 'pglite' },
      ...(adminToken ? { adminToken } : {}),
      infraDataDir: path.resolve(process.env.NER_DATA_DIR ?? path.join(repo, '.data')),
    };
    const removeSession = writePlatformSession(session);
    lifecycle.onClose('session file', removeSession);
  });
}

main().catch((err) => {
  process.stderr.write(`platform failed to start: ${err?.stack ?? err}\n`);
  process.exit(1);
});
