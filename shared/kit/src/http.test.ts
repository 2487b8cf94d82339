import { Type } from '@sinclair/typebox';
import { createHttpApp, registerOpsRoutes } from './http';
import { createLogger } from './logger';
import { createMetricsRegistry } from './metrics';
import { PlatformError, TransientError, ValidationError } from '@zhner/core';

describe('createHttpApp', () => {
  const app = createHttpApp({ logger: createLogger('t', { level: 'silent' }), bodyLimit: 1000 });
  app.post('/echo', { schema: { body: Type.Object({ text: Type.String({ minLength: 1 }) }) } }, async (req) => ({ text: req.body.text }));
  app.post('/domain', async () => {
    throw new ValidationError('entities[1]: overlaps', { field: 'entities[1]' });
  });
  app.get('/list', { schema: { querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })), all: Type.Optional(Type.Boolean()), q: Type.Optional(Type.String()) }) } }, async (req) => req.query);
  app.get('/db-down', async () => {
    throw new TransientError('query failed: running: SELECT t.token_id, t.token_hash FROM api_tokens t at /srv/app/store.ts:42');
  });
  app.get('/busy', async () => {
    throw new PlatformError('TOO_MANY_REQUESTS', 'the queue is full', { status: 429, retriable: true, context: { retryAfterS: 2.5 } });
  });
  app.get('/bug', async () => {
    throw new Error('cannot read /home/app/secret.json');
  });
  let ready = false;
  registerOpsRoutes(app, { registry: createMetricsRegistry('t', { defaultMetrics: false }), readiness: () => (ready ? [] : ['model not loaded']) });

  afterAll(() => app.close());

  it('answers schema failures with a 400 naming the field', async () => {
    const r = await app.inject({ method: 'POST', url: '/echo', payload: { text: 5 } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ error: { code: 'VALIDATION_FAILED', message: 'body.text must be string', field: 'body.text' } });
    const missing = await app.inject({ method: 'POST', url: '/echo', payload: {} });
    expect(missing.json().error.field).toBe('body.text');
  });

  it('maps ValidationError to 400 with its field', async () => {
    const r = await app.inject({ method: 'POST', url: '/domain' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'entities[1]' });
  });

  it('converts numeric and boolean query parameters the route declares, and only those', async () => {
    expect((await app.inject({ url: '/list?limit=5&all=true&q=7' })).json()).toEqual({ limit: 5, all: true, q: '7' });
    const bad = await app.inject({ url: '/list?limit=x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('querystring.limit');
    expect((await app.inject({ url: '/list?limit=500' })).statusCode).toBe(400);
  });

  it('never sends SQL, stacks or paths in a 5xx body; the request id points to the log', async () => {
    for (const url of ['/db-down', '/bug']) {
      const r = await app.inject({ url });
      expect(r.statusCode).toBe(url === '/db-down' ? 503 : 500);
      expect(r.body).not.toMatch(/SELECT|token_hash|\/srv\/|\/home\/|\.ts:/);
      expect(r.json().error.message).toMatch(/request req-/);
    }
    expect((await app.inject({ url: '/db-down' })).headers['retry-after']).toBe('5');
  });

  it('answers 429 with Retry-After from the error (whole seconds)', async () => {
    const r = await app.inject({ url: '/busy' });
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('3');
    expect(r.json()).toEqual({ error: { code: 'TOO_MANY_REQUESTS', message: 'the queue is full' } });
  });

  it('sends security headers on every answer', async () => {
    const r = await app.inject({ url: '/healthz' });
    expect(r.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' });
  });

  it('refuses invalid UTF-8 and reserved keys in JSON bodies with a coded 400 (nothing is replaced by U+FFFD)', async () => {
    const bad = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]) });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'INVALID_UTF8']);
    const proto = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"text":"x","__proto__":{"admin":true}}' });
    expect([proto.statusCode, proto.json().error.code]).toEqual([400, 'FORBIDDEN_JSON_KEY']);
    const broken = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"text":' });
    expect([broken.statusCode, broken.json().error.code]).toEqual([400, 'INVALID_JSON']);
  });

  it('takes JSON only: text/plain is a 415', async () => {
    const r = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect([r.statusCode, r.json().error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('refuses bodies over the limit with 413', async () => {
    const r = await app.inject({ method: 'POST', url: '/echo', payload: { text: 'x'.repeat(2000) } });
    expect([r.statusCode, r.json().error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(r.json().error.message).toMatch(/limit of 1000 bytes/);
  });

  it('serves /metrics, /healthz and a /readyz that follows readiness', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    ready = true;
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).headers['content-type']).toMatch(/text\/plain/);
  });
});
