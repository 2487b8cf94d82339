// GET /api/config (labels and settings the pages need) and GET /api/me (who a token belongs to).
import { StudioConfig } from '@zhner/contracts';
import { requireRole, principalOf } from '../auth';
import { Principal, bearer, errorRefs } from '../schemas';
import type { StudioDeps, StudioHttpApp } from './deps';

export async function sessionRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  app.get(
    '/api/config',
    {
      schema: {
        tags: ['session'],
        summary: 'Label set (in UI order: colours and shortcuts 1..9 follow it) and queue settings',
        response: {
          200: StudioConfig,
        },
      },
    },
    async () => {
      const [l, types] = await Promise.all([d.labels.current(), d.types.list()]);
      return { labels: l.labels, types, labelSource: l.source, claimTtlMs: d.settings.claimTtlMs, annotationsPerItem: d.settings.annotationsPerItem };
    },
  );

  app.get(
    '/api/me',
    { preHandler: requireRole(d.auth, 'annotator'), schema: { tags: ['session'], summary: 'The annotator a bearer token belongs to', security: bearer, response: { 200: Principal, ...errorRefs(401) } } },
    async (req) => principalOf(req),
  );
}
