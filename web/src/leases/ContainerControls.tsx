import { useState } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import type { ContainerAction, ContainerStatus, Lease } from '../api/types';

const ACTIONS: Record<ContainerStatus['state'], { action: ContainerAction; label: string }[]> = {
  running: [{ action: 'stop', label: 'Stop' }, { action: 'restart', label: 'Restart' }, { action: 'pause', label: 'Pause' }],
  paused: [{ action: 'unpause', label: 'Resume' }, { action: 'stop', label: 'Stop' }],
  stopped: [{ action: 'start', label: 'Start' }],
  exited: [{ action: 'start', label: 'Start' }],
  created: [{ action: 'start', label: 'Start' }],
  restarting: [],
  missing: [],
};

/** The container's state in words: "running · healthy", "exited (code 3)", "killed: out of memory". */
export function containerText(c: ContainerStatus): string {
  if (c.oomKilled && (c.state === 'exited' || c.state === 'restarting')) return 'killed: out of memory';
  if (c.state === 'exited') return c.exitCode !== undefined ? `exited (code ${c.exitCode})` : 'exited';
  return c.state;
}

/** The container's state and health, and the moves it can make from there (start, stop, restart, pause, resume). */
export function ContainerControls({ api, lease, onChanged }: { api: ApiClient; lease: Lease; onChanged: (l: Lease) => void }) {
  const [busy, setBusy] = useState<ContainerAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const container = lease.container;
  if (!container || lease.status !== 'running') return null;

  const act = async (action: ContainerAction) => {
    setBusy(action);
    setError(null);
    try {
      onChanged(await api.control(lease.id, action));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="container-controls">
      <span className="muted">Container</span>
      <span className={`badge state-${container.state}`} data-testid="container-state" title="The container's own state">
        {containerText(container)}
      </span>
      {container.health && (
        <span className={`badge health-${container.health}`} data-testid="container-health">{container.health}</span>
      )}
      {container.restartCount > 0 && <span className="muted">{container.restartCount} restarts</span>}
      <span className="button-row" role="group" aria-label={`Container of lease ${lease.id}`}>
        {ACTIONS[container.state].map(({ action, label }) => (
          <button key={action} type="button" disabled={busy !== null} onClick={() => void act(action)}>
            {busy === action ? `${label}…` : label}
          </button>
        ))}
      </span>
      {error && <p className="note note-error" role="alert">{error}</p>}
    </div>
  );
}
