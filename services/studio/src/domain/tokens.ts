// API tokens: `zhner_<id>_<secret>`, where <id> (12 hex characters) names the row and <secret> is
// 32 random bytes in base64url. Only sha256(secret) is stored. A fast hash is the right choice
// here (scrypt/argon2 are for low-entropy passwords): a 256-bit random secret cannot be guessed or
// brute-forced from its hash, and every write request verifies a token, so verification stays
// cheap. Comparison is constant-time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type Role = 'annotator' | 'admin';
export const ROLES: readonly Role[] = ['annotator', 'admin'];

export interface ParsedToken {
  tokenId: string;
  secret: string;
}

const TOKEN = /^zhner_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** A new token and what to store: the id and the secret's hash (the token itself is shown once). */
export function generateToken(random: (n: number) => Buffer = randomBytes): { token: string; tokenId: string; hash: string } {
  const tokenId = random(6).toString('hex');
  const secret = random(32).toString('base64url');
  return { token: `zhner_${tokenId}_${secret}`, tokenId, hash: hashSecret(secret) };
}

/** Splits a token into id and secret; undefined when it is not of the token format. */
export function parseToken(token: string): ParsedToken | undefined {
  const m = TOKEN.exec(token.trim());
  return m ? { tokenId: m[1], secret: m[2] } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of `secret` against a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token as it may appear in logs: the id only. */
export function redactToken(token: string): string {
  const p = parseToken(token);
  return p ? `zhner_${p.tokenId}_…` : '[malformed token]';
}
