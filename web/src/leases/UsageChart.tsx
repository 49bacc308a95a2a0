import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Usage } from '../api/types';

const EVERY_MS = 2000;
const KEPT = 60; // two minutes of samples

/** "3.1 MB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A polyline of values between 0 and max across a 100×30 box. */
function points(values: number[], max: number): string {
  if (values.length === 0) return '';
  const step = 100 / Math.max(1, KEPT - 1);
  const offset = (KEPT - values.length) * step;
  return values.map((v, i) => `${(offset + i * step).toFixed(1)},${(30 - (Math.min(v, max) / max) * 28 - 1).toFixed(1)}`).join(' ');
}

/**
 * CPU and memory of a running container over the last two minutes, asked every 2 s while the page
 * is visible (the service measures only while someone asks, and looking does not keep a lease from
 * going idle).
 */
export function UsageChart({ api, leaseId, running }: { api: ApiClient; leaseId: string; running: boolean }) {
  const [samples, setSamples] = useState<Usage[]>([]);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!running) return;
    let stopped = false;
    const ask = async () => {
      if (document.visibilityState === 'hidden') return;
      try {
        const usage = await api.stats(leaseId);
        if (stopped) return;
        setProblem(null);
        setSamples((old) => [...old.slice(-(KEPT - 1)), usage]);
      } catch (e) {
        if (!stopped) setProblem(e instanceof Error ? e.message : String(e));
      }
    };
    void ask();
    const timer = setInterval(() => void ask(), EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, leaseId, running]);

  if (!running) return null;
  const last = samples.at(-1);
  const cpuMax = Math.max(100, ...samples.map((s) => s.cpuPercent));
  return (
    <figure className="usage" aria-label="CPU and memory over the last two minutes">
      <svg viewBox="0 0 100 30" preserveAspectRatio="none" className="usage-chart" aria-hidden="true">
        <polyline className="usage-cpu" points={points(samples.map((s) => s.cpuPercent), cpuMax)} />
        <polyline className="usage-memory" points={points(samples.map((s) => s.memoryBytes), last?.memoryLimitBytes || 1)} />
      </svg>
      <figcaption data-testid="usage">
        {last ? (
          <>
            <span className="usage-cpu-key">CPU {last.cpuPercent.toFixed(1)}%</span>
            {' · '}
            <span className="usage-memory-key">Memory {formatBytes(last.memoryBytes)} of {formatBytes(last.memoryLimitBytes)}</span>
            {' · '}
            {last.pids} of {last.pidsLimit} processes
          </>
        ) : problem ? problem : 'Measuring…'}
      </figcaption>
    </figure>
  );
}
