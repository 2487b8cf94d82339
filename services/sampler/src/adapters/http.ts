// The sampler's HTTP surface: ops routes and a minimal read API over the review queue (the studio
// reads the table directly).
import { Type, type Static } from '@sinclair/typebox';
import { createHttpApp, registerOpsRoutes, type HttpApp, type Logger, type Registry } from '@zhner/kit';
import { CANDIDATE_STATUSES, type SamplerRepository } from '../app/ports';

const QueueQuery = Type.Object(
  {
    status: Type.Union(CANDIDATE_STATUSES.map((s) => Type.Literal(s)), { default: 'open' }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

const QueueItem = Type.Object({
  candidateId: Type.String(),
  docId: Type.String(),
  source: Type.String(),
  text: Type.String(),
  modelVersion: Type.String(),
  strategy: Type.String(),
  score: Type.Number(),
  priority: Type.Number(),
  cluster: Type.Union([Type.Integer(), Type.Null()]),
  novelty: Type.Union([Type.Number(), Type.Null()]),
  status: Type.Union(CANDIDATE_STATUSES.map((s) => Type.Literal(s))),
  createdAt: Type.String({ format: 'date-time' }),
});

const QueueResponse = Type.Object({
  status: Type.String(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  items: Type.Array(QueueItem),
});

const ErrorResponse = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }) });

export interface SamplerHttpOptions {
  logger: Logger;
  registry: Registry;
  repo: SamplerRepository;
  readiness: () => Promise<string[]>;
  info: () => Record<string, unknown>;
}

/** Builds (does not start) the app: /healthz, /readyz, /metrics, GET /queue. */
export function buildSamplerApp(opts: SamplerHttpOptions): HttpApp {
  const app = createHttpApp({ logger: opts.logger });
  // createHttpApp's typed instance differs from the default FastifyInstance only in provider/logger generics
  registerOpsRoutes(app as unknown as HttpApp, { registry: opts.registry, readiness: opts.readiness, info: opts.info });
  // numbers arrive as strings in a query string; coerce them for this route only
  app.get(
    '/queue',
    {
      schema: { querystring: QueueQuery, response: { 200: QueueResponse, 400: ErrorResponse } },
      preValidation: async (req) => {
        const q = req.query as Record<string, unknown>;
        for (const k of ['limit', 'offset']) if (typeof q[k] === 'string' && /^-?\d+$/.test(q[k] as string)) q[k] = Number(q[k]);
      },
    },
    async (req): Promise<Static<typeof QueueResponse>> => {
      const { status, limit, offset } = req.query;
      return { status, limit, offset, items: await opts.repo.listQueue(status, limit, offset) };
    },
  );
  return app as unknown as HttpApp;
}
