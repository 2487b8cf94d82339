// Admin quality work: conflicting corrections side by side, adjudication, spot checks.
import { Type } from '@sinclair/typebox';
import { ConflictItem } from '@zhner/contracts';
import { principalOf, requireRole } from '../auth';
import { parseLimit } from './queue';
import { Correction, GoldEntity, Nullable, SpanIn, StoredCorrection, bearer, errorRefs } from '../schemas';
import type { StudioDeps, StudioHttpApp } from './deps';

const Adjudication = Type.Object({
  adjudicationId: Type.String(),
  textHash: Type.String(),
  docId: Type.String(),
  text: Type.String(),
  entities: Type.Array(GoldEntity),
  chosenCorrectionId: Nullable(Type.String()),
  adjudicatorId: Type.String(),
  createdAt: Type.Number(),
});

export async function adjudicationRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  const admin = requireRole(d.auth, 'admin');

  app.get(
    '/api/adjudication/conflicts',
    {
      preHandler: admin,
      schema: {
        tags: ['adjudication'],
        summary: 'Texts whose current corrections disagree (latest revision per annotator), with a majority merge proposal',
        security: bearer,
        querystring: Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]+$' })) }),
        response: {
          200: Type.Object({
            items: Type.Array(ConflictItem),
          }),
          ...errorRefs(401, 403),
        },
      },
    },
    async (req) => ({ items: await d.adjudication.conflicts(parseLimit(req.query.limit, 20, 100)) }),
  );

  app.post(
    '/api/adjudications',
    {
      preHandler: admin,
      schema: {
        tags: ['adjudication'],
        summary: "Resolve a text's corrections: pick one (chosenCorrectionId) or give merged entities. Publishes an ADJUDICATION correction.",
        security: bearer,
        body: Type.Object(
          { textHash: Type.String({ minLength: 1 }), chosenCorrectionId: Type.Optional(Type.String()), entities: Type.Optional(Type.Array(SpanIn)), revision: Type.Optional(Type.Integer({ minimum: 0 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ adjudication: Adjudication, correction: Type.Ref(Correction), duplicate: Type.Boolean() }),
          201: Type.Object({ adjudication: Adjudication, correction: Type.Ref(Correction), duplicate: Type.Boolean() }),
          ...errorRefs(400, 401, 403, 404, 409),
        },
      },
    },
    async (req, reply) => {
      const r = await d.adjudication.adjudicate(principalOf(req), req.body);
      return reply.status(r.duplicate ? 200 : 201).send(r);
    },
  );

  app.get(
    '/api/adjudication/spot-checks',
    {
      preHandler: admin,
      schema: {
        tags: ['adjudication'],
        summary: "A sample of an annotator's recent corrections to check by hand (mode=unreviewed: every one not yet checked, oldest first; mode=required: those the routing sent to review (their first REVIEW_FIRST, then REVIEW_SHARE) not yet checked)",
        security: bearer,
        querystring: Type.Object({
          annotator: Type.String({ minLength: 1 }),
          size: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'default 10, at most 200' })),
          days: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'look-back in days, default 14' })),
          mode: Type.Optional(Type.Union([Type.Literal('sample'), Type.Literal('unreviewed'), Type.Literal('required')])),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ correction: StoredCorrection, verdict: Nullable(Type.String()) })) }), ...errorRefs(400, 401, 403) },
      },
    },
    async (req) => ({
      items: await d.adjudication.spotCheckSample(req.query.annotator, {
        size: parseLimit(req.query.size, 10, 200),
        days: parseLimit(req.query.days, 14, 3650),
        mode: req.query.mode ?? 'sample',
      }),
    }),
  );

  app.post(
    '/api/adjudication/spot-checks',
    {
      preHandler: admin,
      schema: {
        tags: ['adjudication'],
        summary: 'Record a spot-check verdict on a correction',
        security: bearer,
        body: Type.Object({ correctionId: Type.String({ minLength: 1 }), verdict: Type.Union([Type.Literal('ok'), Type.Literal('wrong')]), note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ recorded: Type.Boolean() }), ...errorRefs(400, 401, 403, 404) },
      },
    },
    async (req) => {
      await d.adjudication.recordSpotCheck(principalOf(req), req.body.correctionId, req.body.verdict, req.body.note ?? null);
      return { recorded: true };
    },
  );
}
