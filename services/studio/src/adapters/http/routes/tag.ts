// POST /api/ner: the Tag page's proxy to the tagger (HTTP or in-process).
import { Type } from '@sinclair/typebox';
import { MAX_TAG_TEXTS } from '../../../app/tagging';
import { errors } from '../../../errors';
import { Nullable, PredictedEntity, errorRefs } from '../schemas';
import type { StudioDeps, StudioHttpApp } from './deps';

export async function tagRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  app.post(
    '/api/ner',
    {
      schema: {
        tags: ['tag'],
        summary: "Tag texts with the serving model (the tagger's POST /ner)",
        body: Type.Object({ text: Type.Optional(Type.String()), texts: Type.Optional(Type.Array(Type.String(), { maxItems: MAX_TAG_TEXTS })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ modelVersion: Nullable(Type.String()), results: Type.Array(Type.Object({ text: Type.String(), entities: Type.Array(PredictedEntity) })) }),
          ...errorRefs(400, 502, 503),
        },
      },
    },
    async (req) => {
      const { text, texts } = req.body;
      if ((text === undefined) === (texts === undefined)) throw errors.create('TAG_TEXT_OR_TEXTS', { field: 'text' });
      const input = texts ?? [text!];
      const res = await d.tagger.tag(input);
      return { modelVersion: res.modelVersion, results: res.results.map((r, i) => ({ text: input[i], entities: r.entities })) };
    },
  );
}
