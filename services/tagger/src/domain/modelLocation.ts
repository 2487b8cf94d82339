// Where a model directory lives. Commands and the admin route give a `modelUri`: a file system
// path (absolute, or relative to the repository root) or a file:// URL. Pure.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@zhner/core';

/**
 * Resolves `uri` to an absolute directory path. Relative paths are taken from `baseDir`.
 * Throws ValidationError (code UNSUPPORTED_MODEL_URI) for other schemes (s3://, http://...).
 */
export function resolveModelUri(uri: string, baseDir: string): string {
  const u = uri.trim();
  if (u.length === 0) throw new ValidationError('modelUri must not be empty', { field: 'modelUri', code: 'UNSUPPORTED_MODEL_URI' });
  if (/^file:/i.test(u)) return fileURLToPath(u);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) {
    throw new ValidationError(`modelUri ${JSON.stringify(u)}: only file system paths and file:// URLs are supported`, { field: 'modelUri', code: 'UNSUPPORTED_MODEL_URI' });
  }
  return path.resolve(baseDir, u);
}
