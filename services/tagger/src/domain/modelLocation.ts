// Where a model directory lives. Commands and the admin route give a `modelUri`: a file system
// path (absolute, or relative to the repository root) or a file:// URL. Pure.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '../errors';

/**
 * Resolves `uri` to an absolute directory path. Relative paths are taken from `baseDir`.
 * Throws UNSUPPORTED_MODEL_URI (a ValidationError) for other schemes (s3://, http://...).
 */
export function resolveModelUri(uri: string, baseDir: string): string {
  const u = uri.trim();
  if (u.length === 0) throw errors.create('MODEL_URI_EMPTY', { field: 'modelUri' });
  if (/^file:/i.test(u)) return fileURLToPath(u);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) {
    throw errors.create('UNSUPPORTED_MODEL_URI', { field: 'modelUri', modelUri: u });
  }
  return path.resolve(baseDir, u);
}
