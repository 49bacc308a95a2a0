import type { Lease } from '../api/types';
import type { ServerClock } from '../time/serverClock';
import { useSecondTick } from '../time/ticker';
import { formatDuration, formatFull } from '../time/format';
import { isLive, nextEndText, urgency } from './describe';

/**
 * Time left on a live lease, by the server's clock (not the browser's), turning amber below a
 * quarter of its life and red below a minute. Only this small part re-renders every second.
 */
export function Countdown({ lease, clock, explain = true }: { lease: Lease; clock: ServerClock; explain?: boolean }) {
  useSecondTick();
  if (!isLive(lease)) return null;
  const now = clock.now();
  const remaining = (Date.parse(lease.expiryTime) - now) / 1000;
  const level = urgency(lease, now);
  return (
    <span className="countdown-wrap">
      <span className={`countdown countdown-${level}`} data-testid="countdown" data-level={level}
        title={`expires ${formatFull(lease.expiryTime)}`}>
        {formatDuration(remaining)}
      </span>
      {explain && <span className="next-end">{nextEndText(lease, now)}</span>}
    </span>
  );
}
