// The Annotators page: counts, agreement with adjudicated results, points.
import { Type } from '@sinclair/typebox';
import { POINTS } from '../../../domain/quality';
import { AnnotatorStats } from '@zhner/contracts';
import type { StudioDeps, StudioHttpApp } from './deps';

export async function annotatorRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  app.get(
    '/api/annotators',
    {
      schema: {
        tags: ['annotators'],
        summary: `Per-annotator counts, agreement with adjudicated results and points (+${POINTS.correction} per corrected item, +${POINTS.agreedWithAdjudication} per exact agreement with an adjudication, +${POINTS.spotCheckOk}/${POINTS.spotCheckWrong} per spot check passed/failed)`,
        response: {
          200: Type.Object({
            items: Type.Array(AnnotatorStats),
          }),
        },
      },
    },
    async () => ({ items: await d.dashboard.annotators() }),
  );
}
