import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/client';
import { useEvents } from '../api/events';
import type { Lease } from '../api/types';

/** How often the list asks again while the event channel is down, so changes show within 2 s anyway. */
export const REFRESH_MS = 1500;
/** While events arrive, a slow refresh still picks up what no event announces (connection counts). */
export const QUIET_REFRESH_MS = 10_000;
/** Events come in bursts (a release is ending, ended, activity): one refresh for a burst. */
const EVENT_SETTLE_MS = 100;
const PAGE = 100;
const MAX_PAGE = 500;

export interface LeaseList {
  leases: Lease[];
  loading: boolean;
  error: ApiError | null;
  hasMore: boolean;
  showMore: () => void;
  refresh: () => Promise<void>;
  /** Puts a lease the page already knows about (an answer to extend) in place at once. */
  replace: (lease: Lease) => void;
}

/**
 * The user's leases, kept current by asking again every REFRESH_MS while the page is visible. The
 * list grows a page at a time (cursor paging); a refresh fetches as many as are shown.
 */
export function useLeases(api: ApiClient, includeEnded: boolean): LeaseList {
  const [leases, setLeases] = useState<Lease[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [wanted, setWanted] = useState(PAGE);
  const generation = useRef(0);

  // The answer arrives in a promise's callbacks, never while an effect runs: only the newest refresh's counts.
  const refresh = useCallback((): Promise<void> => {
    const mine = ++generation.current;
    return fetchLeases(api, includeEnded, wanted).then(
      ({ rows, more }) => {
        if (mine !== generation.current) return; // a newer refresh has started; its answer wins
        setLeases(rows);
        setHasMore(more);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== generation.current) return;
        setError(e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e)));
        setLoading(false);
      },
    );
  }, [api, includeEnded, wanted]);

  // Changes come as events; the list asks again when one arrives, and polls only while the channel is down.
  const [channelLive, setChannelLive] = useState(false);
  const settle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEvents(api, (event) => {
    if (event.type === 'activity') return;
    clearTimeout(settle.current);
    settle.current = setTimeout(() => void refresh(), EVENT_SETTLE_MS);
  }, setChannelLive);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void refresh();
    }, channelLive ? QUIET_REFRESH_MS : REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh, channelLive]);

  const showMore = useCallback(() => setWanted((w) => w + PAGE), []);
  const replace = useCallback((lease: Lease) => {
    setLeases((rows) => rows.map((row) => (row.id === lease.id ? { ...row, ...lease } : row)));
  }, []);
  return { leases, loading, error, hasMore, showMore, refresh, replace };
}

/** As many of the user's leases as are wanted, a page at a time; whether there are more. */
async function fetchLeases(api: ApiClient, includeEnded: boolean, wanted: number): Promise<{ rows: Lease[]; more: boolean }> {
  const rows: Lease[] = [];
  let cursor: string | null = null;
  let more: boolean;
  do {
    const page = await api.leases({ all: includeEnded, limit: Math.min(MAX_PAGE, wanted - rows.length), cursor });
    rows.push(...page.containers);
    cursor = page.nextCursor;
    more = cursor !== null;
  } while (more && rows.length < wanted);
  return { rows, more };
}
