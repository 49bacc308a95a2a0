import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lease } from '../api/types';
import { ServerClock } from '../time/serverClock';
import { Countdown } from './Countdown';

const T0 = Date.parse('2026-11-22T10:00:00Z');

function lease(overrides: Partial<Lease> = {}): Lease {
  return {
    id: '01m8033dce7fxx86sz54ktzqb1', imageType: 'busybox', status: 'running',
    createdAt: new Date(T0 - 20 * 60_000).toISOString(), expiryTime: new Date(T0 + 10 * 60_000).toISOString(),
    maxExpiryTime: new Date(T0 + 24 * 3600_000).toISOString(), remainingSeconds: 600, connections: 0, ...overrides,
  };
}

describe('Countdown', () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));
  afterEach(() => vi.useRealTimers());

  it('counts down by the server clock, not the browser clock', () => {
    // The browser's clock is 2 minutes slow: the server is at T0 when the browser reads T0 - 2 min.
    vi.setSystemTime(T0 - 120_000);
    const clock = new ServerClock();
    clock.observe(new Date(T0).toISOString(), T0 - 120_000, T0 - 120_000);
    render(<Countdown lease={lease()} clock={clock} />);
    expect(screen.getByTestId('countdown').textContent).toBe('10 min 00 s');
    act(() => {
      vi.advanceTimersByTime(5_000);
    });
    expect(screen.getByTestId('countdown').textContent).toBe('9 min 55 s');
  });

  it('turns amber below a quarter of the lease life and red below a minute', () => {
    const clock = new ServerClock();
    // 30 min life, 10 min left: calm. 
    const { rerender } = render(<Countdown lease={lease()} clock={clock} />);
    expect(screen.getByTestId('countdown').dataset.level).toBe('calm');
    // 40 min life, 9 min left: below a quarter.
    rerender(<Countdown lease={lease({ createdAt: new Date(T0 - 31 * 60_000).toISOString(),
      expiryTime: new Date(T0 + 9 * 60_000).toISOString() })} clock={clock} />);
    expect(screen.getByTestId('countdown').dataset.level).toBe('soon');
    rerender(<Countdown lease={lease({ expiryTime: new Date(T0 + 59_000).toISOString() })} clock={clock} />);
    expect(screen.getByTestId('countdown').dataset.level).toBe('urgent');
  });

  it('says which rule ends the lease next', () => {
    const clock = new ServerClock();
    render(<Countdown lease={lease({ idleTimeoutSeconds: 300, nextEnd: { reason: 'idle', at: new Date(T0 + 240_000).toISOString() } })}
      clock={clock} />);
    expect(screen.getByText(/ends in 4 min: idle/)).toBeTruthy();
  });

  it('says when nobody is connected and the grace is running', () => {
    const clock = new ServerClock();
    render(<Countdown lease={lease({ disconnectGraceSeconds: 20, connections: 0,
      nextEnd: { reason: 'disconnected', at: new Date(T0 + 15_000).toISOString() } })} clock={clock} />);
    expect(screen.getByText(/ends in 15 s: nobody is connected/)).toBeTruthy();
  });

  it('explains the disconnect grace while someone is connected', () => {
    const clock = new ServerClock();
    render(<Countdown lease={lease({ disconnectGraceSeconds: 20, connections: 1,
      nextEnd: { reason: 'expired', at: new Date(T0 + 600_000).toISOString() } })} clock={clock} />);
    expect(screen.getByText(/ends 20 s after the last tab closes/)).toBeTruthy();
  });
});
