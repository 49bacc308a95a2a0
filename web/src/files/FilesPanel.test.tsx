import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import type { FileListing } from '../api/types';
import { FilesPanel, joinPath, parentOf, permissions } from './FilesPanel';

const LEASE = '01m8033dce7fxx86sz54ktzqb1';

/** A container's tree as the service lists it, and every request the panel made. */
function service(tree: Record<string, FileListing>) {
  const asked: string[] = [];
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://console');
    const path = url.searchParams.get('path') ?? '';
    asked.push(`${init?.method ?? 'GET'} ${url.pathname} ${path}`);
    if (url.pathname.endsWith('/files/list')) {
      const found = tree[path === '.' ? '/work' : path];
      return found
        ? new Response(JSON.stringify(found))
        : new Response(JSON.stringify({ error: { code: 'file_not_found', message: `no such file: '${path}'` } }),
          { status: 404 });
    }
    if (init?.method === 'DELETE') return new Response(null, { status: 204 });
    if (init?.method === 'POST') return new Response(JSON.stringify({ path }), { status: 201 });
    return new Response('{}');
  };
  return { api: new ApiClient('t', () => {}, fetchFn as typeof fetch), asked };
}

const work: FileListing = {
  path: '/work', type: 'directory', truncated: false,
  entries: [
    { name: 'src', type: 'directory', size: 0, mode: '0755', modified: '2026-12-04T10:00:00Z' },
    { name: 'notes.txt', type: 'file', size: 2048, mode: '0644', modified: '2026-12-04T10:00:00Z' },
    { name: 'etc', type: 'symlink', size: 0, mode: '0777', modified: '2026-12-04T10:00:00Z', linkTarget: '/etc' },
  ],
};
const src: FileListing = { path: '/work/src', type: 'directory', truncated: false, entries: [] };

describe('FilesPanel', () => {
  it('opens in the working directory and browses into a folder, up, and by its path', async () => {
    const { api, asked } = service({ '/work': work, '/work/src': src });
    render(<FilesPanel api={api} leaseId={LEASE} running />);
    const rows = await screen.findAllByTestId('file-row');
    expect(rows.map((r) => within(r).getAllByRole('cell')[0].textContent)).toEqual([' src/', ' notes.txt', ' etc → /etc']);
    expect(within(rows[1]).getByText('2.0 KiB')).toBeTruthy();
    expect(within(rows[1]).getByText('-rw-r--r--')).toBeTruthy();

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'src/' }));
    await screen.findByText(/This folder is empty/);
    expect(screen.getByLabelText('Path in the container')).toHaveProperty('value', '/work/src');
    await user.click(screen.getByRole('button', { name: '↑ Parent folder' }));
    await waitFor(() => expect(screen.getAllByTestId('file-row')).toHaveLength(3));

    const field = screen.getByLabelText('Path in the container');
    await user.clear(field);
    await user.type(field, '/nowhere{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe("no such file: '/nowhere'");
    expect(asked).toContain(`GET /api/containers/${LEASE}/files/list /nowhere`);
  });

  it('deletes only after a confirmation, and makes a folder', async () => {
    const { api, asked } = service({ '/work': work });
    render(<FilesPanel api={api} leaseId={LEASE} running />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete src' }));
    expect(asked.some((a) => a.startsWith('DELETE'))).toBe(false);
    expect(screen.getByText('Delete src and everything in it?')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(asked).toContain(`DELETE /api/containers/${LEASE}/files /work/src`));

    await user.click(screen.getByRole('button', { name: 'New folder' }));
    await user.type(screen.getByLabelText('New folder in /work'), 'data{Enter}');
    await waitFor(() => expect(asked).toContain(`POST /api/containers/${LEASE}/files/directories /work/data`));
  });

  it('says files move only while the container runs', () => {
    const { api, asked } = service({});
    render(<FilesPanel api={api} leaseId={LEASE} running={false} />);
    expect(screen.getByText('Files can be moved while the container runs.')).toBeTruthy();
    expect(asked).toEqual([]);
  });

  it('joins, climbs and shows modes as a shell would', () => {
    expect(joinPath('/', 'etc')).toBe('/etc');
    expect(joinPath('/work/', 'a')).toBe('/work/a');
    expect(parentOf('/work/src')).toBe('/work');
    expect(parentOf('/work')).toBe('/');
    expect(permissions({ type: 'directory', mode: '0750' })).toBe('drwxr-x---');
    expect(permissions({ type: 'symlink', mode: '0777' })).toBe('lrwxrwxrwx');
  });
});
