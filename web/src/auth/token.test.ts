import { describe, expect, it } from 'vitest';
import { tokenFromFragment } from './token';

describe('tokenFromFragment', () => {
  it('takes the token from the address and removes it from the address bar', () => {
    window.history.replaceState(null, '', '/leases/abc?x=1#token=s3cr3t%2Btoken');
    expect(tokenFromFragment(window.location, window.history)).toBe('s3cr3t+token');
    expect(window.location.href).not.toContain('s3cr3t');
    expect(window.location.pathname + window.location.search).toBe('/leases/abc?x=1');
  });

  it('leaves an address without a token alone', () => {
    window.history.replaceState(null, '', '/activity#section');
    expect(tokenFromFragment(window.location, window.history)).toBeNull();
    expect(window.location.hash).toBe('#section');
  });
});
