import { memo, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Lease } from '../api/types';
import type { ServerClock } from '../time/serverClock';
import { formatDateTime } from '../time/format';
import { Link } from '../ui/Link';
import { ContainerControls } from './ContainerControls';
import { Countdown } from './Countdown';
import { endReasonText, isLive } from './describe';
import { LeaseActions } from './LeaseActions';
import { StatusBadge } from './StatusBadge';
import { useLeases } from './useLeases';

/** The user's leases (an admin's: everyone's), live first, following changes made anywhere. */
export function LeaseList({ api }: { api: ApiClient }) {
  const [includeEnded, setIncludeEnded] = useState(false);
  const list = useLeases(api, includeEnded);
  const live = list.leases.filter(isLive).length;
  return (
    <section className="panel" aria-labelledby="leases-heading">
      <div className="panel-head">
        <h2 id="leases-heading">Leases <span className="count">{live} live</span></h2>
        <label className="toggle">
          <input type="checkbox" checked={includeEnded} onChange={(e) => setIncludeEnded(e.target.checked)} />
          Show ended leases
        </label>
      </div>
      {list.error && <p className="note note-error" role="alert">{list.error.message}</p>}
      {list.loading ? (
        <p className="muted">Loading…</p>
      ) : list.leases.length === 0 ? (
        <p className="muted empty">No leases yet. Provision one with the form; it appears here with its countdown.</p>
      ) : (
        <ul className="lease-list" data-testid="lease-list">
          {list.leases.map((lease) => (
            <LeaseRow key={lease.id} lease={lease} api={api} clock={api.clock} onChanged={list.replace}
              onReleased={list.refresh} />
          ))}
        </ul>
      )}
      {list.hasMore && (
        <button type="button" className="more" onClick={list.showMore}>Show more</button>
      )}
    </section>
  );
}

interface RowProps {
  lease: Lease;
  api: ApiClient;
  clock: ServerClock;
  onChanged: (lease: Lease) => void;
  onReleased: () => void;
}

/** One lease. Memoised: a refresh that changes nothing about it does not re-render it. */
const LeaseRow = memo(function LeaseRow({ lease, api, clock, onChanged, onReleased }: RowProps) {
  const live = isLive(lease);
  return (
    <li className={`lease-row ${live ? 'live' : 'ended'}`} data-testid="lease-row" data-lease-id={lease.id}>
      <div className="lease-main">
        <Link to={{ page: 'lease', id: lease.id }} className="lease-title">
          <strong>{lease.imageType}</strong> <code className="lease-id">{lease.id}</code>
        </Link>
        <StatusBadge lease={lease} />
        {live && lease.connections !== undefined && (
          <span className="muted connections" title="Open terminals and log streams">
            {lease.connections} {lease.connections === 1 ? 'connection' : 'connections'}
          </span>
        )}
      </div>
      {live ? (
        <div className="lease-time"><Countdown lease={lease} clock={clock} /></div>
      ) : (
        <div className="lease-time">
          <span className={`end-reason end-${lease.endReason ?? 'pending'}`}>{endReasonText(lease)}</span>
          {lease.endedAt && <span className="muted"> · {formatDateTime(lease.endedAt)}</span>}
        </div>
      )}
      {live && <ContainerControls api={api} lease={lease} onChanged={onChanged} />}
      {live && <LeaseActions api={api} lease={lease} onChanged={onChanged} onReleased={onReleased} />}
    </li>
  );
}, (a, b) => a.api === b.api && a.onChanged === b.onChanged && a.onReleased === b.onReleased
  && sameLease(a.lease, b.lease));

/** What a row shows: remainingSeconds changes on every refresh, but the countdown computes its own. */
function sameLease(a: Lease, b: Lease): boolean {
  const { remainingSeconds: _a, ...restA } = a;
  const { remainingSeconds: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}
