import { createAdminGuard, bearerToken, secretsEqual } from './admin';
import { createHttpApp } from './http';
import { createLogger } from './logger';

const logger = createLogger('t', { level: 'silent' });

function appWith(opts: { adminToken?: string; insecureOpenAdmin: boolean }) {
  const app = createHttpApp({ logger });
  app.post('/admin/x', { onRequest: createAdminGuard({ ...opts, logger, service: 'test' }) }, async () => ({ ok: true }));
  return app;
}

describe('admin guard', () => {
  it('is closed without ADMIN_TOKEN (secure by default)', async () => {
    const r = await appWith({ insecureOpenAdmin: false }).inject({ method: 'POST', url: '/admin/x' });
    expect([r.statusCode, r.json().error.code]).toEqual([401, 'ADMIN_DISABLED']);
  });

  it('accepts exactly "Bearer <token>" (scheme in any case), nothing else', async () => {
    const app = appWith({ adminToken: 's3cret', insecureOpenAdmin: false });
    const call = (authorization?: string) => app.inject({ method: 'POST', url: '/admin/x', headers: authorization ? { authorization } : {} });
    expect((await call('Bearer s3cret')).statusCode).toBe(200);
    expect((await call('bearer s3cret')).statusCode).toBe(200);
    for (const h of [undefined, 'Bearer s3cret ', 'Bearer s3cre', 'Bearer s3cret x', 'Basic s3cret', 's3cret']) expect({ h, status: (await call(h)).statusCode }).toEqual({ h, status: 401 });
  });

  it('opens only when the operator says so explicitly', async () => {
    expect((await appWith({ insecureOpenAdmin: true }).inject({ method: 'POST', url: '/admin/x' })).statusCode).toBe(200);
  });

  it('compares secrets in constant time whatever their lengths', () => {
    expect(secretsEqual('a', 'a')).toBe(true);
    expect(secretsEqual('a', 'ab')).toBe(false);
    expect(bearerToken('Bearer  x')).toBeUndefined();
  });
});
