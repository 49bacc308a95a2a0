import { render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import type { Usage } from '../api/types';
import { UsageChart } from './UsageChart';
import { formatBytes } from '../ui/formatBytes';

const sample: Usage = {
  at: '2026-11-22T10:00:00Z', cpuPercent: 12.5, memoryBytes: 3 * 1024 * 1024, memoryLimitBytes: 64 * 1024 * 1024,
  pids: 2, pidsLimit: 64, blockReadBytes: 0, blockWriteBytes: 0,
};

describe('UsageChart', () => {
  it('says plainly that there is no data yet, with its axes already drawn', () => {
    const api = new ApiClient('t', () => {}, (() => new Promise(() => {})) as typeof fetch);
    render(<UsageChart api={api} leaseId="01m8033dce7fxx86sz54ktzqb1" running />);
    expect(screen.getByTestId('usage').textContent).toMatch(/^No data yet: measuring every 2 s/);
    expect(screen.getAllByText('No data yet')).toHaveLength(2);
    expect(screen.getAllByText('now')).toHaveLength(2);
    expect(screen.getByText('100 %')).toBeTruthy();
  });

  it('shows the current figures in words and the memory scale up to the limit', async () => {
    const api = new ApiClient('t', () => {}, (async () => new Response(JSON.stringify(sample))) as typeof fetch);
    render(<UsageChart api={api} leaseId="01m8033dce7fxx86sz54ktzqb1" running />);
    await waitFor(() => expect(screen.getByTestId('usage').textContent)
      .toBe('CPU 12.5% · Memory 3.0 MiB of 64 MiB · 2 of 64 processes'));
    expect(screen.getByText('64 MiB')).toBeTruthy();
    expect(screen.getByText('13 %')).toBeTruthy();
  });

  it('shows nothing for a container that is not running', () => {
    const api = new ApiClient('t', () => {}, (async () => new Response('{}')) as typeof fetch);
    const { container } = render(<UsageChart api={api} leaseId="01m8033dce7fxx86sz54ktzqb1" running={false} />);
    expect(container.textContent).toBe('');
  });

  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64 MiB');
  });
});
