// HTTP clients of the services the studio calls: the tagger's POST /ner, the orchestrator's
// POST /runs and registry reads (GET /models, /runs), the reloader's POST /rollouts, POST
// /rollouts/:id/rollback and reads (GET /replicas, /rollouts) — bodies checked against the
// published contracts (@zhner/contracts). Failures become
// StudioErrors: unreachable or timed out → 503 UPSTREAM_UNAVAILABLE; an error answer → 502
// UPSTREAM_FAILED carrying the upstream status and message.
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  ModelList as ModelListSchema,
  ModelVersion as ModelVersionSchema,
  ReplicaList as ReplicaListSchema,
  RolloutList as RolloutListSchema,
  RunList as RunListSchema,
  type ModelList,
  type ModelVersion,
  type Replica,
  type ReplicaList,
  type Rollout,
  type RolloutList,
  type RunList,
  type TrainingRun,
} from '@zhner/contracts';
import { upstreamFailed } from '../app/errors';
import type { ModelActions, NerClient, NerResponse, RegistryReader, RolloutReader, TaggedEntity } from '../app/ports';

async function postJson(service: string, url: string, body: unknown, timeoutMs: number, token?: string): Promise<unknown> {
  let res: Response;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable (${(err as Error).message})`;
    throw upstreamFailed(service, `${url} ${why}`, { retriable: true, cause: err });
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const msg = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? text.slice(0, 300);
    throw upstreamFailed(service, `${url} answered ${res.status}: ${msg}`, { status: res.status, retriable: res.status === 503 });
  }
  return parsed;
}

const isEntity = (e: unknown): e is TaggedEntity => {
  const o = e as Record<string, unknown>;
  return !!o && typeof o.start === 'number' && typeof o.end === 'number' && typeof o.type === 'string';
};

function entitiesOf(r: unknown, text: string): TaggedEntity[] {
  const list = (r as { entities?: unknown }).entities;
  if (!Array.isArray(list)) return [];
  return list.filter(isEntity).map((e) => ({ start: e.start, end: e.end, type: e.type, text: typeof e.text === 'string' ? e.text : text.slice(e.start, e.end), score: typeof e.score === 'number' ? e.score : 1 }));
}

/**
 * Reads the tagger's answer to `{texts:[...]}`: `{modelVersion, results:[{entities}]}` (also
 * accepted: a bare array of results, or `{entities}` for a single text; modelVersion may sit on
 * each result).
 */
export function parseNerAnswer(body: unknown, texts: string[]): NerResponse {
  const b = body as Record<string, unknown> | unknown[] | undefined;
  const results: unknown[] | undefined = Array.isArray(b) ? b : Array.isArray(b?.results) ? (b!.results as unknown[]) : b && 'entities' in b ? [b] : undefined;
  if (!results) throw upstreamFailed('tagger', 'answer has no results');
  const top = !Array.isArray(b) ? (b?.modelVersion as string | undefined) : undefined;
  const fromResult = (results[0] as { modelVersion?: string } | undefined)?.modelVersion;
  return { modelVersion: top ?? fromResult ?? null, results: results.map((r, i) => ({ entities: entitiesOf(r, texts[i] ?? '') })) };
}

export class HttpNerClient implements NerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async tag(texts: string[]): Promise<NerResponse> {
    const body = await postJson('tagger', new URL('ner', withSlash(this.baseUrl)).toString(), { texts }, this.timeoutMs);
    return parseNerAnswer(body, texts);
  }
}

export interface HttpModelActionsOptions {
  orchestratorUrl: string;
  reloaderUrl: string;
  timeoutMs: number;
  /** The orchestrator's ADMIN_TOKEN, when it has one (sent as a bearer token, never logged). */
  orchestratorToken?: string;
  /** The reloader's ADMIN_TOKEN, when it has one. */
  reloaderToken?: string;
}

/** The orchestrator's and reloader's HTTP APIs (bodies exactly as their route schemas allow). */
export class HttpModelActions implements ModelActions {
  constructor(private readonly o: HttpModelActionsOptions) {}

  triggerTraining(req: { requestedBy: string; reason?: string }): Promise<unknown> {
    return postJson('trainer-orchestrator', new URL('runs', withSlash(this.o.orchestratorUrl)).toString(), { requestedBy: req.requestedBy, reason: req.reason ?? null }, this.o.timeoutMs, this.o.orchestratorToken);
  }

  startRollout(req: { modelVersion: string; modelUri: string; manifestSha256: string | null; requestedBy: string }): Promise<unknown> {
    return postJson(
      'reloader',
      new URL('rollouts', withSlash(this.o.reloaderUrl)).toString(),
      { modelVersion: req.modelVersion, modelUri: req.modelUri, manifestSha256: req.manifestSha256 && /^[0-9a-f]{64}$/.test(req.manifestSha256) ? req.manifestSha256 : null },
      this.o.timeoutMs,
      this.o.reloaderToken,
    );
  }

  rollback(rolloutId: string, req: { requestedBy: string; reason?: string }): Promise<unknown> {
    const reason = `studio: ${req.requestedBy}${req.reason ? `: ${req.reason}` : ''}`.slice(0, 1000);
    return postJson('reloader', new URL(`rollouts/${encodeURIComponent(rolloutId)}/rollback`, withSlash(this.o.reloaderUrl)).toString(), { reason }, this.o.timeoutMs, this.o.reloaderToken);
  }
}

const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

async function getJson<T>(service: string, url: string, schema: TSchema, timeoutMs: number, opts: { notFound?: boolean } = {}): Promise<T | undefined> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable (${(err as Error).message})`;
    throw upstreamFailed(service, `${url} ${why}`, { retriable: true, cause: err });
  }
  if (res.status === 404 && opts.notFound) return undefined;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw upstreamFailed(service, `${url} answered ${res.status} with a body that is not JSON`, { status: res.status });
  }
  if (!res.ok) {
    const msg = (body as { error?: { message?: string } } | undefined)?.error?.message ?? text.slice(0, 300);
    throw upstreamFailed(service, `${url} answered ${res.status}: ${msg}`, { status: res.status, retriable: res.status === 503 });
  }
  // what enters is checked against the published contract: a drifted upstream is an error, not a guess
  if (!Value.Check(schema, body)) {
    const first = [...Value.Errors(schema, body)][0];
    throw upstreamFailed(service, `${url} answered a body outside its published contract (${first ? `${first.path || '/'}: ${first.message}` : 'invalid'})`, { status: 502 });
  }
  return body as T;
}

/** The registry's published API (trainer-orchestrator). */
export class HttpRegistryReader implements RegistryReader {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async models(limit: number): Promise<ModelList> {
    return (await getJson<ModelList>('trainer-orchestrator', new URL(`models?limit=${limit}`, withSlash(this.baseUrl)).toString(), ModelListSchema, this.timeoutMs))!;
  }

  model(version: string): Promise<ModelVersion | undefined> {
    return getJson<ModelVersion>('trainer-orchestrator', new URL(`models/${encodeURIComponent(version)}`, withSlash(this.baseUrl)).toString(), ModelVersionSchema, this.timeoutMs, { notFound: true });
  }

  async runs(limit: number): Promise<TrainingRun[]> {
    return (await getJson<RunList>('trainer-orchestrator', new URL(`runs?limit=${limit}`, withSlash(this.baseUrl)).toString(), RunListSchema, this.timeoutMs))!.runs;
  }
}

/** The reloader's published API. */
export class HttpRolloutReader implements RolloutReader {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async replicas(): Promise<Replica[]> {
    return (await getJson<ReplicaList>('reloader', new URL('replicas', withSlash(this.baseUrl)).toString(), ReplicaListSchema, this.timeoutMs))!.replicas;
  }

  async rollouts(limit: number): Promise<Rollout[]> {
    return (await getJson<RolloutList>('reloader', new URL(`rollouts?limit=${limit}`, withSlash(this.baseUrl)).toString(), RolloutListSchema, this.timeoutMs))!.rollouts;
  }
}
