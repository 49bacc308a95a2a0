import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Usage } from '../api/types';
import { formatBytes } from '../ui/formatBytes';

const EVERY_MS = 2000;
const KEPT = 60; // two minutes of samples


const WIDTH = 200;
const HEIGHT = 60;

/** A polyline of values between 0 and max across the plot, the newest at the right edge. */
function points(values: number[], max: number): string {
  if (values.length === 0 || max <= 0) return '';
  const step = WIDTH / Math.max(1, KEPT - 1);
  const offset = (KEPT - values.length) * step;
  return values
    .map((v, i) => `${(offset + i * step).toFixed(1)},${(HEIGHT - (Math.min(v, max) / max) * (HEIGHT - 2) - 1).toFixed(1)}`)
    .join(' ');
}

interface PlotProps {
  title: string;
  kind: 'cpu' | 'memory';
  values: number[];
  max: number;
  format: (value: number) => string;
}

/** One measure over the last two minutes, with its scale (0 to max) and its time axis. */
function Plot({ title, kind, values, max, format }: PlotProps) {
  const current = values.at(-1);
  return (
    <figure className={`usage-plot usage-plot-${kind}`} aria-label={`${title} over the last two minutes`}>
      <figcaption>
        <span className={`usage-${kind}-key`}>{title}</span>{' '}
        <strong>{current === undefined ? '–' : format(current)}</strong>
      </figcaption>
      <div className="usage-frame">
        <span className="usage-axis usage-axis-top">{max > 0 ? format(max) : ''}</span>
        <span className="usage-axis usage-axis-bottom">0</span>
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" className="usage-chart" aria-hidden="true">
          <line className="usage-grid" x1="0" y1={HEIGHT / 2} x2={WIDTH} y2={HEIGHT / 2} />
          <polyline className={`usage-${kind}`} points={points(values, max)} />
        </svg>
        {values.length === 0 && <span className="usage-empty">No data yet</span>}
      </div>
      <div className="usage-time" aria-hidden="true"><span>2 min ago</span><span>now</span></div>
    </figure>
  );
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
  // The scale of memory is its limit, which the first figures bring; none is drawn before them.
  const memoryMax = last?.memoryLimitBytes || Math.max(0, ...samples.map((s) => s.memoryBytes));
  return (
    <section className="usage" aria-label="Usage">
      <Plot title="CPU" kind="cpu" values={samples.map((s) => s.cpuPercent)} max={cpuMax}
        format={(v) => `${v.toFixed(v < 10 ? 1 : 0)} %`} />
      <Plot title="Memory" kind="memory" values={samples.map((s) => s.memoryBytes)} max={memoryMax} format={formatBytes} />
      <p className="usage-summary" data-testid="usage">
        {last ? (
          <>
            CPU {last.cpuPercent.toFixed(1)}% · Memory {formatBytes(last.memoryBytes)} of {formatBytes(last.memoryLimitBytes)}
            {' · '}{last.pids} of {last.pidsLimit} processes
          </>
        ) : problem ? problem : 'No data yet: measuring every 2 s while this page is open.'}
      </p>
    </section>
  );
}
