import { generateToken, parseToken, redactToken, secretMatches } from './tokens';

describe('API tokens', () => {
  it('round-trips: the stored hash verifies the secret, and only it', () => {
    const t = generateToken();
    expect(t.token).toMatch(/^zhner_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const p = parseToken(t.token)!;
    expect(p.tokenId).toBe(t.tokenId);
    expect(secretMatches(p.secret, t.hash)).toBe(true);
    expect(secretMatches(`${p.secret.slice(0, -1)}${p.secret.endsWith('A') ? 'B' : 'A'}`, t.hash)).toBe(false);
    expect(t.hash).not.toContain(p.secret);
  });

  it('refuses strings of another format', () => {
    expect(parseToken('zhner_abc_def')).toBeUndefined();
    expect(parseToken('Bearer x')).toBeUndefined();
  });

  it('redacts everything but the id', () => {
    const t = generateToken();
    expect(redactToken(t.token)).toBe(`zhner_${t.tokenId}_…`);
  });
});
