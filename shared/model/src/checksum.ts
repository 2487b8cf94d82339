import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { ModelChecksumError, ModelLoadError } from './errors';
import type { ModelManifest } from './manifest';

/** sha256 (hex) of a file, streamed. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/**
 * Check every file listed in manifest.files, and that each file the runtime will read is listed.
 * Throws ModelChecksumError on the first mismatch, ModelLoadError for an unreadable or unlisted file.
 */
export async function verifyChecksums(dir: string, manifest: ModelManifest, required: readonly string[]): Promise<void> {
  for (const f of required) {
    if (!(f in manifest.files)) {
      throw new ModelLoadError(`manifest.json in ${dir} lists no checksum for ${f}`, { dir, file: f, code: 'MODEL_FILE_UNLISTED' });
    }
  }
  for (const [file, entry] of Object.entries(manifest.files)) {
    let actual: string;
    try {
      actual = await sha256File(path.join(dir, file));
    } catch (err) {
      throw new ModelLoadError(`cannot read ${file} of model ${dir}: ${(err as Error).message}`, { dir, file, cause: err, code: 'MODEL_FILE_MISSING' });
    }
    if (actual !== entry.sha256) throw new ModelChecksumError({ dir, file, expected: entry.sha256, actual });
  }
}
