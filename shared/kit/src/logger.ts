import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs (pino). Level from LOG_LEVEL (default info; `silent` in tests unless set).
 * Secrets never reach the log: common credential fields are redacted wherever they appear.
 */
export function createLogger(service: string, opts: { level?: string } = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info');
  return pino({
    name: service,
    level,
    base: { service },
    redact: {
      paths: ['authorization', 'token', 'password', '*.authorization', '*.token', '*.password', 'req.headers.authorization', 'headers.authorization', 'databaseUrl', '*.databaseUrl'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
