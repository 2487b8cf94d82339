// HTTP clients of the services the studio calls: the tagger's POST /ner, the orchestrator's
// POST /runs and registry reads (GET /models, /runs), the reloader's POST /rollouts, POST
// /rollouts/:id/rollback and reads (GET /replicas, /rollouts) — bodies checked against the
// published contracts (@zhner/contracts). Failures become the
// studio's errors (src/errors.ts): unreachable or timed out → 503 UPSTREAM_UNAVAILABLE; a 5xx
// answer → 502 UPSTREAM_FAILED carrying the upstream status and message; a 4xx is relayed.
import { RegistryClient, RolloutsClient } from '@zhner/contracts';
import type { PlatformError } from '@zhner/core';
import { upstreamFailed, upstreamRefused } from '../errors';
import type { ModelActions, NerClient, NerResponse, RegistryReader, RolloutReader, TaggedEntity } from '../app/ports';

/**
 * An error answer of a service we call. A 4xx refuses the request itself (a version unknown to the
 * registry, a rollout already rolled back): the caller gets the same status, code and message. A
 * 5xx or an unreadable answer is the dependency failing: 502/503 (details in the log only).
 */
function refusal(service: string, url: string, status: number, body: unknown, text: string): PlatformError {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const msg = typeof e?.message === 'string' ? e.message : text.slice(0, 300);
  if (status >= 400 && status < 500) return upstreamRefused(service, status, typeof e?.code === 'string' ? e.code : undefined, msg);
  return upstreamFailed(service, `${url} answered ${status}: ${msg}`, { status, retriable: status === 503 });
}

async function postJson(service: string, url: string, body: unknown, timeoutMs: number, token?: string, method: 'POST' | 'DELETE' = 'POST'): Promise<unknown> {
  let res: Response;
  const headers: Record<string, string> = { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
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
  if (!res.ok) throw refusal(service, url, res.status, parsed, text);
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

  triggerTraining(_req?: { requestedBy: string; reason?: string }): Promise<unknown> {
    // a manual run takes no parameters (the orchestrator refuses a body): who asked is the studio's log
    return postJson('trainer-orchestrator', new URL('runs', withSlash(this.o.orchestratorUrl)).toString(), {}, this.o.timeoutMs, this.o.orchestratorToken);
  }

  admitType(req: { type: string; by: string; note?: string }): Promise<unknown> {
    return postJson('trainer-orchestrator', new URL('label-set/types', withSlash(this.o.orchestratorUrl)).toString(), { type: req.type, by: req.by, ...(req.note ? { note: req.note } : {}) }, this.o.timeoutMs, this.o.orchestratorToken);
  }

  removeType(req: { type: string; by: string }): Promise<unknown> {
    const url = new URL(`label-set/types/${encodeURIComponent(req.type)}`, withSlash(this.o.orchestratorUrl));
    url.searchParams.set('by', req.by);
    return postJson('trainer-orchestrator', url.toString(), undefined, this.o.timeoutMs, this.o.orchestratorToken, 'DELETE');
  }

  startRollout(req: { modelVersion: string; requestedBy: string }): Promise<unknown> {
    return postJson('reloader', new URL('rollouts', withSlash(this.o.reloaderUrl)).toString(), { modelVersion: req.modelVersion }, this.o.timeoutMs, this.o.reloaderToken);
  }

  rollback(rolloutId: string, req: { requestedBy: string; reason?: string }): Promise<unknown> {
    const reason = `studio: ${req.requestedBy}${req.reason ? `: ${req.reason}` : ''}`.slice(0, 1000);
    return postJson('reloader', new URL(`rollouts/${encodeURIComponent(rolloutId)}/rollback`, withSlash(this.o.reloaderUrl)).toString(), { reason }, this.o.timeoutMs, this.o.reloaderToken);
  }
}

const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

/** The registry's published API (trainer-orchestrator), through the platform's one client. */
export class HttpRegistryReader extends RegistryClient implements RegistryReader {}

/** The reloader's published API. */
export class HttpRolloutReader extends RolloutsClient implements RolloutReader {}
