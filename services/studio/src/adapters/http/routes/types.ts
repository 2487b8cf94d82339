// Entity types: GET /api/types (colours, keys, guidelines of the label set), and the admin's
// POST /api/admin/types (add a type: the registry admits it, annotators are offered it at once),
// PUT /api/admin/types/:type/guideline (a new guideline version), DELETE /api/admin/types/:type.
import { Type } from '@sinclair/typebox';
import { StudioEntityType } from '@zhner/contracts';
import { principalOf, requireRole } from '../auth';
import { bearer, errorRefs } from '../schemas';
import type { StudioDeps, StudioHttpApp } from './deps';

const TypeParam = Type.Object({ type: Type.String({ minLength: 1, maxLength: 32 }) });

export async function typeRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  const admin = requireRole(d.auth, 'admin');

  app.get(
    '/api/types',
    { schema: { tags: ['types'], summary: 'The label set\'s entity types in UI order: colour, shortcut key, current guideline (markdown, versioned)', response: { 200: Type.Object({ types: Type.Array(StudioEntityType) }) } } },
    async () => ({ types: await d.types.list() }),
  );

  app.post(
    '/api/admin/types',
    {
      preHandler: admin,
      schema: {
        tags: ['types'],
        summary: 'Add an entity type (admin): admitted to the registry\'s label set, offered to annotators at once, learned by the next training run',
        security: bearer,
        // the name, colour and key rules are checked by the use case, which answers coded reasons
        body: Type.Object({ type: Type.String({ maxLength: 64 }), colour: Type.String({ maxLength: 32 }), shortcut: Type.Optional(Type.Union([Type.String({ maxLength: 4 }), Type.Null()])), guideline: Type.String({ maxLength: 20_000 }) }, { additionalProperties: false }),
        response: { 201: StudioEntityType, ...errorRefs(400, 401, 403, 409, 502, 503) },
      },
    },
    async (req, reply) => reply.status(201).send(await d.types.add(principalOf(req), req.body)),
  );

  app.put(
    '/api/admin/types/:type/guideline',
    {
      preHandler: admin,
      schema: { tags: ['types'], summary: 'Publish a new guideline version of a type (admin); corrections record the version they were made under', security: bearer, params: TypeParam, body: Type.Object({ guideline: Type.String({ maxLength: 20_000 }) }, { additionalProperties: false }), response: { 200: StudioEntityType, ...errorRefs(400, 401, 403, 404) } },
    },
    async (req) => d.types.setGuideline(principalOf(req), req.params.type, req.body.guideline),
  );

  app.delete(
    '/api/admin/types/:type',
    {
      preHandler: admin,
      schema: {
        tags: ['types'],
        summary: 'Remove a type added in the studio that no promoted model tags (admin)',
        description: 'Stored corrections keep their spans of it; training and scoring leave those spans out from now on, and new corrections with it are refused.',
        security: bearer,
        params: TypeParam,
        querystring: Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) }),
        response: { 204: Type.Null(), ...errorRefs(401, 403, 404, 409, 502, 503) },
      },
    },
    async (req, reply) => {
      await d.types.remove(principalOf(req), req.params.type, req.query.note ?? null);
      return reply.status(204).send(null);
    },
  );
}
