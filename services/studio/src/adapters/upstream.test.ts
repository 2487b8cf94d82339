import { modelVersion } from '../testkit';
import { parseNerAnswer } from './upstream';

describe("reading the tagger's answer", () => {
  const e = { start: 0, end: 2, cpStart: 0, cpEnd: 2, type: 'LOC', text: '北京', score: 0.9 };
  it('reads {results:[...]} with the version on each result (the tagger’s {texts} answer)', () => {
    expect(parseNerAnswer({ results: [{ modelVersion: 'v7', entities: [e], cached: false }, { modelVersion: 'v7', entities: [] }] }, ['北京', '上'])).toEqual({
      modelVersion: 'v7',
      results: [{ entities: [{ start: 0, end: 2, type: 'LOC', text: '北京', score: 0.9 }] }, { entities: [] }],
    });
  });
  it('reads a single {entities} answer and fills missing surface text and score', () => {
    expect(parseNerAnswer({ modelVersion: 'v1', entities: [{ start: 0, end: 2, type: 'LOC' }] }, ['北京'])).toEqual({ modelVersion: 'v1', results: [{ entities: [{ start: 0, end: 2, type: 'LOC', text: '北京', score: 1 }] }] });
  });
  it('refuses an answer without results', () => {
    expect(() => parseNerAnswer({ hello: 1 }, ['x'])).toThrow(/no results/);
  });
});

describe('HTTP clients of the orchestrator, reloader and tagger', () => {
  const seen: Array<{ method: string; url: string; auth?: string; body: unknown }> = [];
  let server: import('node:http').Server;
  let base: string;
  beforeAll(async () => {
    const http = await import('node:http');
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body: body ? JSON.parse(body) : undefined });
        if (req.url === '/rollouts/bad/rollback') return void res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'CONFLICT', message: 'already rolled back' } }));
        if (req.url === '/models?limit=5') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(registryAnswer));
        if (req.url === '/models/nope') return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such version' } }));
        if (req.url === '/runs?limit=3') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ runs: [{ runId: 'r1' }] })); // drifted: fields missing
        if (req.url === '/ner') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: [{ modelVersion: 'v3', entities: [] }] }));
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const registryAnswer = { promoted: 'v1', labelSet: ['LOC', 'ORG', 'PER', 'TIME'], models: [modelVersion({ version: 'v1', status: 'promoted' })] };

  it('reads the registry through its published contract and refuses a body outside it', async () => {
    const { HttpRegistryReader } = await import('./upstream');
    const r = new HttpRegistryReader(base, 2000);
    expect(await r.models(5)).toEqual(registryAnswer);
    expect(await r.model('nope')).toBeUndefined();
    await expect(r.runs(3)).rejects.toMatchObject({ status: 502 });
    await expect(r.runs(3)).rejects.toMatchObject({ code: 'UPSTREAM_FAILED', message: expect.stringContaining('outside its published contract') });
    await expect(new HttpRegistryReader('http://127.0.0.1:9', 2000).models(1)).rejects.toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
    seen.length = 0;
  });

  it('sends exactly the bodies the reloader and orchestrator accept, with their admin tokens', async () => {
    const { HttpModelActions } = await import('./upstream');
    const a = new HttpModelActions({ orchestratorUrl: base, reloaderUrl: `${base}/`, timeoutMs: 2000, orchestratorToken: 'o-tok', reloaderToken: 'r-tok' });
    await a.triggerTraining({ requestedBy: 'ada' });
    await a.startRollout({ modelVersion: 'v2', requestedBy: 'ada' });
    await a.rollback('ro-1', { requestedBy: 'ada', reason: 'worse F1' });
    expect(seen.splice(0)).toEqual([
      { method: 'POST', url: '/runs', auth: 'Bearer o-tok', body: {} }, // a manual run takes no parameters
      { method: 'POST', url: '/rollouts', auth: 'Bearer r-tok', body: { modelVersion: 'v2' } }, // a version, never a path
      { method: 'POST', url: '/rollouts/ro-1/rollback', auth: 'Bearer r-tok', body: { reason: 'studio: ada: worse F1' } },
    ]);
    seen.length = 0;
    // a refusal of the request itself keeps its status, code and message
    await expect(a.rollback('bad', { requestedBy: 'ada' })).rejects.toMatchObject({ status: 409, code: 'CONFLICT', message: 'reloader: already rolled back' });
    const down = new HttpModelActions({ orchestratorUrl: 'http://127.0.0.1:9', reloaderUrl: 'http://127.0.0.1:9', timeoutMs: 2000 });
    await expect(down.triggerTraining({ requestedBy: 'ada' })).rejects.toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
  });

  it("posts {texts} to the tagger's /ner", async () => {
    const { HttpNerClient } = await import('./upstream');
    seen.length = 0;
    const r = await new HttpNerClient(base, 2000).tag(['北京']);
    expect(r).toEqual({ modelVersion: 'v3', results: [{ entities: [] }] });
    expect(seen.splice(0)).toEqual([{ method: 'POST', url: '/ner', auth: undefined, body: { texts: ['北京'] } }]);
  });
});
