// What the base model was trained on, from its model directory: manifest.json's `data` block (every
// corpus file with its sha256 and role) and `data_ids` (training_data.ids.gz: the ids of every
// trained sentence per file, ancestors included; written by zhner_trainer since model v2).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseManifest, type ModelManifest } from '@zhner/model';

export interface TrainedOnPool {
  /** Ids of the pool file's sentences the base model was trained on. */
  readonly ids: Set<string>;
  /** True when the manifest records the pool file as training data but lists no ids (older models): every sentence counts as trained on. */
  readonly wholeFile: boolean;
  /** How the answer was found, for the run log. */
  readonly source: string;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Parses training_data.ids.gz ("#file <name>" then one id per line). */
export function parseDataIds(buf: Buffer): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of gunzipSync(buf).toString('utf8').split('\n')) {
    if (line.startsWith('#file ')) {
      cur = [];
      out.set(line.slice(6), cur);
    } else if (line && !line.startsWith('#') && cur) cur.push(line);
  }
  return out;
}

/**
 * The sentences of `poolFile` that the model in `modelDir` was trained on, matched by the file's
 * sha256 against the manifest's training records. Throws when the manifest cannot be read.
 */
export async function trainedOnPool(modelDir: string, poolFile: string): Promise<TrainedOnPool> {
  // the runtime's one manifest parser (the same checks a replica applies)
  const manifest: ModelManifest = parseManifest(JSON.parse(await readFile(path.join(modelDir, 'manifest.json'), 'utf8')), modelDir);
  const data = manifest.data as ReadonlyArray<{ file: string; sha256: string; role?: string; limit?: number }>;
  const sha = await sha256File(poolFile);
  const records = data.filter((r) => r.role === 'train' && r.sha256 === sha);
  if (records.length === 0) return { ids: new Set(), wholeFile: false, source: 'the pool file is not among the base model\'s training files' };
  if (!manifest.data_ids) return { ids: new Set(), wholeFile: true, source: `manifest lists ${records[0].file} as training data without ids: the whole file counts as trained on` };
  const ids = parseDataIds(await readFile(path.join(modelDir, manifest.data_ids.file)));
  const trained = new Set<string>();
  for (const r of records) for (const id of ids.get(r.file) ?? []) trained.add(id);
  return { ids: trained, wholeFile: false, source: `${manifest.data_ids.file}: ${trained.size} ids of ${records.map((r) => r.file).join(', ')}` };
}
