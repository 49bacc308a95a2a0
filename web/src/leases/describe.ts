import type { Lease } from '../api/types';
import { formatClock, roughDuration } from '../time/format';

/** Why a lease ended, in words. */
export function endReasonText(lease: Lease): string {
  switch (lease.endReason) {
    case 'expired':
      return 'Expired: its time ran out';
    case 'released':
      return 'Released';
    case 'disconnected':
      return lease.disconnectGraceSeconds
        ? `Ended: nobody was connected for ${roughDuration(lease.disconnectGraceSeconds)}`
        : 'Ended: nobody was connected';
    case 'idle':
      return lease.idleTimeoutSeconds
        ? `Ended: idle for ${roughDuration(lease.idleTimeoutSeconds)}`
        : 'Ended: idle';
    case 'lost':
      return 'Lost: its container disappeared outside the service';
    case 'failed':
      return lease.detail ? `Failed to start: ${lease.detail}` : 'Failed to start';
    case 'exited':
      return 'Ended: its program ended by itself';
    default:
      return lease.status === 'ending' ? 'Ending: its container is being removed' : 'Ended';
  }
}

/** Which rule ends a live lease next, and when: "ends in 4 min: idle". */
export function nextEndText(lease: Lease, serverNow: number): string {
  const graceRule =
    lease.disconnectGraceSeconds && (lease.connections ?? 0) > 0
      ? `; ends ${roughDuration(lease.disconnectGraceSeconds)} after the last tab closes`
      : '';
  const expiry = `expires at ${formatClock(lease.expiryTime)}${graceRule}`;
  if (!lease.nextEnd || lease.nextEnd.reason === 'expired') return expiry;
  const inSeconds = (Date.parse(lease.nextEnd.at) - serverNow) / 1000;
  const when = inSeconds <= 0 ? 'ends now' : `ends in ${roughDuration(inSeconds)}`;
  switch (lease.nextEnd.reason) {
    case 'idle':
      return `${when}: idle (no input or API call for ${roughDuration(lease.idleTimeoutSeconds ?? 0)})${graceRule}`;
    default:
      return `${when}: nobody is connected (it ${expiry} otherwise)`;
  }
}

export type Urgency = 'calm' | 'soon' | 'urgent';

/** Amber below a quarter of the lease's life, red below a minute. */
export function urgency(lease: Lease, serverNow: number): Urgency {
  const expiry = Date.parse(lease.expiryTime);
  const remaining = expiry - serverNow;
  const life = expiry - Date.parse(lease.createdAt);
  if (remaining < 60_000) return 'urgent';
  if (remaining < life / 4) return 'soon';
  return 'calm';
}

export function isLive(lease: Lease): boolean {
  return lease.status === 'running' || lease.status === 'provisioning';
}
