// HTTP clients of the services the studio calls: the tagger's POST /ner, the orchestrator's
// POST /runs, the reloader's POST /rollouts and POST /rollouts/:id/rollback. Failures become
// StudioErrors: unreachable or timed out → 503 UPSTREAM_UNAVAILABLE; an error answer → 502
// UPSTREAM_FAILED carrying the upstream status and message.
import { upstreamFailed } from '../app/errors';
import type { ModelActions, NerClient, NerResponse, TaggedEntity } from '../app/ports';

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
