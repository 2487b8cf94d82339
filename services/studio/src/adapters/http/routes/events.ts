// GET /api/events: server-sent events for the pages — `queue` (depth by status) and `rollouts`
// (rollouts and replicas), each sent on connect and whenever it changes; a comment line keeps
// idle connections open through proxies.
import type { ServerResponse } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { StudioDeps, StudioHttpApp } from './deps';

export interface EventStreams {
  /** Ends every open stream (before the server closes). */
  closeAll(): void;
}

export async function eventRoutes(app: StudioHttpApp, d: StudioDeps, opts: { heartbeatMs?: number } = {}): Promise<EventStreams> {
  const open = new Set<ServerResponse>();
  app.get(
    '/api/events',
    {
      schema: {
        tags: ['live'],
        summary: 'Server-sent events: `queue` {depth} and `rollouts` {rollouts, replicas}, on connect and on change',
        response: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } } },
      },
    },
    async (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write('retry: 3000\n\n');
      open.add(res);
      d.metrics.sseClients.inc();
      let unsubscribe: (() => void) | undefined;
      const ping = setInterval(() => res.write(': ping\n\n'), opts.heartbeatMs ?? 15_000);
      let closed = false;
      const cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(ping);
        unsubscribe?.();
        open.delete(res);
        d.metrics.sseClients.dec();
      };
      req.raw.on('close', cleanup);
      res.on('close', cleanup);
      unsubscribe = await d.live.subscribe((channel, data) => {
        if (!res.writableEnded) res.write(`event: ${channel}\ndata: ${JSON.stringify(data)}\n\n`);
      });
      if (closed) unsubscribe();
    },
  );
  return {
    closeAll() {
      for (const res of open) res.end();
      open.clear();
    },
  };
}
