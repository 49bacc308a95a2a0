import { useState, type FormEvent } from 'react';

/** Paste a token, or open the sign-in address the server printed. */
export function SignIn({ problem, onToken }: { problem: string | null; onToken: (token: string) => void }) {
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) onToken(token.trim());
  };
  return (
    <main className="sign-in">
      <section className="panel" aria-labelledby="sign-in-heading">
        <h1 id="sign-in-heading">Sign in to ContainerLease</h1>
        {problem && <p className="note note-error" role="alert">{problem}</p>}
        <p>
          Open the address the server printed when it started (it ends in <code>#token=…</code>), or paste your
          token here. An operator gives each user a token; the first start of a server writes the admin's to
          <code> data/admin-token</code>.
        </p>
        <form onSubmit={submit} className="sign-in-form">
          <label htmlFor="token">Token</label>
          <input id="token" type="password" autoComplete="current-password" value={token} spellCheck={false}
            onChange={(e) => setToken(e.target.value)} />
          <button type="submit" className="primary" disabled={!token.trim()}>Sign in</button>
        </form>
        <p className="hint">The token stays in this tab only (session storage) and is sent only to this service.</p>
      </section>
    </main>
  );
}
