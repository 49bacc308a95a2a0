import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useEvents } from '../api/events';
import { ApiError, type ApiClient } from '../api/client';
import type { ActivityEntry, Me } from '../api/types';
import { formatDateTime, formatFull } from '../time/format';
import { Link } from '../ui/Link';
import { useLatest } from '../ui/useLatest';

/** What was done, by whom, newest first: a user's own; an admin's everyone's, narrowed by user if asked. */
export function ActivityPage({ api, me }: { api: ApiClient; me: Me }) {
  const [entries, setEntries] = useState<ActivityEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [user, setUser] = useState('');
  const [appliedUser, setAppliedUser] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  // The answer arrives in a promise's callbacks, never while an effect runs; what asks sets `loading` first.
  const load = useCallback((from: string | null, forUser: string): Promise<void> =>
    api.activity({ cursor: from, user: forUser || undefined, limit: 50 }).then(
      (page) => {
        setEntries((old) => (from ? [...old, ...page.entries] : page.entries));
        setCursor(page.nextCursor);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        setError(e instanceof ApiError ? e.message : String(e));
        setLoading(false);
      },
    ), [api]);

  useEffect(() => {
    void load(null, appliedUser);
  }, [load, appliedUser]);

  // Once older pages are loaded the list stays as it is, so reading it is not disturbed.
  const cursorShown = useLatest(entries.length > 50);
  // New entries arrive as events: the first page is asked again (once per burst) while it is shown.
  const settle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEvents(api, (event) => {
    if (event.type !== 'activity' || (appliedUser && event.user !== appliedUser) || cursorShown.current) return;
    clearTimeout(settle.current);
    settle.current = setTimeout(() => void load(null, appliedUser), 200);
  });

  const applyFilter = (event: FormEvent) => {
    event.preventDefault();
    const wanted = user.trim();
    if (wanted !== appliedUser) {
      setLoading(true);
      setAppliedUser(wanted);
    }
  };

  return (
    <section className="panel" aria-labelledby="activity-heading">
      <div className="panel-head">
        <h2 id="activity-heading">Activity</h2>
        {me.admin && (
          <form className="inline-form" onSubmit={applyFilter} role="search">
            <label htmlFor="activity-user">User</label>
            <input id="activity-user" value={user} placeholder="everyone" onChange={(e) => setUser(e.target.value)} />
            <button type="submit">Filter</button>
          </form>
        )}
      </div>
      {error && <p className="note note-error" role="alert">{error}</p>}
      {!loading && entries.length === 0 && !error && <p className="muted empty">Nothing has happened yet.</p>}
      {entries.length > 0 && (
        <div className="table-wrap">
          <table className="activity">
            <thead>
              <tr><th scope="col">When</th><th scope="col">User</th><th scope="col">What</th><th scope="col">Lease</th>
                <th scope="col">Outcome</th><th scope="col">Why</th></tr>
            </thead>
            <tbody>
              {entries.map((e, i) => (
                <tr key={`${e.at}-${i}`}>
                  <td><time dateTime={e.at} title={formatFull(e.at)}>{formatDateTime(e.at)}</time></td>
                  <td>{e.user}</td>
                  <td>{e.action}</td>
                  <td>{e.leaseId ? <LeaseCell id={e.leaseId} /> : ''}</td>
                  <td><span className={`outcome outcome-${e.outcome}`}>{e.outcome}</span></td>
                  <td className="reason">{e.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" className="more" disabled={loading} onClick={() => {
          setLoading(true);
          void load(cursor, appliedUser);
        }}>
          {loading ? 'Loading…' : 'Older entries'}
        </button>
      )}
    </section>
  );
}

/** A lease's id, short to read, whole on hover, and copied whole with one click. */
function LeaseCell({ id }: { id: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => void navigator.clipboard?.writeText(id).then(() => {
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }, () => {});
  return (
    <span className="lease-cell">
      <Link to={{ page: 'lease', id }}><code title={id}>…{id.slice(-8)}</code></Link>
      <button type="button" className="icon copy" onClick={copy} aria-label={`Copy lease id ${id}`}
        title={copied ? 'Copied' : 'Copy the whole id'}>{copied ? '✓' : <CopyIcon />}</button>
    </span>
  );
}

/** Two overlapping sheets, drawn (not a font's glyph, which not every system has). */
function CopyIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.5">
      <rect x="5" y="5" width="9" height="9" rx="1.5" />
      <path d="M11 5V3.5A1.5 1.5 0 0 0 9.5 2h-6A1.5 1.5 0 0 0 2 3.5v6A1.5 1.5 0 0 0 3.5 11H5" />
    </svg>
  );
}
