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

  it('counts to the idle end when it comes before the expiry, says so, and colours by it', () => {
    const clock = new ServerClock();
    render(<Countdown lease={lease({ idleTimeoutSeconds: 300, nextEnd: { reason: 'idle', at: new Date(T0 + 58_000).toISOString() } })}
      clock={clock} />);
    const countdown = screen.getByTestId('countdown');
    expect(countdown.textContent).toBe('58 s');
    expect(countdown.dataset.reason).toBe('idle');
    expect(countdown.dataset.level).toBe('urgent');
    expect(screen.getByText(/until it ends for being idle \(no input or API call for 5 min\); it expires at .* otherwise/)).toBeTruthy();
  });

  it('turns amber below a quarter of the idle timeout, not of the lease life', () => {
    const clock = new ServerClock();
    render(<Countdown lease={lease({ idleTimeoutSeconds: 600, nextEnd: { reason: 'idle', at: new Date(T0 + 120_000).toISOString() } })}
      clock={clock} />);
    expect(screen.getByTestId('countdown').dataset.level).toBe('soon');
  });

  it('counts to the end of the disconnect grace when nobody is connected', () => {
    const clock = new ServerClock();
    render(<Countdown lease={lease({ disconnectGraceSeconds: 20, connections: 0,
      nextEnd: { reason: 'disconnected', at: new Date(T0 + 15_000).toISOString() } })} clock={clock} />);
    expect(screen.getByTestId('countdown').textContent).toBe('15 s');
    expect(screen.getByTestId('countdown').dataset.reason).toBe('disconnected');
    expect(screen.getByText(/until it ends because nobody is connected/)).toBeTruthy();
  });

  it('counts to the expiry when the next end the server names is later', () => {
    const clock = new ServerClock();
    render(<Countdown lease={lease({ idleTimeoutSeconds: 3600, nextEnd: { reason: 'idle', at: new Date(T0 + 3_600_000).toISOString() } })}
      clock={clock} />);
    expect(screen.getByTestId('countdown').textContent).toBe('10 min 00 s');
    expect(screen.getByTestId('countdown').dataset.reason).toBe('expired');
  });

  it('explains the disconnect grace while someone is connected', () => {
    const clock = new ServerClock();
    render(<Countdown lease={lease({ disconnectGraceSeconds: 20, connections: 1,
      nextEnd: { reason: 'expired', at: new Date(T0 + 600_000).toISOString() } })} clock={clock} />);
    expect(screen.getByText(/until it expires at .*; it ends 20 s after the last tab closes/)).toBeTruthy();
  });
});
