// Annotators and their API tokens (tables annotators, api_tokens; owner: studio). Tokens are
// stored as sha256 of their secret only (see domain/tokens.ts).
import type { SqlClient } from '@zhner/store';
import type { Role } from '../../domain/tokens';
import type { TokenRecord, TokenRepository } from '../../app/ports';
import { ms, msOrNull } from './rows';

export interface TokenListing {
  tokenId: string;
  annotatorId: string;
  role: Role;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export class SqlAuthRepository implements TokenRepository {
  constructor(private readonly db: SqlClient) {}

  async find(tokenId: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.db.query<{
      token_id: string;
      token_hash: string;
      revoked_at: unknown;
      annotator_id: string;
      display_name: string;
      role: Role;
      disabled_at: unknown;
    }>(
      `SELECT t.token_id, t.token_hash, t.revoked_at, a.annotator_id, a.display_name, a.role, a.disabled_at
       FROM api_tokens t JOIN annotators a ON a.annotator_id = t.annotator_id WHERE t.token_id = $1`,
      [tokenId],
    );
    const r = rows[0];
    if (!r) return undefined;
    return { tokenId: r.token_id, tokenHash: r.token_hash, revokedAt: msOrNull(r.revoked_at), annotatorId: r.annotator_id, displayName: r.display_name, role: r.role, disabledAt: msOrNull(r.disabled_at) };
  }

  async touch(tokenId: string): Promise<void> {
    await this.db.query('UPDATE api_tokens SET last_used_at = now() WHERE token_id = $1', [tokenId]);
  }

  /** Creates the annotator, or updates its name and role (and re-enables it). */
  async upsertAnnotator(annotatorId: string, displayName: string, role: Role): Promise<void> {
    await this.db.query(
      `INSERT INTO annotators (annotator_id, display_name, role) VALUES ($1, $2, $3)
       ON CONFLICT (annotator_id) DO UPDATE SET display_name = EXCLUDED.display_name, role = EXCLUDED.role, disabled_at = NULL`,
      [annotatorId, displayName, role],
    );
  }

  async insertToken(tokenId: string, annotatorId: string, tokenHash: string): Promise<void> {
    await this.db.query('INSERT INTO api_tokens (token_id, annotator_id, token_hash) VALUES ($1, $2, $3)', [tokenId, annotatorId, tokenHash]);
  }

  async revokeToken(tokenId: string): Promise<boolean> {
    const r = await this.db.query('UPDATE api_tokens SET revoked_at = now() WHERE token_id = $1 AND revoked_at IS NULL', [tokenId]);
    return r.rowCount > 0;
  }

  async disableAnnotator(annotatorId: string): Promise<boolean> {
    const r = await this.db.query('UPDATE annotators SET disabled_at = now() WHERE annotator_id = $1 AND disabled_at IS NULL', [annotatorId]);
    return r.rowCount > 0;
  }

  async listTokens(): Promise<TokenListing[]> {
    const { rows } = await this.db.query<{ token_id: string; annotator_id: string; role: Role; created_at: unknown; last_used_at: unknown; revoked_at: unknown }>(
      `SELECT t.token_id, t.annotator_id, a.role, t.created_at, t.last_used_at, t.revoked_at
       FROM api_tokens t JOIN annotators a ON a.annotator_id = t.annotator_id ORDER BY t.created_at`,
    );
    return rows.map((r) => ({ tokenId: r.token_id, annotatorId: r.annotator_id, role: r.role, createdAt: ms(r.created_at), lastUsedAt: msOrNull(r.last_used_at), revokedAt: msOrNull(r.revoked_at) }));
  }
}
