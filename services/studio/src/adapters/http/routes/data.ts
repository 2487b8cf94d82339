// Admin data routes: POST /api/admin/import (a corpus as seed gold, or a dry run of it) and
// GET /api/admin/export (the current gold). Both answer the one data summary; see
// docs/data-import-export.md. The CLI (npm run data:import / data:export) drives them.
import { Type } from '@sinclair/typebox';
import { DATA_FORMATS } from '../../../domain/dataFormats';
import { principalOf, requireRole } from '../auth';
import { bearer, errorRefs } from '../schemas';
import type { StudioDeps, StudioHttpApp } from './deps';

/** Body limit of one import request, bytes: larger files are sent in chunks (the CLI does). */
export const IMPORT_BODY_LIMIT = 4 * 1024 * 1024;

const Format = Type.Union(
  DATA_FORMATS.map((f) => Type.Literal(f)),
  { description: 'jsonl: {"id","text","entities":[{start,end,type,text}]}; conll: char<TAB>BIO-tag per line; spans-jsonl: {"text","spans":[{start,end,label}]}. Offsets are code points.' },
);

const Rejection = Type.Object({ line: Type.Integer(), code: Type.String(), reason: Type.String() });
const Summary = {
  documents: Type.Integer({ description: 'records accepted (import) or written (export)' }),
  entities: Type.Integer(),
  per_type: Type.Record(Type.String(), Type.Integer()),
  rejected: Type.Array(Rejection, { description: 'records refused, with their 1-based line and a coded reason; nothing of them is stored' }),
};
const SummarySchema = Type.Object(Summary);

export async function dataRoutes(app: StudioHttpApp, d: StudioDeps): Promise<void> {
  const admin = requireRole(d.auth, 'admin');

  app.post(
    '/api/admin/import',
    {
      preHandler: admin,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['data'],
        summary: 'Import an annotated corpus as seed gold (origin IMPORT corrections, published on ner.corrections.v1), or validate it only (dryRun)',
        description:
          'Each line (conll: sentence) is validated with the platform rules (text policy, span rule, label set, BIO); a bad one is reported in `rejected` and not stored. ' +
          'Idempotent: importing the same records again stores nothing (`unchanged`). Larger files: send chunks with `firstLine` so line numbers refer to the whole file.',
        security: bearer,
        body: Type.Object(
          {
            format: Format,
            content: Type.String({ description: 'the file content (UTF-8 text)' }),
            dryRun: Type.Optional(Type.Boolean({ description: 'default false: validate and count only, store nothing' })),
            firstLine: Type.Optional(Type.Integer({ minimum: 1, description: "line number of the content's first line in the whole file (default 1)" })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            ...Summary,
            dry_run: Type.Boolean(),
            stored: Type.Integer({ description: 'new corrections stored and queued for publishing' }),
            unchanged: Type.Integer({ description: 'valid records whose gold was already stored (a re-import)' }),
          }),
          ...errorRefs(400, 401, 403, 413),
        },
      },
    },
    async (req) => d.data.import({ format: req.body.format, content: req.body.content, dryRun: req.body.dryRun ?? false, firstLine: req.body.firstLine, actor: principalOf(req).annotatorId }),
  );

  app.get(
    '/api/admin/export',
    {
      preHandler: admin,
      schema: {
        tags: ['data'],
        summary: 'Export the current gold of every corrected text (its adjudication when it has one, else its latest accepted correction)',
        security: bearer,
        querystring: Type.Object({ format: Format }, { additionalProperties: false }),
        response: { 200: Type.Object({ format: Format, content: Type.String({ description: 'the file, newline-terminated' }), summary: SummarySchema }), ...errorRefs(400, 401, 403) },
      },
    },
    async (req) => d.data.export(req.query.format),
  );
}
