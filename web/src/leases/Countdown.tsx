import type { Lease } from '../api/types';
import type { ServerClock } from '../time/serverClock';
import { useSecondTick } from '../time/ticker';
import { formatDuration, formatFull } from '../time/format';
import { firstEnd, firstEndText, isLive, urgency } from './describe';

const ENDS_BY: Record<string, string> = { expired: 'expires', idle: 'ends for being idle', disconnected: 'ends: nobody connected' };

/**
 * Time left on a live lease until whichever of its ends comes first (its expiry, its idle
 * timeout, or the grace after its last connection closed), by the server's clock (not the
 * browser's), with the rule it counts to. Amber below a quarter of that rule's span, red below a
 * minute. Only this small part re-renders every second.
 */
export function Countdown({ lease, clock, explain = true }: { lease: Lease; clock: ServerClock; explain?: boolean }) {
  useSecondTick();
  if (!isLive(lease)) return null;
  const now = clock.now();
  const end = firstEnd(lease);
  const level = urgency(lease, now);
  return (
    <span className="countdown-wrap">
      <span className={`countdown countdown-${level}`} data-testid="countdown" data-level={level} data-reason={end.reason}
        title={`${ENDS_BY[end.reason]} ${formatFull(new Date(end.at).toISOString())}`}>
        {formatDuration((end.at - now) / 1000)}
      </span>
      {explain && <span className="next-end">{firstEndText(lease)}</span>}
    </span>
  );
}
