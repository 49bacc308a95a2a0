import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import type { Lease } from '../api/types';
import { ContainerControls } from './ContainerControls';

const base: Lease = {
  id: '01m8033dce7fxx86sz54ktzqb1', imageType: 'busybox', status: 'running', createdAt: '2026-11-22T10:00:00Z',
  expiryTime: '2026-11-22T11:00:00Z', maxExpiryTime: '2026-11-23T10:00:00Z', remainingSeconds: 3600,
  container: { state: 'exited', exitCode: 3, oomKilled: false, restartCount: 0 },
};

describe('ContainerControls', () => {
  it('says how the program ended and offers to start it again', async () => {
    const asked: string[] = [];
    const fetchFn = async (input: RequestInfo | URL, init?: RequestInit) => {
      asked.push(`${init?.method} ${String(input)}`);
      return new Response(JSON.stringify({ ...base, container: { state: 'running', oomKilled: false, restartCount: 0 } }));
    };
    let changed: Lease | null = null;
    render(<ContainerControls api={new ApiClient('t', () => {}, fetchFn as typeof fetch)} lease={base} onChanged={(l) => (changed = l)} />);
    expect(screen.getByTestId('container-state').textContent).toBe('exited (code 3)');
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(changed?.container?.state).toBe('running'));
    expect(asked).toEqual([`POST /api/containers/${base.id}/start`]);
  });

  it('offers stop, restart and pause for a running container, resume for a paused one, and shows health', () => {
    const api = new ApiClient('t', () => {}, (async () => new Response('{}')) as typeof fetch);
    const { rerender } = render(<ContainerControls api={api} onChanged={() => {}}
      lease={{ ...base, container: { state: 'running', oomKilled: false, restartCount: 2, health: 'healthy' } }} />);
    expect(screen.getAllByRole('button').map((b) => b.textContent)).toEqual(['Stop', 'Restart', 'Pause']);
    expect(screen.getByTestId('container-health').textContent).toBe('healthy');
    expect(screen.getByText('2 restarts')).toBeTruthy();
    rerender(<ContainerControls api={api} onChanged={() => {}}
      lease={{ ...base, container: { state: 'paused', oomKilled: false, restartCount: 0 } }} />);
    expect(screen.getAllByRole('button').map((b) => b.textContent)).toEqual(['Resume', 'Stop']);
  });

  it('says a program was killed for memory', () => {
    const api = new ApiClient('t', () => {}, (async () => new Response('{}')) as typeof fetch);
    render(<ContainerControls api={api} onChanged={() => {}}
      lease={{ ...base, container: { state: 'exited', exitCode: 137, oomKilled: true, restartCount: 0 } }} />);
    expect(screen.getByTestId('container-state').textContent).toBe('killed: out of memory');
  });

  it('says a process was killed for memory in a container that goes on running', () => {
    const api = new ApiClient('t', () => {}, (async () => new Response('{}')) as typeof fetch);
    render(<ContainerControls api={api} onChanged={() => {}}
      lease={{ ...base, container: { state: 'running', oomKilled: true, restartCount: 0 } }} />);
    expect(screen.getByTestId('container-state').textContent).toBe('running · a process was killed: out of memory');
  });

  it('asks before stopping a container with shells open, and tells the page what the user did', async () => {
    const asked: string[] = [];
    const fetchFn = async (input: RequestInfo | URL, init?: RequestInit) => {
      asked.push(`${init?.method} ${String(input)}`);
      return new Response(JSON.stringify({ ...base, container: { state: 'stopped', oomKilled: false, restartCount: 0 } }));
    };
    const done: string[] = [];
    render(<ContainerControls api={new ApiClient('t', () => {}, fetchFn as typeof fetch)} onChanged={() => {}}
      onAction={(a) => done.push(a)}
      lease={{ ...base, connections: 2, container: { state: 'running', oomKilled: false, restartCount: 0 } }} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(asked).toEqual([]);
    expect(screen.getByRole('group', { name: 'Confirm stop' }).textContent).toContain('ends the shells open in it (2 connections)');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('group', { name: 'Confirm stop' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    await user.click(screen.getByRole('button', { name: 'Stop anyway' }));
    await waitFor(() => expect(done).toEqual(['stop']));
    expect(asked).toEqual([`POST /api/containers/${base.id}/stop`]);
  });

  it('stops at once when nothing is connected', async () => {
    const asked: string[] = [];
    const fetchFn = async (input: RequestInfo | URL, init?: RequestInit) => {
      asked.push(`${init?.method} ${String(input)}`);
      return new Response(JSON.stringify(base));
    };
    render(<ContainerControls api={new ApiClient('t', () => {}, fetchFn as typeof fetch)} onChanged={() => {}}
      lease={{ ...base, connections: 0, container: { state: 'running', oomKilled: false, restartCount: 0 } }} />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(asked).toEqual([`POST /api/containers/${base.id}/stop`]));
  });
});
