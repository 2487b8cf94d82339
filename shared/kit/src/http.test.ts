import { Type } from '@sinclair/typebox';
import { createHttpApp, registerOpsRoutes } from './http';
import { createLogger } from './logger';
import { createMetricsRegistry } from './metrics';
import { ValidationError } from '@zhner/core';

describe('createHttpApp', () => {
  const app = createHttpApp({ logger: createLogger('t', { level: 'silent' }), bodyLimit: 1000 });
  app.post('/echo', { schema: { body: Type.Object({ text: Type.String({ minLength: 1 }) }) } }, async (req) => ({ text: req.body.text }));
  app.post('/domain', async () => {
    throw new ValidationError('entities[1]: overlaps', { field: 'entities[1]' });
  });
  app.get('/list', { schema: { querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })), all: Type.Optional(Type.Boolean()), q: Type.Optional(Type.String()) }) } }, async (req) => req.query);
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

  it('refuses bodies over the limit with 413', async () => {
    const r = await app.inject({ method: 'POST', url: '/echo', payload: { text: 'x'.repeat(2000) } });
    expect(r.statusCode).toBe(413);
  });

  it('serves /metrics, /healthz and a /readyz that follows readiness', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    ready = true;
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).headers['content-type']).toMatch(/text\/plain/);
  });
});
