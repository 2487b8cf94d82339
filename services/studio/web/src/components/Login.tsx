// Sign-in with an API token (made by `npm run studio:token -- create`): checked with GET /api/me,
// then kept in localStorage.
import { useState, type FormEvent } from 'react';
import { api, describeError, setToken } from '../api';
import type { PrincipalOut as Principal } from '@zhner/contracts/http';

export function Login({ me, onChange }: { me: Principal | null; onChange: (p: Principal | null) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (me) {
    return (
      <div className="login" data-testid="whoami">
        <span className={`role role-${me.role}`}>{me.role}</span> {me.displayName}
        <button
          type="button"
          className="ghost"
          onClick={() => {
            setToken(null);
            onChange(null);
          }}
        >
          sign out
        </button>
      </div>
    );
  }
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    try {
      const p = await api<Principal>('GET', 'api/me', undefined, value.trim());
      setToken(value.trim());
      setValue('');
      setError(null);
      onChange(p);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <form className="login" onSubmit={submit}>
      <input type="password" autoComplete="off" placeholder="API token (zhner_…)" value={value} onChange={(e) => setValue(e.target.value)} aria-label="API token" data-testid="token-input" />
      <button type="submit" data-testid="sign-in">
        sign in
      </button>
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}
