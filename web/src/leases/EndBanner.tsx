import { useEffect } from 'react';
import type { Lease } from '../api/types';
import type { ServerClock } from '../time/serverClock';
import { useSecondTick } from '../time/ticker';
import { roughDuration } from '../time/format';
import { firstEnd, isLive } from './describe';

/** How soon before the first end the banner shows, when the server has not warned already. */
const SHOW_WITHIN_MS = 60_000;

interface Props {
  lease: Lease;
  clock: ServerClock;
  /** The server warned that the lease expires soon (its `expiring` message). */
  warned: boolean;
  onExtend: () => void;
  onStillHere: () => void;
  onOpenTerminal: () => void;
  /** Asks for the lease again (without counting as use), so what a keystroke changed shows in seconds. */
  onRefresh: () => void;
}

/** How often the lease is asked for while the banner shows. */
const REFRESH_MS = 5_000;

/**
 * A warning when the lease is about to end, for whichever end comes first, saying which and what
 * keeps it: an extension for the expiry, any use for the idle timeout, a connection for the grace.
 */
export function EndBanner({ lease, clock, warned, onExtend, onStillHere, onOpenTerminal, onRefresh }: Props) {
  useSecondTick();
  const end = firstEnd(lease);
  const left = (end.at - clock.now()) / 1000;
  const shown = isLive(lease) && ((warned && end.reason === 'expired') || left * 1000 <= SHOW_WITHIN_MS);
  useEffect(() => {
    if (!shown) return;
    const timer = setInterval(onRefresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, [shown, onRefresh]);
  if (!shown) return null;
  const inWords = left <= 0 ? 'now' : `in ${roughDuration(left)}`;
  const [text, action, onAction] = end.reason === 'idle'
    ? [`This lease ends ${inWords} for being idle. Type in a terminal, or say you are here, to keep it.`,
      'I’m still here', onStillHere]
    : end.reason === 'disconnected'
      ? [`This lease ends ${inWords}: nobody is connected to it. Open a terminal to keep it.`,
        'Open a terminal', onOpenTerminal]
      : [`This lease expires ${inWords}. Extend it to keep your work.`, 'Extend 15 min', onExtend];
  return (
    <div className="expiring-banner" data-testid="expiring-banner" data-reason={end.reason} role="status">
      <span>{text}</span>
      <button type="button" className="primary" onClick={onAction}>{action}</button>
    </div>
  );
}
