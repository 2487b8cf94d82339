// The Annotators page: counts, agreement with adjudicated results, points.
import { Type } from '@sinclair/typebox';
import { POINTS } from '../../../domain/quality';
import { AnnotatorStats, PairAgreement } from '@zhner/contracts';
import { agreementCsv } from '../../../domain/agreement';
import { requireReader } from '../auth';
import { bearer, errorRefs } from '../schemas';
import type { StudioDeps, StudioHttpApp } from './deps';

export async function annotatorRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  app.get(
    '/api/annotators',
    {
      // people and their figures: a token is needed unless STUDIO_PUBLIC_READS
      preHandler: requireReader(d.auth, d.publicReads),
      schema: {
        tags: ['annotators'],
        security: bearer,
        summary: `Per-annotator counts, agreement with adjudicated results and points (+${POINTS.correction} per corrected item, +${POINTS.agreedWithAdjudication} per exact agreement with an adjudication, +${POINTS.spotCheckOk}/${POINTS.spotCheckWrong} per spot check passed/failed)`,
        response: {
          200: Type.Object({
            items: Type.Array(AnnotatorStats),
          }),
          ...errorRefs(401),
        },
      },
    },
    async () => ({ items: await d.dashboard.annotators() }),
  );

  const agreementSummary =
    "Pairwise inter-annotator agreement on the texts both corrected (latest revision each): exact-span F1, partial-overlap F1, Cohen's κ and Krippendorff's α on character labels, overall and per type";
  app.get(
    '/api/annotators/agreement',
    {
      preHandler: requireReader(d.auth, d.publicReads),
      schema: { tags: ['annotators'], security: bearer, summary: agreementSummary, response: { 200: Type.Object({ pairs: Type.Array(PairAgreement) }), ...errorRefs(401) } },
    },
    async () => ({ pairs: await d.dashboard.agreement() }),
  );

  app.get(
    '/api/annotators/agreement.csv',
    {
      preHandler: requireReader(d.auth, d.publicReads),
      // no 200 schema: the body is CSV text, one row per pair and type (`*` = all types)
      schema: { tags: ['annotators'], security: bearer, summary: `${agreementSummary}, as CSV` },
    },
    async (_req, reply) =>
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="agreement.csv"').send(agreementCsv(await d.dashboard.agreement())),
  );
}
