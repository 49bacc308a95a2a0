/**
 * Where the console keeps the token: session storage (gone when the tab closes, never sent
 * anywhere but in the Authorization header). A sign-in link carries it in the address's fragment,
 * which browsers never send to a server; it is taken from there and removed at once.
 */
const KEY = 'containerlease.token';

export function tokenFromFragment(location: Location, history: History): string | null {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  const params = new URLSearchParams(hash);
  const token = params.get('token');
  if (token === null) return null;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  return token.trim() || null;
}

export function storedToken(storage: Storage): string | null {
  return storage.getItem(KEY);
}

export function storeToken(storage: Storage, token: string): void {
  storage.setItem(KEY, token);
}

export function forgetToken(storage: Storage): void {
  storage.removeItem(KEY);
}
