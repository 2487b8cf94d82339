// Files: corpora (JSONL, code-point offsets), run directories under MODELS_DIR, model manifests.
import { parseManifest } from '@zhner/model';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { sha256Hex } from '@zhner/core';
import { errors } from '../errors';
import { formatCorpusLine, parseCorpusLine, type CorpusExample } from '@zhner/core';
import type { CorpusSource, ModelManifest, RunPaths, Workspace } from '../app/ports';

/** The repository root (services/trainer-orchestrator/src/adapters → four levels up). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** A configured path: absolute as is, relative to the repository root otherwise (as the trainer does). */
export function resolveRepoPath(p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(REPO_ROOT, p);
}

/** Reads a corpus file; `limit` > 0 keeps the first `limit` lines. Throws ValidationError naming file:line. */
export async function readCorpusFile(file: string, limit = 0): Promise<CorpusExample[]> {
  const out: CorpusExample[] = [];
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      if (!line.trim()) continue;
      out.push(parseCorpusLine(line, `${file}:${lineNo}`));
      if (limit > 0 && out.length >= limit) break;
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw errors.create('CORPUS_NOT_FOUND', { file }, { cause: err });
    throw err;
  } finally {
    rl.close();
  }
  return out;
}

/** One or more corpus files, read on first use and cached (the replay pool, the dev set). */
export class CorpusFiles implements CorpusSource {
  private cached: Promise<CorpusExample[]> | undefined;

  constructor(
    readonly files: readonly string[],
    /** Lines per file (0 = all). */
    readonly limit = 0,
  ) {}

  load(): Promise<CorpusExample[]> {
    if (!this.cached) {
      this.cached = Promise.all(this.files.map((f) => readCorpusFile(f, this.limit))).then((parts) => parts.flat());
      this.cached.catch(() => (this.cached = undefined)); // a missing file is retried next time
    }
    return this.cached;
  }
}

async function writeAtomically(file: string, data: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data, 'utf8');
  await rename(tmp, file);
}

/** Run directories: MODELS_DIR/runs/<runId>/{data/train.jsonl, data/holdout.jsonl, data/stats.json, model/}. */
export class FileWorkspace implements Workspace {
  constructor(readonly modelsDir: string) {}

  async prepareRun(runId: string): Promise<RunPaths> {
    const runDir = path.join(this.modelsDir, 'runs', runId);
    const dataDir = path.join(runDir, 'data');
    await mkdir(dataDir, { recursive: true });
    return { runDir, dataDir, modelDir: path.join(runDir, 'model') };
  }

  async writeCorpus(file: string, examples: readonly CorpusExample[]): Promise<void> {
    await writeAtomically(file, examples.map((e) => formatCorpusLine(e) + '\n').join(''));
  }

  async writeJson(file: string, value: unknown): Promise<void> {
    await writeAtomically(file, JSON.stringify(value, null, 1) + '\n');
  }

  readManifest(modelDir: string): Promise<ModelManifest> {
    return readManifest(modelDir);
  }
}

/**
 * Reads `<modelDir>/manifest.json` (the trainer's model contract) with the runtime's one parser
 * (`parseManifest` of @zhner/model: the same checks a replica applies before it loads the model);
 * throws MANIFEST_INVALID naming the field.
 */
export async function readManifest(modelDir: string): Promise<ModelManifest> {
  const file = path.join(modelDir, 'manifest.json');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw errors.create('MANIFEST_UNREADABLE', { modelDir, file, detail: (err as Error).message }, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw errors.create('MANIFEST_NOT_JSON', { modelDir, file }, { cause: err });
  }
  let m: ReturnType<typeof parseManifest>;
  try {
    m = parseManifest(raw, modelDir);
  } catch (err) {
    throw errors.create('MANIFEST_REFUSED', { modelDir, file, detail: (err as Error).message }, { cause: err });
  }
  return { version: m.version, name: m.name, parentVersion: m.parent_version, entityTypes: [...m.entity_types], metrics: { ...m.metrics }, sha256: sha256Hex(bytes) };
}
