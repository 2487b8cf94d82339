// Bearer-token authentication and role checks. A token is looked up by its id and its secret
// compared against the stored sha256 (see domain/tokens.ts); revoked tokens and disabled
// annotators are refused. Tokens never reach a log line: only the token id is ever logged.
import type { Logger } from '@zhner/kit';
import { parseToken, secretMatches, type Role } from '../domain/tokens';
import { forbidden, unauthenticated } from './errors';
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
   * @throws StudioError 401 UNAUTHENTICATED when the header is missing, malformed, unknown, revoked or disabled.
   */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw unauthenticated('this request needs an API token: send "Authorization: Bearer zhner_…" (create one with npm run studio:token -- create)');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw unauthenticated('the Authorization header must be "Bearer <token>"');
    const parsed = parseToken(m[1]);
    if (!parsed) throw unauthenticated('the bearer token is not a studio token (zhner_<id>_<secret>)');
    const rec = await this.tokens.find(parsed.tokenId);
    if (!rec || !secretMatches(parsed.secret, rec.tokenHash)) {
      this.logger.info({ tokenId: parsed.tokenId }, 'rejected unknown token');
      throw unauthenticated('the token is not valid');
    }
    if (rec.revokedAt !== null) throw unauthenticated('the token was revoked');
    if (rec.disabledAt !== null) throw unauthenticated(`annotator ${rec.annotatorId} is disabled`);
    this.touch(rec.tokenId);
    return { annotatorId: rec.annotatorId, displayName: rec.displayName, role: rec.role, tokenId: rec.tokenId };
  }

  /** @throws StudioError 403 FORBIDDEN when `principal` lacks `role` (admin implies annotator). */
  requireRole(principal: Principal, role: Role): void {
    if (role === 'admin' && principal.role !== 'admin') throw forbidden(`${principal.annotatorId} is an ${principal.role}; this action needs the admin role`);
  }

  private touch(tokenId: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(tokenId) ?? 0) < this.touchIntervalMs) return;
    this.lastTouched.set(tokenId, now);
    this.tokens.touch(tokenId).catch((err: unknown) => this.logger.warn({ err: (err as Error).message, tokenId }, 'could not record token use'));
  }
}
