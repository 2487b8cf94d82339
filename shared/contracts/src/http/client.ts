// Clients of the published read APIs, one implementation for every service that calls them (the
// studio, the tagger and the reloader read the registry; the studio reads the reloader). Every
// answer is checked against its schema: a drifted upstream is an error (502), never a guess. A 4xx
// answer keeps its status and code (the request itself was refused); no answer is a 503.
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { PlatformError } from '@zhner/core';
import { ModelList, ModelVersion, RunList, type ModelList as ModelListT, type ModelVersion as ModelVersionT, type TrainingRun } from './registry';
import { ReplicaList, RolloutList, type Replica, type Rollout } from './rollouts';

export class UpstreamError extends PlatformError {
  constructor(status: number, code: string, message: string, opts: { retriable?: boolean; cause?: unknown; service: string; upstreamStatus?: number }) {
    super(code, message, { status, retriable: opts.retriable, cause: opts.cause, context: { service: opts.service, upstreamStatus: opts.upstreamStatus } });
  }
}

const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

/** GET `path` of `base` and check the body against `schema`; undefined for a 404 when `notFound`. */
export async function getContract<T>(service: string, base: string, path: string, schema: TSchema, opts: { timeoutMs: number; notFound?: boolean; token?: string }): Promise<T | undefined> {
  const url = new URL(path, withSlash(base)).toString();
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) }, signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : `unreachable (${(err as Error).message})`;
    throw new UpstreamError(503, 'UPSTREAM_UNAVAILABLE', `${service}: ${url} ${why}`, { retriable: true, cause: err, service });
  }
  if (res.status === 404 && opts.notFound) return undefined;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new UpstreamError(502, 'UPSTREAM_FAILED', `${service}: ${url} answered ${res.status} with a body that is not JSON`, { service, upstreamStatus: res.status });
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const msg = typeof e?.message === 'string' ? e.message : text.slice(0, 300);
    if (res.status >= 400 && res.status < 500) throw new UpstreamError(res.status, typeof e?.code === 'string' ? e.code : 'UPSTREAM_REFUSED', `${service}: ${msg}`, { service, upstreamStatus: res.status });
    throw new UpstreamError(res.status === 503 ? 503 : 502, res.status === 503 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_FAILED', `${service}: ${url} answered ${res.status}: ${msg}`, { service, upstreamStatus: res.status, retriable: res.status === 503 });
  }
  if (!Value.Check(schema, body)) {
    const first = [...Value.Errors(schema, body)][0];
    throw new UpstreamError(502, 'UPSTREAM_FAILED', `${service}: ${url} answered a body outside its published contract (${first ? `${first.path || '/'}: ${first.message}` : 'invalid'})`, { service, upstreamStatus: res.status });
  }
  return body as T;
}

/** The model registry (the trainer-orchestrator's GET /models, /models/:version, /runs). */
export class RegistryClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async models(limit = 100): Promise<ModelListT> {
    return (await getContract<ModelListT>('trainer-orchestrator', this.baseUrl, `models?limit=${limit}`, ModelList, { timeoutMs: this.timeoutMs }))!;
  }

  /** A registered version; undefined when the registry does not know it. */
  model(version: string): Promise<ModelVersionT | undefined> {
    return getContract<ModelVersionT>('trainer-orchestrator', this.baseUrl, `models/${encodeURIComponent(version)}`, ModelVersion, { timeoutMs: this.timeoutMs, notFound: true });
  }

  /** The promoted version, when there is one. */
  async promoted(): Promise<ModelVersionT | undefined> {
    const list = await this.models(1);
    return list.promoted ? this.model(list.promoted) : undefined;
  }

  async runs(limit = 20): Promise<TrainingRun[]> {
    return (await getContract<{ runs: TrainingRun[] }>('trainer-orchestrator', this.baseUrl, `runs?limit=${limit}`, RunList, { timeoutMs: this.timeoutMs }))!.runs;
  }
}

/** The reloader's GET /replicas and /rollouts. */
export class RolloutsClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async replicas(): Promise<Replica[]> {
    return (await getContract<{ replicas: Replica[] }>('reloader', this.baseUrl, 'replicas', ReplicaList, { timeoutMs: this.timeoutMs }))!.replicas;
  }

  async rollouts(limit = 20): Promise<Rollout[]> {
    return (await getContract<{ rollouts: Rollout[] }>('reloader', this.baseUrl, `rollouts?limit=${limit}`, RolloutList, { timeoutMs: this.timeoutMs }))!.rollouts;
  }
}
