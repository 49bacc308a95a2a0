import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import type { Catalog } from '../api/types';
import { ProvisionForm } from './ProvisionForm';

const catalog: Catalog = {
  imageTypes: [
    { imageType: 'busybox', description: 'BusyBox', defaultDurationSeconds: 1800, terminal: true,
      sessionDefaults: { disconnectGraceSeconds: null, idleTimeoutSeconds: 600 }, memoryMb: 128, cpus: 0.5 },
  ],
  minDurationSeconds: 1,
  maxDurationSeconds: 86400,
};

/** A hand-written stand-in for the service: the catalog, and one canned answer to provision. */
function fakeService(provisionAnswer: { status: number; body: unknown }) {
  const sent: unknown[] = [];
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    if (path === '/api/catalog') return new Response(JSON.stringify(catalog), { status: 200 });
    if (path === '/api/provision') {
      sent.push(JSON.parse(String(init?.body)));
      return new Response(JSON.stringify(provisionAnswer.body), { status: provisionAnswer.status });
    }
    return new Response('{}', { status: 404 });
  };
  return { api: new ApiClient('token', () => {}, fetchFn as typeof fetch), sent };
}

describe('ProvisionForm', () => {
  it('shows the API’s refusal next to the field it names', async () => {
    const { api, sent } = fakeService({ status: 400,
      body: { error: { code: 'invalid_field', message: "'idleTimeoutSeconds' must be between 1 and 86400" } } });
    render(<ProvisionForm api={api} onProvisioned={() => {}} />);
    const user = userEvent.setup();
    await screen.findByLabelText('Image type');
    await user.click(screen.getByText('Ending early, environment and secrets'));
    await user.type(screen.getByLabelText(/End after this long/), '999999');
    await user.click(screen.getByRole('button', { name: 'Provision' }));
    const idle = screen.getByLabelText(/End after this long/);
    await waitFor(() => expect(idle.getAttribute('aria-invalid')).toBe('true'));
    expect(idle.parentElement!.textContent).toContain("'idleTimeoutSeconds' must be between 1 and 86400");
    expect(sent).toEqual([{ imageType: 'busybox', durationSeconds: 1800, idleTimeoutSeconds: 999999 }]);
  });

  it('puts a duration refusal under the duration', async () => {
    const { api } = fakeService({ status: 400,
      body: { error: { code: 'invalid_duration', message: "a lease's duration must be between 1 s and 24 h" } } });
    render(<ProvisionForm api={api} onProvisioned={() => {}} />);
    const user = userEvent.setup();
    await screen.findByLabelText('Image type');
    await user.click(screen.getByRole('button', { name: 'Provision' }));
    const duration = await screen.findByText(/duration must be between/);
    expect(duration.closest('fieldset')!.querySelector('legend')!.textContent).toBe('Duration');
  });

  it('checks a custom duration against the bounds before asking', async () => {
    const { api, sent } = fakeService({ status: 201, body: {} });
    render(<ProvisionForm api={api} onProvisioned={() => {}} />);
    const user = userEvent.setup();
    await screen.findByLabelText('Image type');
    await user.click(screen.getByLabelText('Custom'));
    const value = screen.getByLabelText('Custom duration');
    await user.clear(value);
    await user.type(value, '30');
    await user.selectOptions(screen.getByLabelText('Unit'), 'hours');
    await user.click(screen.getByRole('button', { name: 'Provision' }));
    expect(await screen.findByText(/A lease lasts between 1 s and 24 h/)).toBeTruthy();
    expect(sent).toEqual([]);
  });

  it('sends env and secrets, then forgets the secrets', async () => {
    const lease = { id: '01m8033dce7fxx86sz54ktzqb1' };
    const { api, sent } = fakeService({ status: 201, body: lease });
    let provisioned: unknown = null;
    render(<ProvisionForm api={api} onProvisioned={(l) => (provisioned = l)} />);
    const user = userEvent.setup();
    await screen.findByLabelText('Image type');
    await user.click(screen.getByText('Ending early, environment and secrets'));
    await user.click(screen.getByText('+ Add a variable'));
    await user.type(screen.getByLabelText('Environment name 1'), 'MODE');
    await user.type(screen.getByLabelText('Environment value 1'), 'demo');
    await user.click(screen.getByText('+ Add a secret'));
    await user.type(screen.getByLabelText('Secret environment name 1'), 'API_KEY');
    const secret = screen.getByLabelText('Secret environment value 1');
    expect(secret.getAttribute('type')).toBe('password');
    await user.type(secret, 's3cret-value');
    await user.click(screen.getByRole('button', { name: 'Provision' }));
    await waitFor(() => expect(provisioned).toEqual(lease));
    expect(sent).toEqual([{ imageType: 'busybox', durationSeconds: 1800, env: { MODE: 'demo' }, secretEnv: { API_KEY: 's3cret-value' } }]);
    expect(screen.queryByLabelText('Secret environment value 1')).toBeNull();
  });

  it('offers an image type whose image cannot be had as unavailable, and starts on one that can be leased', async () => {
    const withRegistryDown: Catalog = { ...catalog, imageTypes: [
      { ...catalog.imageTypes[0], imageType: 'ubuntu', available: false,
        unavailableReason: 'image ubuntu:24.04 cannot be pulled: its registry is out of reach' },
      catalog.imageTypes[0],
    ] };
    const fetchFn = async () => new Response(JSON.stringify(withRegistryDown), { status: 200 });
    render(<ProvisionForm api={new ApiClient('token', () => {}, fetchFn as typeof fetch)} onProvisioned={() => {}} />);
    const select = await screen.findByLabelText<HTMLSelectElement>('Image type');
    await waitFor(() => expect(select.value).toBe('busybox'));
    const ubuntu = [...select.options].find((o) => o.value === 'ubuntu')!;
    expect(ubuntu.disabled).toBe(true);
    expect(ubuntu.textContent).toBe('ubuntu (unavailable)');
    expect(screen.queryByTestId('type-unavailable')).toBeNull();
  });
});

