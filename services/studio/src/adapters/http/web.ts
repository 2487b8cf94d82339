// Serves the built web bundle (services/studio/web/dist, built by `npm run studio:build`). The
// page is served with a strict Content-Security-Policy (no inline script, no foreign origins); when
// the bundle is missing, `/` answers 503 with the command that builds it. Asset URLs and API calls
// in the bundle are relative, so it also works when the studio is mounted under a path prefix.
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { StudioHttpApp } from './routes/deps';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const MISSING = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zh-NER studio: web bundle missing</title>
<style>body{background:#0b0f1a;color:#e6f1ff;font:16px/1.5 system-ui,sans-serif;padding:3rem}code{color:#00e5ff}</style></head>
<body><h1>The studio's web bundle is not built</h1>
<p>Run <code>npm run studio:build</code> in the repository, then reload this page.</p>
<p>The API is up: <a style="color:#ff2bd6" href="api/docs">api/docs</a>.</p></body></html>`;

export async function webRoutes(app: StudioHttpApp, opts: { webDir: string }): Promise<void> {
  const index = path.join(opts.webDir, 'index.html');
  await app.register(fastifyStatic, {
    root: opts.webDir,
    prefix: '/',
    index: false,
    wildcard: true,
    decorateReply: true,
    cacheControl: false,
    setHeaders(res, file) {
      res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (file.endsWith('.html')) res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    },
  });
  const sendIndex = async (_req: unknown, reply: FastifyReply) => {
    if (!existsSync(index)) return reply.status(503).header('content-type', 'text/html; charset=utf-8').header('retry-after', '30').send(MISSING);
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  };
  app.get('/', { schema: { hide: true } }, sendIndex);
  app.get('/index.html', { schema: { hide: true } }, sendIndex);
}
