import type { ApiClient } from './client';
import type { ContainerState, ContainerStatus } from './types';

/** Control messages every lease socket may carry (terminal and logs alike). */
export type LeaseControl =
  | { type: 'expiring'; expiryTime: string; secondsLeft: number }
  | { type: 'extended'; expiryTime: string }
  | { type: 'ended'; reason: string }
  | { type: 'container'; state: ContainerState; exitCode?: number; oomKilled: boolean; health?: ContainerStatus['health'] };

export function isLeaseControl(message: { type?: string }): message is LeaseControl {
  return message.type === 'expiring' || message.type === 'extended' || message.type === 'ended' || message.type === 'container';
}

/** Opens /ws/... on this page's own origin with a fresh single-use ticket (browsers cannot send a token header). */
export async function openLeaseSocket(api: ApiClient, path: string, query: URLSearchParams): Promise<WebSocket> {
  const ticket = await api.ticket();
  query.set('ticket', ticket);
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${window.location.host}${path}?${query}`);
  socket.binaryType = 'arraybuffer';
  return socket;
}

/** Waits a little longer after each failure, up to a limit, so a service that is down is not hammered. */
export class Backoff {
  private failures = 0;

  constructor(private readonly firstMs = 500, private readonly maxMs = 10_000) {}

  next(): number {
    const delay = Math.min(this.maxMs, this.firstMs * 2 ** this.failures);
    this.failures++;
    return delay * (0.8 + Math.random() * 0.4);
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Close codes after which coming back cannot help. */
export const FINAL_CLOSE_CODES = new Set([4400, 4401, 4404, 4409]);
