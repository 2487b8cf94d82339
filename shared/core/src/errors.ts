// One error hierarchy for the platform. Callers branch on `code` and `retriable`, never on message
// text; subclasses carry the facts needed to act (topic, partition, offset, variable, span...).

export interface ErrorContext {
  readonly [key: string]: string | number | boolean | null | undefined | readonly unknown[];
}

export class PlatformError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: ErrorContext;
  /** The HTTP status this error answers with, when its catalogue says (kit maps it, once). */
  readonly status: number | undefined;
  override readonly cause?: unknown;

  constructor(code: string, message: string, opts: { retriable?: boolean; cause?: unknown; context?: ErrorContext; status?: number } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.context = opts.context ?? {};
    this.status = opts.status;
    if (opts.cause !== undefined) this.cause = opts.cause;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retriable: this.retriable, context: this.context };
  }
}

/** One or more environment variables are missing or malformed. `problems` lists every one of them. */
export class ConfigError extends PlatformError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, { context: { problems } });
    this.problems = problems;
  }
}

/** Input that can never succeed: a bad HTTP body, an event that fails validation, a bad correction. */
export class ValidationError extends PlatformError {
  readonly field: string | undefined;
  constructor(message: string, opts: { field?: string; code?: string; context?: ErrorContext; cause?: unknown; status?: number } = {}) {
    super(opts.code ?? 'VALIDATION_FAILED', message, { context: { field: opts.field, ...opts.context }, cause: opts.cause, status: opts.status });
    this.field = opts.field;
  }
}

/** Bytes that are not a valid payload for the topic's schema (a poison message). */
export class DecodeError extends PlatformError {
  constructor(message: string, opts: { schema: string; cause?: unknown; context?: ErrorContext }) {
    super('DECODE_FAILED', message, { cause: opts.cause, context: { schema: opts.schema, ...opts.context } });
  }
}

/** A dependency (broker, database, model file system) is temporarily unavailable: worth retrying. */
export class TransientError extends PlatformError {
  constructor(message: string, opts: { cause?: unknown; context?: ErrorContext; code?: string } = {}) {
    super(opts.code ?? 'TRANSIENT', message, { retriable: true, cause: opts.cause, context: opts.context });
  }
}

/** An operation was called in a lifecycle state that does not allow it. */
export class IllegalStateError extends PlatformError {
  constructor(operation: string, state: string) {
    super('ILLEGAL_STATE', `cannot ${operation} while ${state}`, { context: { operation, state } });
  }
}

export function isPlatformError(err: unknown): err is PlatformError {
  return err instanceof PlatformError;
}

/** Programming errors are never retried and never dead-lettered as "bad input". */
export function isProgrammingError(err: unknown): boolean {
  return err instanceof TypeError || err instanceof ReferenceError || err instanceof SyntaxError || err instanceof RangeError;
}

/**
 * Whether another attempt may succeed — the platform's one rule: never for programming errors;
 * a PlatformError (and the model runtime's errors) says so itself; client errors that carry a
 * flag are believed (kafkajs `retriable`, @platformatic/kafka `canRetry`, every error of an
 * aggregate); anything else (a refused connection, a timeout) is worth another try.
 */
export function isRetriable(err: unknown): boolean {
  if (isProgrammingError(err)) return false;
  if (isPlatformError(err)) return err.retriable;
  const e = err as { retriable?: unknown; canRetry?: unknown; errors?: unknown } | null;
  if (e && typeof e === 'object') {
    if (typeof e.retriable === 'boolean') return e.retriable;
    if (typeof e.canRetry === 'boolean') return e.canRetry;
    if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.every(isRetriable);
  }
  return true;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function errorCode(err: unknown): string {
  if (err instanceof PlatformError) return err.code;
  if (err instanceof Error) return err.name.toUpperCase();
  return 'UNKNOWN';
}
