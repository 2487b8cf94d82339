// Data in and out over the studio's admin API (never its tables: the studio is their one writer):
//
//   npm run data:import -- --file F [--format jsonl|conll|spans-jsonl] [--dry-run]
//   npm run data:export -- --format jsonl|conll|spans-jsonl --out FILE
//
// Both print ONE JSON summary as the last stdout line:
//   {"documents","entities","per_type":{…},"rejected":[{"line","code","reason"}], …}
// The studio is --url, else STUDIO_URL, else the running platform's .data/platform.json, else
// http://127.0.0.1:8080. The token (a studio token of an admin: npm run studio:token -- create
// --annotator <id> --role admin) is --token, else STUDIO_TOKEN, else ADMIN_TOKEN. Exit code: 0,
// 1 when a request failed or (import) any record was rejected, 2 for bad arguments.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '@zhner/core';
import { readPlatformSession } from '../../../../deploy/local/session';
import { DATA_FORMATS, chunkData, type DataFormat, type DataSummary, type Rejection } from '../domain/dataFormats';

const USAGE = `usage:
  data:import --file <file> [--format jsonl|conll|spans-jsonl] [--dry-run] [--url <studio>] [--token <admin token>]
  data:export --format jsonl|conll|spans-jsonl --out <file> [--url <studio>] [--token <admin token>]`;

/** Content bytes per import request: well under the route's 4 MiB body limit once JSON-escaped. */
export const CHUNK_BYTES = 1024 * 1024;

export interface DataCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  readFile: (file: string) => string;
  writeFile: (file: string, content: string) => void;
  /** The running platform's studio URL, if any. */
  sessionStudioUrl: () => string | undefined;
}

interface ImportAnswer extends DataSummary {
  dry_run: boolean;
  stored: number;
  unchanged: number;
}

/** The format of `file` from its extension: .conll/.bio/.tsv/.txt → conll, else jsonl. */
export function formatOf(file: string): DataFormat {
  return /\.(conll|bio|bioes|tsv|txt)$/i.test(file) ? 'conll' : 'jsonl';
}

/** Sums chunk summaries into the summary of the whole file. */
export function mergeSummaries(parts: readonly ImportAnswer[], dryRun: boolean): ImportAnswer {
  const perType: Record<string, number> = {};
  const rejected: Rejection[] = [];
  let documents = 0;
  let entities = 0;
  let stored = 0;
  let unchanged = 0;
  for (const p of parts) {
    documents += p.documents;
    entities += p.entities;
    stored += p.stored;
    unchanged += p.unchanged;
    rejected.push(...p.rejected);
    for (const [t, n] of Object.entries(p.per_type)) perType[t] = (perType[t] ?? 0) + n;
  }
  return { documents, entities, per_type: perType, rejected, dry_run: dryRun, stored, unchanged };
}

class RequestFailed extends Error {}

async function call<T>(io: DataCliIo, url: string, token: string | undefined, init: { method: string; body?: unknown }): Promise<T> {
  let res: Response;
  try {
    res = await io.fetch(url, {
      method: init.method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
  } catch (err) {
    throw new RequestFailed(`cannot reach the studio at ${url} (${errorMessage(err)}): start it (npm start) or pass --url / STUDIO_URL`);
  }
  const text = await res.text();
  if (!res.ok) {
    let detail = text;
    try {
      const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
      if (e) detail = `${e.code}: ${e.message}`;
    } catch {
      // not the platform's error body: print it as it came
    }
    throw new RequestFailed(`${init.method} ${url} answered ${res.status}: ${detail}`);
  }
  return JSON.parse(text) as T;
}

/** Runs `import …` or `export …`; returns the exit code. */
export async function runDataCli(argv: string[], io: DataCliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { file: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, url: { type: 'string' }, token: { type: 'string' } },
    });
  } catch (err) {
    io.err(`${errorMessage(err)}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const command = positionals[0];
  if (values.format !== undefined && !(DATA_FORMATS as readonly string[]).includes(values.format)) {
    io.err(`--format must be one of ${DATA_FORMATS.join(', ')}, got ${JSON.stringify(values.format)}\n${USAGE}`);
    return 2;
  }
  const base = (values.url ?? io.env.STUDIO_URL ?? io.sessionStudioUrl() ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = values.token ?? io.env.STUDIO_TOKEN ?? io.env.ADMIN_TOKEN;
  if (!token) io.err('no token (--token, STUDIO_TOKEN or ADMIN_TOKEN): the studio will answer 401');
  try {
    if (command === 'import') {
      if (!values.file) {
        io.err(`--file is required\n${USAGE}`);
        return 2;
      }
      const format = (values.format as DataFormat | undefined) ?? formatOf(values.file);
      const dryRun = values['dry-run'] === true;
      const parts: ImportAnswer[] = [];
      for (const chunk of chunkData(format, io.readFile(values.file), CHUNK_BYTES)) {
        parts.push(await call<ImportAnswer>(io, `${base}/api/admin/import`, token, { method: 'POST', body: { format, content: chunk.content, dryRun, firstLine: chunk.firstLine } }));
      }
      const summary = mergeSummaries(parts, dryRun);
      for (const r of summary.rejected.slice(0, 20)) io.err(`line ${r.line}: ${r.code}: ${r.reason}`);
      if (summary.rejected.length > 20) io.err(`… and ${summary.rejected.length - 20} more rejected lines (all in the summary)`);
      io.out(JSON.stringify(summary));
      return summary.rejected.length > 0 ? 1 : 0;
    }
    if (command === 'export') {
      if (!values.format || !values.out) {
        io.err(`--format and --out are required\n${USAGE}`);
        return 2;
      }
      const r = await call<{ content: string; summary: DataSummary }>(io, `${base}/api/admin/export?format=${encodeURIComponent(values.format)}`, token, { method: 'GET' });
      io.writeFile(values.out, r.content);
      io.err(`wrote ${r.summary.documents} documents to ${values.out}`);
      io.out(JSON.stringify(r.summary));
      return 0;
    }
  } catch (err) {
    if (!(err instanceof RequestFailed)) throw err;
    io.err(err.message);
    return 1;
  }
  io.err(USAGE);
  return 2;
}

if (require.main === module) {
  runDataCli(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    env: process.env,
    fetch: globalThis.fetch,
    readFile: (f) => readFileSync(path.resolve(f), 'utf8'),
    writeFile: (f, c) => writeFileSync(path.resolve(f), c),
    sessionStudioUrl: () => readPlatformSession()?.urls.studio,
  })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      process.stderr.write(`data: ${errorMessage(err)}\n`);
      process.exit(1);
    });
}
