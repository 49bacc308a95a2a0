import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient, ApiError } from './api/client';
import type { Me } from './api/types';
import { ActivityPage } from './activity/ActivityPage';
import { SignIn } from './auth/SignIn';
import { forgetToken, storedToken, storeToken, tokenFromFragment } from './auth/token';
import { LeaseList } from './leases/LeaseList';
import { LeasePage } from './leases/LeasePage';
import { ProvisionForm } from './leases/ProvisionForm';
import { Announcer } from './ui/announcer';
import { Link } from './ui/Link';
import { navigate, useRoute } from './ui/router';

function initialToken(): string | null {
  const fromLink = tokenFromFragment(window.location, window.history);
  if (fromLink) storeToken(window.sessionStorage, fromLink);
  return fromLink ?? storedToken(window.sessionStorage);
}

/** What the console sends to a server that asks for no token (AUTH=off: a developer's, on loopback). */
const NO_TOKEN_NEEDED = 'no-token-needed';

/** Signs in (link, stored token or pasted), then shows the page the address names. */
export function App() {
  const [token, setToken] = useState<string | null>(initialToken);
  // Without a token, ask once whether the server wants one at all, before offering the sign-in page.
  const [probing, setProbing] = useState(() => token === null);
  useEffect(() => {
    if (!probing) return;
    let stopped = false;
    fetch('/api/me').then((answer) => {
      if (stopped) return;
      if (answer.ok) setToken(NO_TOKEN_NEEDED);
      setProbing(false);
    }, () => !stopped && setProbing(false));
    return () => {
      stopped = true;
    };
  }, [probing]);
  const [me, setMe] = useState<Me | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const signOut = useCallback((why: string | null) => {
    forgetToken(window.sessionStorage);
    setToken(null);
    setMe(null);
    setProblem(why);
  }, []);

  const api = useMemo(() => (token ? new ApiClient(token, (e: ApiError) => signOut(
    e.code === 'invalid_token' ? 'That token is not valid (or no longer is). Paste a current one.' : e.message)) : null),
  [token, signOut]);

  useEffect(() => {
    if (!api) return;
    let stopped = false;
    const check = () => api.me().then((who) => !stopped && setMe(who), (e: unknown) => {
      if (stopped || (e instanceof ApiError && e.status === 401)) return; // signOut has said why
      setProblem(e instanceof ApiError ? e.message : String(e));
      setTimeout(check, 3000); // the service may be starting; keep trying
    });
    void check();
    return () => {
      stopped = true;
    };
  }, [api]);

  const signIn = (value: string) => {
    storeToken(window.sessionStorage, value);
    setProblem(null);
    setToken(value);
  };

  if (!api) {
    return probing
      ? <main className="sign-in"><section className="panel"><p className="muted">Connecting…</p></section></main>
      : <SignIn problem={problem} onToken={signIn} />;
  }
  if (!me) {
    return (
      <main className="sign-in">
        <section className="panel">
          <p className="muted">{problem ?? 'Signing in…'}</p>
          <button type="button" onClick={() => signOut(null)}>Use another token</button>
        </section>
      </main>
    );
  }
  return (
    <Announcer>
      <Shell api={api} me={me} onSignOut={() => signOut(null)} />
    </Announcer>
  );
}

function Shell({ api, me, onSignOut }: { api: ApiClient; me: Me; onSignOut: () => void }) {
  const route = useRoute();
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="top">
        <Link to={{ page: 'leases' }} className="brand">ContainerLease</Link>
        <nav aria-label="Main">
          <Link to={{ page: 'leases' }} className={route.page !== 'activity' ? 'current' : ''}>Leases</Link>
          <Link to={{ page: 'activity' }} className={route.page === 'activity' ? 'current' : ''}>Activity</Link>
        </nav>
        <span className="who">
          <span data-testid="user">{me.user}</span>{me.admin && <span className="badge badge-admin">admin</span>}
          <button type="button" className="link-button" onClick={onSignOut}>Sign out</button>
        </span>
      </header>
      <main id="main">
        {route.page === 'lease' && <LeasePage key={route.id} api={api} id={route.id} />}
        {route.page === 'activity' && <ActivityPage api={api} me={me} />}
        {route.page === 'leases' && (
          <div className="leases-page">
            <ProvisionForm api={api} onProvisioned={(lease) => navigate({ page: 'lease', id: lease.id })} />
            <LeaseList api={api} />
          </div>
        )}
      </main>
    </>
  );
}
