// Admin authentication, one implementation for every service: secure by default. An admin route
// needs `Authorization: Bearer <ADMIN_TOKEN>`; without ADMIN_TOKEN the routes are closed (401),
// unless the operator opens them explicitly with INSECURE_OPEN_ADMIN=true (logged loudly at start).
// The comparison is constant-time (sha256 digests through timingSafeEqual); the scheme is
// case-insensitive (RFC 7235), the token is taken exactly (no trailing space, no second value).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PlatformError, env } from '@zhner/core';

export const adminConfigSpec = {
  adminToken: env.optional(env.string('ADMIN_TOKEN', { doc: 'Bearer token of the admin routes (and writes); unset = admin routes closed (401) unless INSECURE_OPEN_ADMIN=true' })),
  insecureOpenAdmin: env.bool('INSECURE_OPEN_ADMIN', { default: false, doc: 'Open the admin routes to anyone (development only; logged loudly at start)' }),
};

export class AdminAuthError extends PlatformError {
  constructor(code: 'UNAUTHENTICATED' | 'ADMIN_DISABLED', message: string) {
    super(code, message, { status: 401 });
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time equality of two secrets (any lengths). */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

const BEARER = /^Bearer ([^\s]+)$/i;

/** The token of an `Authorization` header, or undefined when it is not exactly `Bearer <token>`. */
export function bearerToken(header: string | undefined): string | undefined {
  return BEARER.exec(header ?? '')?.[1];
}

export interface AdminGuardOptions {
  adminToken?: string;
  insecureOpenAdmin: boolean;
  logger: Logger;
  service: string;
}

/**
 * A fastify onRequest hook for admin routes. Logs once, at creation, when the routes are open or
 * closed for want of a token.
 * @throws nothing; rejects requests with AdminAuthError (401).
 */
export function createAdminGuard(opts: AdminGuardOptions): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  if (opts.insecureOpenAdmin) {
    opts.logger.warn({ service: opts.service }, 'INSECURE_OPEN_ADMIN=true: admin routes accept ANY caller (never do this in production)');
    return async () => undefined;
  }
  if (!opts.adminToken) opts.logger.info({ service: opts.service }, 'ADMIN_TOKEN is unset: admin routes are closed');
  const expected = opts.adminToken;
  return async (req) => {
    if (!expected) throw new AdminAuthError('ADMIN_DISABLED', `admin routes of the ${opts.service} are closed: set ADMIN_TOKEN and send "Authorization: Bearer <ADMIN_TOKEN>"`);
    const given = bearerToken(req.headers.authorization);
    if (!given || !secretsEqual(given, expected)) throw new AdminAuthError('UNAUTHENTICATED', 'this route needs "Authorization: Bearer <ADMIN_TOKEN>"');
  };
}
