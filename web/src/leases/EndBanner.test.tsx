import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lease } from '../api/types';
import { ServerClock } from '../time/serverClock';
import { EndBanner } from './EndBanner';

const T0 = Date.parse('2026-11-22T10:00:00Z');

function lease(overrides: Partial<Lease> = {}): Lease {
  return {
    id: '01m8033dce7fxx86sz54ktzqb1', imageType: 'busybox', status: 'running',
    createdAt: new Date(T0 - 20 * 60_000).toISOString(), expiryTime: new Date(T0 + 10 * 60_000).toISOString(),
    maxExpiryTime: new Date(T0 + 24 * 3600_000).toISOString(), remainingSeconds: 600, connections: 1, ...overrides,
  };
}

function show(l: Lease, warned = false) {
  const handlers = { onExtend: vi.fn(), onStillHere: vi.fn(), onOpenTerminal: vi.fn(), onRefresh: vi.fn() };
  render(<EndBanner lease={l} clock={new ServerClock()} warned={warned} {...handlers} />);
  return handlers;
}

describe('EndBanner', () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));
  afterEach(() => vi.useRealTimers());

  it('says nothing while every end is more than a minute away', () => {
    show(lease({ idleTimeoutSeconds: 300, nextEnd: { reason: 'idle', at: new Date(T0 + 90_000).toISOString() } }));
    expect(screen.queryByTestId('expiring-banner')).toBeNull();
  });

  it('warns of an idle end, says so, and offers to count as use', () => {
    const handlers = show(lease({ idleTimeoutSeconds: 300, nextEnd: { reason: 'idle', at: new Date(T0 + 40_000).toISOString() } }));
    expect(screen.getByTestId('expiring-banner').textContent).toContain('ends in 40 s for being idle');
    fireEvent.click(screen.getByRole('button', { name: 'I’m still here' }));
    expect(handlers.onStillHere).toHaveBeenCalledOnce();
    expect(handlers.onExtend).not.toHaveBeenCalled();
  });

  it('asks for the lease again every few seconds while it shows', () => {
    const handlers = show(lease({ idleTimeoutSeconds: 300, nextEnd: { reason: 'idle', at: new Date(T0 + 40_000).toISOString() } }));
    vi.advanceTimersByTime(10_000);
    expect(handlers.onRefresh).toHaveBeenCalledTimes(2);
  });

  it('warns of the end of the disconnect grace and offers a terminal', () => {
    const handlers = show(lease({ disconnectGraceSeconds: 30, connections: 0,
      nextEnd: { reason: 'disconnected', at: new Date(T0 + 20_000).toISOString() } }));
    expect(screen.getByTestId('expiring-banner').textContent).toContain('nobody is connected');
    fireEvent.click(screen.getByRole('button', { name: 'Open a terminal' }));
    expect(handlers.onOpenTerminal).toHaveBeenCalledOnce();
  });

  it('shows the server’s expiry warning with an extension, however far the expiry', () => {
    const handlers = show(lease(), true);
    expect(screen.getByTestId('expiring-banner').textContent).toContain('This lease expires in 10 min');
    fireEvent.click(screen.getByRole('button', { name: 'Extend 15 min' }));
    expect(handlers.onExtend).toHaveBeenCalledOnce();
  });
});
