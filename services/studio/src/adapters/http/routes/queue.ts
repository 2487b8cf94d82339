// The review queue: list by priority, claim (next or chosen), skip, release.
import { Type } from '@sinclair/typebox';
import { CANDIDATE_STATUSES, type CandidateStatus } from '../../../app/ports';
import { errors } from '../../../errors';
import { principalOf, requireReader, requireRole } from '../auth';
import { Candidate, ClaimedItem, Depth, Nullable, bearer, errorRefs } from '../schemas';
import type { StudioDeps, StudioHttpApp } from './deps';

const IdParams = Type.Object({ candidateId: Type.String({ minLength: 1, maxLength: 512 }) });

/** Parses `?limit=` (querystrings are not coerced by the platform's ajv settings). */
export function parseLimit(raw: string | undefined, def: number, max: number): number {
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw errors.create('LIMIT_INVALID', { field: 'querystring.limit', limit: raw });
  return Math.min(Number(raw), max);
}

export async function queueRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  const annotator = requireRole(d.auth, 'annotator');
  const reader = requireReader(d.auth, d.publicReads);

  app.get(
    '/api/queue',
    {
      preHandler: reader,
      schema: {
        tags: ['queue'],
        summary: 'Queue depth by status and the items, highest priority first (a token is needed unless STUDIO_PUBLIC_READS)',
        security: bearer,
        querystring: Type.Object({
          status: Type.Optional(Type.String({ description: `comma-separated statuses (${CANDIDATE_STATUSES.join(', ')}); default open,claimed` })),
          limit: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'default 50, at most 500' })),
        }),
        response: { 200: Type.Object({ depth: Depth, items: Type.Array(Type.Ref(Candidate)) }), ...errorRefs(400, 401) },
      },
    },
    async (req) => {
      const statuses = (req.query.status ?? 'open,claimed').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = statuses.find((s) => !(CANDIDATE_STATUSES as readonly string[]).includes(s));
      if (bad) throw errors.create('STATUS_INVALID', { field: 'querystring.status', status: bad, allowed: CANDIDATE_STATUSES });
      const [depth, items] = await Promise.all([d.queue.depth(), d.queue.list(statuses as CandidateStatus[], parseLimit(req.query.limit, 50, 500))]);
      return { depth, items };
    },
  );

  app.get(
    '/api/queue/:candidateId',
    { preHandler: reader, schema: { tags: ['queue'], summary: 'One queue item', security: bearer, params: IdParams, response: { 200: Type.Ref(Candidate), ...errorRefs(401, 404) } } },
    async (req) => d.queue.get(req.params.candidateId),
  );

  app.post(
    '/api/queue/claim',
    {
      preHandler: annotator,
      schema: {
        tags: ['queue'],
        summary: 'Claim the next item (highest priority first); returns the item already held, if any. item is null when the queue is empty.',
        security: bearer,
        response: { 200: Type.Object({ item: Nullable(ClaimedItem) }), ...errorRefs(401) },
      },
    },
    async (req) => ({ item: (await d.queue.claimNext(principalOf(req))) ?? null }),
  );

  app.post(
    '/api/queue/:candidateId/claim',
    {
      preHandler: annotator,
      schema: { tags: ['queue'], summary: 'Claim a chosen item (409 while another annotator holds it)', security: bearer, params: IdParams, response: { 200: ClaimedItem, ...errorRefs(401, 404, 409) } },
    },
    async (req) => d.queue.claim(req.params.candidateId, principalOf(req)),
  );

  app.post(
    '/api/queue/:candidateId/skip',
    {
      preHandler: annotator,
      schema: {
        tags: ['queue'],
        summary: 'Skip a held item; with claimNext the next item is claimed in the same call',
        security: bearer,
        params: IdParams,
        body: Type.Optional(Type.Object({ claimNext: Type.Optional(Type.Boolean()) })),
        response: { 200: Type.Object({ next: Nullable(ClaimedItem) }), ...errorRefs(401, 404, 409) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await d.queue.skip(req.params.candidateId, p);
      return { next: (req.body as { claimNext?: boolean } | undefined)?.claimNext ? ((await d.queue.claimNext(p)) ?? null) : null };
    },
  );

  app.post(
    '/api/queue/:candidateId/release',
    {
      preHandler: annotator,
      schema: { tags: ['queue'], summary: 'Give a held item back to the queue', security: bearer, params: IdParams, response: { 200: Type.Object({ released: Type.Boolean() }), ...errorRefs(401, 404, 409) } },
    },
    async (req) => {
      await d.queue.release(req.params.candidateId, principalOf(req));
      return { released: true };
    },
  );
}
