// POST /api/corrections: validated, stored and published (outbox) in one transaction; idempotent
// on (candidate id, annotator, revision).
import { Type } from '@sinclair/typebox';
import { errors } from '../../../errors';
import { principalOf, requireRole } from '../auth';
import { parseLimit } from './queue';
import { ClaimedItem, Correction, Nullable, SpanIn, StoredCorrection, bearer, errorRefs } from '../schemas';
import type { StudioDeps, StudioHttpApp } from './deps';

export const SubmitBody = Type.Object(
  {
    candidateId: Type.String({ minLength: 1, maxLength: 512 }),
    revision: Type.Optional(Type.Integer({ minimum: 0, description: 'default 0; a revision of your own earlier correction needs the next number (GET it from the claim)' })),
    entities: Type.Optional(Type.Array(SpanIn, { maxItems: 2000, description: 'gold spans (UTF-16 offsets)' })),
    tags: Type.Optional(Type.Array(Type.String(), { maxItems: 100_000, description: 'BIO tags: one per character of the text, or per token with `tokens`' })),
    tokens: Type.Optional(Type.Array(Type.String(), { maxItems: 100_000, description: 'tokens concatenating to the text (with tags)' })),
    claimNext: Type.Optional(Type.Boolean({ description: 'also claim the next item and return it as `next`' })),
  },
  { additionalProperties: false },
);

export async function correctionRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  const annotator = requireRole(d.auth, 'annotator');

  app.post(
    '/api/corrections',
    {
      preHandler: annotator,
      schema: {
        tags: ['corrections'],
        summary: 'Submit a correction of a claimed item (spans or BIO tags). 201 when stored, 200 when it repeats an earlier identical request.',
        description:
          'Rules (400, code = rule, field = offending span or tag, nothing stored): SPAN_NOT_INTEGER, SPAN_OUT_OF_RANGE, SPAN_EMPTY (start >= end), SPLITS_CHARACTER, SURFACE_MISMATCH (text ≠ slice), UNKNOWN_TYPE (not in the label set), SPAN_OVERLAP, BIO_INVALID (I- without B-, type mismatch, malformed tag), TAGS_LENGTH, TOKENS_MISMATCH, INPUT_FORM. ' +
          '409: NOT_CLAIMED, CLAIMED_BY_OTHER, IDEMPOTENCY_CONFLICT (same revision, other entities).',
        security: bearer,
        body: SubmitBody,
        response: {
          200: Type.Object({ correction: Type.Ref(Correction), duplicate: Type.Boolean(), candidateStatus: Nullable(Type.String()), next: Nullable(ClaimedItem) }),
          201: Type.Object({ correction: Type.Ref(Correction), duplicate: Type.Boolean(), candidateStatus: Nullable(Type.String()), next: Nullable(ClaimedItem) }),
          ...errorRefs(400, 401, 404, 409),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const { claimNext, ...input } = req.body;
      const r = await d.corrections.submit(p, input);
      const next = claimNext ? ((await d.queue.claimNext(p)) ?? null) : null;
      return reply.status(r.duplicate ? 200 : 201).send({ correction: r.correction, duplicate: r.duplicate, candidateStatus: r.candidateStatus ?? null, next });
    },
  );

  app.get(
    '/api/corrections',
    {
      preHandler: annotator,
      schema: {
        tags: ['corrections'],
        summary: 'Recent corrections, newest first (optionally of one annotator)',
        security: bearer,
        querystring: Type.Object({ annotator: Type.Optional(Type.String()), limit: Type.Optional(Type.String({ pattern: '^[0-9]+$' })) }),
        response: { 200: Type.Object({ items: Type.Array(StoredCorrection) }), ...errorRefs(400, 401) },
      },
    },
    async (req) => ({ items: await d.correctionStore.recent({ annotatorId: req.query.annotator, limit: parseLimit(req.query.limit, 50, 500) }) }),
  );

  app.get(
    '/api/corrections/:correctionId',
    {
      preHandler: annotator,
      schema: { tags: ['corrections'], summary: 'One correction', security: bearer, params: Type.Object({ correctionId: Type.String() }), response: { 200: StoredCorrection, ...errorRefs(401, 404) } },
    },
    async (req) => {
      const c = await d.correctionStore.get(req.params.correctionId);
      if (!c) throw errors.create('CORRECTION_NOT_FOUND', { id: req.params.correctionId });
      return c;
    },
  );
}
