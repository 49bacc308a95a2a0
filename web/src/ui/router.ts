import { useEffect, useState } from 'react';

/** The console's few pages, addressed by path so a link or a reload lands on the same page. */
export type Route = { page: 'leases' } | { page: 'lease'; id: string } | { page: 'activity' };

export function parseRoute(path: string): Route {
  const lease = /^\/leases\/([0-9a-z]{26})\/?$/.exec(path);
  if (lease) return { page: 'lease', id: lease[1] };
  if (path === '/activity' || path === '/activity/') return { page: 'activity' };
  return { page: 'leases' };
}

export function pathOf(route: Route): string {
  switch (route.page) {
    case 'lease':
      return `/leases/${route.id}`;
    case 'activity':
      return '/activity';
    default:
      return '/';
  }
}

const NAVIGATE = 'containerlease:navigate';

export function navigate(route: Route): void {
  window.history.pushState(null, '', pathOf(route));
  window.dispatchEvent(new Event(NAVIGATE));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return route;
}
