// GET /api/admin/audit (admin): the audit log, newest first, filtered by actor, action, subject and
// time; the training runs and rollouts of the orchestrator and the reloader are merged in from their
// published APIs (`unavailable` names one that did not answer).
import { Type } from '@sinclair/typebox';
import { AUDIT_ACTIONS } from '../../../domain/audit';
import { requireRole } from '../auth';
import { bearer, errorRefs } from '../schemas';
import type { StudioDeps, StudioHttpApp } from './deps';

const Entry = Type.Object({
  seq: Type.Union([Type.Integer(), Type.Null()], { description: "position in the studio's log; null for a run or rollout read from its owner" }),
  at: Type.Number({ description: 'epoch ms' }),
  actor: Type.String(),
  action: Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a))),
  subject: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
});

export async function auditRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  app.get(
    '/api/admin/audit',
    {
      preHandler: requireRole(d.auth, 'admin'),
      schema: {
        tags: ['audit'],
        summary: 'The audit log (admin): claims, submissions, skips, releases, adjudications, spot checks, token and type changes, imports, training runs, rollouts and rollbacks',
        security: bearer,
        querystring: Type.Object({
          actor: Type.Optional(Type.String({ maxLength: 200 })),
          action: Type.Optional(Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a)))),
          subject: Type.Optional(Type.String({ maxLength: 300 })),
          since: Type.Optional(Type.Number({ description: 'epoch ms, inclusive' })),
          until: Type.Optional(Type.Number({ description: 'epoch ms, exclusive' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
        }),
        response: { 200: Type.Object({ entries: Type.Array(Entry), unavailable: Type.Array(Type.String()) }), ...errorRefs(400, 401, 403) },
      },
    },
    async (req) => d.audit.list({ ...req.query, limit: req.query.limit ?? 200 }),
  );
}
