import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api/client';
import { OpenPreview } from './OpenPreview';

const LEASE = '01m8033dce7fxx86sz54ktzqb1';
const catalog = {
  minDurationSeconds: 60, maxDurationSeconds: 86400,
  imageTypes: [{ imageType: 'web', description: null, defaultDurationSeconds: 1800, terminal: true,
    sessionDefaults: { disconnectGraceSeconds: null, idleTimeoutSeconds: null }, memoryMb: 64, cpus: 0.25,
    ports: [{ port: 8000, name: 'web', protocol: 'http' }] }],
};

function service() {
  const asked: string[] = [];
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit) => {
    asked.push(`${init?.method ?? 'GET'} ${String(input)} ${init?.body ?? ''}`);
    if (String(input) === '/api/catalog') return new Response(JSON.stringify(catalog));
    const port = JSON.parse(String(init?.body)).port as number;
    if (port === 9999) {
      return new Response(JSON.stringify({ error: { code: 'lease_not_running', message: 'the lease is ended' } }),
        { status: 409 });
    }
    return new Response(JSON.stringify({ port, url: `http://${port}-${LEASE}.localhost:8081/__containerlease/auth?token=t`,
      origin: `http://${port}-${LEASE}.localhost:8081`, expiresAt: '2026-12-04T10:01:00Z' }), { status: 201 });
  };
  return { api: new ApiClient('t', () => {}, fetchFn as typeof fetch), asked };
}

afterEach(() => vi.restoreAllMocks());

describe('OpenPreview', () => {
  it('opens a declared port, and any other, in a new tab with no way back to this one', async () => {
    const tab = { opener: {} as unknown, location: { href: '' }, close: vi.fn() };
    const open = vi.spyOn(window, 'open').mockImplementation(() => tab as unknown as Window);
    const { api, asked } = service();
    render(<OpenPreview api={api} leaseId={LEASE} imageType="web" />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Open web (8000)' }));
    await waitFor(() => expect(tab.location.href).toBe(`http://8000-${LEASE}.localhost:8081/__containerlease/auth?token=t`));
    expect(open).toHaveBeenCalledWith('about:blank', '_blank');
    expect(tab.opener).toBeNull();
    expect(asked).toContain(`POST /api/containers/${LEASE}/previews {"port":8000}`);

    await user.type(screen.getByLabelText('or port'), '3000{Enter}');
    await waitFor(() => expect(tab.location.href).toContain('http://3000-'));
  });

  it('says why a port cannot be opened, and closes the tab it opened', async () => {
    const tab = { opener: null, location: { href: '' }, close: vi.fn() };
    vi.spyOn(window, 'open').mockImplementation(() => tab as unknown as Window);
    const { api } = service();
    render(<OpenPreview api={api} leaseId={LEASE} imageType="web" />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/port/i), '70000{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('A port is a whole number from 1 to 65535.');
    await user.clear(screen.getByLabelText(/port/i));
    await user.type(screen.getByLabelText(/port/i), '9999{Enter}');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('the lease is ended'));
    expect(tab.close).toHaveBeenCalled();
  });
});
