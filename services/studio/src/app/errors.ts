// Errors the studio's use cases raise, each with the HTTP status it maps to. They keep the
// platform's error body (`{error:{code,message,field}}`); codes are stable, messages say the fix.
import { PlatformError, type ErrorContext } from '@zhner/core';

export class StudioError extends PlatformError {
  override readonly status: number;
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, opts: { field?: string; context?: ErrorContext; cause?: unknown; retriable?: boolean } = {}) {
    super(code, message, { context: opts.context, cause: opts.cause, retriable: opts.retriable, status });
    this.status = status;
    this.field = opts.field;
  }
}

export const unauthenticated = (message: string) => new StudioError(401, 'UNAUTHENTICATED', message);
export const forbidden = (message: string) => new StudioError(403, 'FORBIDDEN', message);
export const notFound = (what: string, id: string) => new StudioError(404, 'NOT_FOUND', `${what} ${JSON.stringify(id)} does not exist`, { context: { id } });
export const conflict = (code: string, message: string, context?: ErrorContext) => new StudioError(409, code, message, { context });
/** A dependency (tagger, orchestrator, reloader) answered with an error or not at all. */
export const upstreamFailed = (service: string, message: string, opts: { status?: number; retriable?: boolean; cause?: unknown } = {}) =>
  new StudioError(opts.retriable ? 503 : 502, opts.retriable ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_FAILED', `${service}: ${message}`, {
    context: { service, upstreamStatus: opts.status },
    cause: opts.cause,
    retriable: opts.retriable,
  });
