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

/** The rule that ends a live lease first, when, and how long that rule's whole span is. */
export interface FirstEnd {
  reason: 'expired' | 'idle' | 'disconnected';
  /** Epoch milliseconds, by the server's clock. */
  at: number;
  /** The rule's whole span, in milliseconds: the lease's life, its idle timeout or its grace. */
  span: number;
}

/** Whichever comes first of the expiry and the server's next end (idle, or nobody connected). */
export function firstEnd(lease: Lease): FirstEnd {
  const expiry = Date.parse(lease.expiryTime);
  const byExpiry: FirstEnd = { reason: 'expired', at: expiry, span: expiry - Date.parse(lease.createdAt) };
  const next = lease.nextEnd;
  if (!next || next.reason === 'expired') return byExpiry;
  const at = Date.parse(next.at);
  if (!(at < expiry)) return byExpiry;
  if (next.reason === 'idle') return { reason: 'idle', at, span: (lease.idleTimeoutSeconds ?? 0) * 1000 };
  return { reason: 'disconnected', at, span: (lease.disconnectGraceSeconds ?? 0) * 1000 };
}

/** What the big countdown counts to, in a few words: "until it expires at 14:05". */
export function firstEndText(lease: Lease): string {
  const end = firstEnd(lease);
  const graceRule =
    lease.disconnectGraceSeconds && (lease.connections ?? 0) > 0
      ? `; it ends ${roughDuration(lease.disconnectGraceSeconds)} after the last tab closes`
      : '';
  const otherwise = `it expires at ${formatClock(lease.expiryTime)} otherwise`;
  switch (end.reason) {
    case 'idle':
      return `until it ends for being idle (no input or API call for ${roughDuration(lease.idleTimeoutSeconds ?? 0)}); ${otherwise}`;
    case 'disconnected':
      return `until it ends because nobody is connected; ${otherwise}`;
    default:
      return `until it expires at ${formatClock(lease.expiryTime)}${graceRule}`;
  }
}

export type Urgency = 'calm' | 'soon' | 'urgent';

/** For the first end: amber below a quarter of its rule's span, red below a minute. */
export function urgency(lease: Lease, serverNow: number): Urgency {
  const end = firstEnd(lease);
  const remaining = end.at - serverNow;
  if (remaining < 60_000) return 'urgent';
  if (remaining < end.span / 4) return 'soon';
  return 'calm';
}

export function isLive(lease: Lease): boolean {
  return lease.status === 'running' || lease.status === 'provisioning';
}
