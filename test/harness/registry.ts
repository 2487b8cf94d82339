// A stand-in of the model registry's published read API (the trainer-orchestrator's GET /models,
// GET /models/:version) over HTTP, for suites that run taggers or a reloader without an
// orchestrator: they resolve model versions through it, as deployed.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { ModelList, ModelVersion } from '@zhner/contracts';
import { sha256Hex } from '@zhner/core';

export interface RegistryStub {
  /** Base URL to pass as REGISTRY_URL. */
  url: string;
  /** Registers a model directory under its manifest's version (checksum read from the directory). */
  add(dir: string, opts?: { version?: string; status?: ModelVersion['status'] }): ModelVersion;
  promote(version: string): void;
  close(): Promise<void>;
}

export async function startRegistryStub(): Promise<RegistryStub> {
  const models = new Map<string, ModelVersion>();
  const list = (): ModelList => {
    const all = [...models.values()];
    return { promoted: all.find((m) => m.status === 'promoted')?.version ?? null, labelSet: ['LOC', 'ORG', 'PER'], models: all };
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (u.pathname === '/models') return send(200, list());
    if (u.pathname.startsWith('/models/')) {
      const m = models.get(decodeURIComponent(u.pathname.slice('/models/'.length)));
      return m ? send(200, m) : send(404, { error: { code: 'NOT_FOUND', message: 'no such model version' } });
    }
    return send(404, { error: { code: 'NOT_FOUND', message: u.pathname } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    add(dir, opts = {}) {
      const bytes = readFileSync(path.join(dir, 'manifest.json'));
      const manifest = JSON.parse(bytes.toString('utf8')) as { version: string; entity_types?: string[] };
      const m: ModelVersion = {
        version: opts.version ?? manifest.version,
        name: 'zh-ner',
        uri: dir,
        manifestSha256: sha256Hex(bytes),
        parentVersion: null,
        status: opts.status ?? 'registered',
        entityTypes: manifest.entity_types ?? [],
        metrics: { dev: null, holdout: null, extraDev: {}, base: null },
        trainingRunId: null,
        createdAt: new Date().toISOString(),
        promotedAt: null,
      };
      models.set(m.version, m);
      return m;
    },
    promote(version) {
      for (const m of models.values()) if (m.status === 'promoted') m.status = 'retired';
      const m = models.get(version);
      if (m) Object.assign(m, { status: 'promoted', promotedAt: new Date().toISOString() });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
