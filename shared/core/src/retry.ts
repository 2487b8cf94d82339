import { PlatformError, isRetriable } from './errors';

export interface RetryOptions {
  /** Attempts in total, the first included. Default 6. */
  retries?: number;
  /** First back-off in ms. Default 200. */
  initialDelayMs?: number;
  /** Cap on a single back-off in ms. Default 10_000. */
  maxDelayMs?: number;
  /** Multiplier per attempt. Default 2. */
  factor?: number;
  /** ±fraction of random jitter. Default 0.2. */
  jitter?: number;
  /** Decides whether an error is worth another attempt. Default: `isRetriable` (errors.ts). */
  isRetriable?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Aborts the wait between attempts (e.g. on shutdown). */
  signal?: AbortSignal;
}

/** A faster profile for tests. */
export const FAST_RETRY: RetryOptions = { retries: 4, initialDelayMs: 5, maxDelayMs: 20 };

export class RetriesExhaustedError extends PlatformError {
  constructor(attempts: number, cause: unknown) {
    super('RETRIES_EXHAUSTED', `gave up after ${attempts} attempts: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      context: { attempts },
    });
  }
}

const defaultIsRetriable = isRetriable;

export function backoffDelay(attempt: number, opts: RetryOptions = {}, random: () => number = Math.random): number {
  const initial = opts.initialDelayMs ?? 200;
  const max = opts.maxDelayMs ?? 10_000;
  const factor = opts.factor ?? 2;
  const jitter = opts.jitter ?? 0.2;
  const base = Math.min(max, initial * factor ** (attempt - 1));
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, backing off with jitter between attempts. `fn` receives `bail(err)`
 * to stop at once. Non-retriable errors are rethrown unchanged; running out of attempts throws
 * RetriesExhaustedError wrapping the last error.
 */
export async function retry<T>(fn: (bail: (err: unknown) => never, attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const retries = opts.retries ?? 6;
  const isRetriable = opts.isRetriable ?? defaultIsRetriable;
  class Bail {
    constructor(readonly err: unknown) {}
  }
  const bail = (err: unknown): never => {
    throw new Bail(err);
  };
  let last: unknown;
  for (let attempt = 1; attempt <= retries; attempt++) {
    try {
      return await fn(bail, attempt);
    } catch (err) {
      if (err instanceof Bail) throw err.err;
      if (!isRetriable(err)) throw err;
      last = err;
      if (attempt === retries) break;
      const delay = backoffDelay(attempt, opts);
      opts.onRetry?.(err, attempt, delay);
      await wait(delay, opts.signal);
    }
  }
  throw new RetriesExhaustedError(retries, last);
}
