// The Annotators page: counts, agreement with adjudicated results, points.
import { Type } from '@sinclair/typebox';
import { POINTS } from '../../../domain/quality';
import { AnnotatorStats } from '@zhner/contracts';
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
}
