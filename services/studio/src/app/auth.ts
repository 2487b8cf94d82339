// Bearer-token authentication and role checks. A token is looked up by its id and its secret
// compared against the stored sha256 (see domain/tokens.ts); revoked tokens and disabled
// annotators are refused. Tokens never reach a log line: only the token id is ever logged.
import type { Logger } from '@zhner/kit';
import { parseToken, secretMatches, type Role } from '../domain/tokens';
import { errors } from '../errors';
import type { Principal, TokenRepository } from './ports';

export class Authenticator {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly tokens: TokenRepository,
    private readonly logger: Logger,
    /** Minimum interval between `last_used_at` updates of one token, ms. Default 60 s. */
    private readonly touchIntervalMs = 60_000,
  ) {}

  /**
   * The principal behind an `Authorization: Bearer zhner_…` header.
   * @throws 401 UNAUTHENTICATED when the header is missing, malformed, unknown, revoked or disabled.
   */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw errors.create('TOKEN_MISSING');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw errors.create('AUTHORIZATION_MALFORMED');
    const parsed = parseToken(m[1]);
    if (!parsed) throw errors.create('TOKEN_NOT_STUDIO');
    const rec = await this.tokens.find(parsed.tokenId);
    if (!rec || !secretMatches(parsed.secret, rec.tokenHash)) {
      this.logger.info({ tokenId: parsed.tokenId }, 'rejected unknown token');
      throw errors.create('TOKEN_INVALID');
    }
    if (rec.revokedAt !== null) throw errors.create('TOKEN_REVOKED');
    if (rec.disabledAt !== null) throw errors.create('ANNOTATOR_DISABLED', { annotatorId: rec.annotatorId });
    this.touch(rec.tokenId);
    return { annotatorId: rec.annotatorId, displayName: rec.displayName, role: rec.role, tokenId: rec.tokenId };
  }

  /** @throws 403 FORBIDDEN when `principal` lacks `role` (admin implies annotator). */
  requireRole(principal: Principal, role: Role): void {
    if (role === 'admin' && principal.role !== 'admin') throw errors.create('NEEDS_ADMIN', { annotatorId: principal.annotatorId, role: principal.role });
  }

  private touch(tokenId: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(tokenId) ?? 0) < this.touchIntervalMs) return;
    this.lastTouched.set(tokenId, now);
    this.tokens.touch(tokenId).catch((err: unknown) => this.logger.warn({ err: (err as Error).message, tokenId }, 'could not record token use'));
  }
}
