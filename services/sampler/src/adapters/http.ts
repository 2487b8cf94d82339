// The sampler's HTTP surface: ops routes and its published read API, GET /selections (what it
// selected for review; the review queue itself is the studio's).
import { Type } from '@sinclair/typebox';
import { ErrorBody, SELECTION_STATES, SelectionList, type SelectionList as SelectionListT } from '@zhner/contracts';
import { createHttpApp, registerOpsRoutes, type HttpApp, type Logger, type Registry } from '@zhner/kit';
import type { SamplerRepository } from '../app/ports';

const SelectionsQuery = Type.Object(
  {
    state: Type.Union(SELECTION_STATES.map((s) => Type.Literal(s)), { default: 'selected' }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

export interface SamplerHttpOptions {
  logger: Logger;
  registry: Registry;
  repo: SamplerRepository;
  readiness: () => Promise<string[]>;
  info: () => Record<string, unknown>;
}

/** Builds (does not start) the app: /healthz, /readyz, /metrics, GET /selections. */
export function buildSamplerApp(opts: SamplerHttpOptions): HttpApp {
  const app = createHttpApp({ logger: opts.logger });
  // createHttpApp's typed instance differs from the default FastifyInstance only in provider/logger generics
  registerOpsRoutes(app as unknown as HttpApp, { registry: opts.registry, readiness: opts.readiness, info: opts.info });
  // numbers arrive as strings in a query string; coerce them for this route only
  app.get(
    '/selections',
    {
      schema: { querystring: SelectionsQuery, response: { 200: SelectionList, 400: ErrorBody } },
      preValidation: async (req) => {
        const q = req.query as Record<string, unknown>;
        for (const k of ['limit', 'offset']) if (typeof q[k] === 'string' && /^-?\d+$/.test(q[k] as string)) q[k] = Number(q[k]);
      },
    },
    async (req): Promise<SelectionListT> => {
      const { state, limit, offset } = req.query;
      return { state, limit, offset, items: await opts.repo.listSelections(state, limit, offset) };
    },
  );
  return app as unknown as HttpApp;
}
