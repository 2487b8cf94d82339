import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs (pino). Level from LOG_LEVEL (default info; `silent` in tests unless set).
 * Secrets never reach the log: common credential fields are redacted wherever they appear.
 */
export function createLogger(service: string, opts: { level?: string } = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info');
  // `service` is the one name field (pino's own `name` would repeat it and clash with fields
  // called name); child loggers add context, never `service` again
  return pino({
    level,
    base: { service },
    redact: {
      paths: ['authorization', 'token', 'password', '*.authorization', '*.token', '*.password', 'req.headers.authorization', 'headers.authorization', 'databaseUrl', '*.databaseUrl'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
