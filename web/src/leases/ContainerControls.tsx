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

/** What each move does to the container, for its button's tooltip. */
const MEANS: Record<ContainerAction, string> = {
  start: 'Start the container again (its files are as they were)',
  stop: 'Stop every process in the container; the lease and its files stay',
  restart: 'Stop the container and start it again',
  pause: 'Freeze every process in the container until it is resumed',
  unpause: 'Let the frozen processes run again',
};

/** The moves that kill the processes in the container, shells included. */
const ENDS_SHELLS = new Set<ContainerAction>(['stop', 'restart']);

/**
 * The container's state in words: "running · healthy", "exited (code 3)", "killed: out of memory", or
 * "running · a process was killed: out of memory" when a child was killed and the program goes on.
 */
export function containerText(c: ContainerStatus): string {
  if (c.oomKilled && (c.state === 'exited' || c.state === 'restarting')) return 'killed: out of memory';
  if (c.oomKilled && c.state === 'running') return 'running · a process was killed: out of memory';
  if (c.state === 'exited') return c.exitCode !== undefined ? `exited (code ${c.exitCode})` : 'exited';
  return c.state;
}

interface Props {
  api: ApiClient;
  lease: Lease;
  onChanged: (l: Lease) => void;
  /** Hears each move the user made here, once the service has made it. */
  onAction?: (action: ContainerAction) => void;
  /** Shells are open in it (this page shows one): ask before a stop, whatever the lease's last count said. */
  shellsOpen?: boolean;
}

/**
 * The container's state and health, and the moves it can make from there (start, stop, restart,
 * pause, resume). Stopping (or restarting) ends the shells open in it, so with connections open it
 * asks first.
 */
export function ContainerControls({ api, lease, onChanged, onAction, shellsOpen }: Props) {
  const [busy, setBusy] = useState<ContainerAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<ContainerAction | null>(null);
  const container = lease.container;
  if (!container || lease.status !== 'running') return null;

  const act = async (action: ContainerAction) => {
    setBusy(action);
    setError(null);
    setConfirming(null);
    try {
      onChanged(await api.control(lease.id, action));
      onAction?.(action);
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
          <button key={action} type="button" disabled={busy !== null} title={MEANS[action]}
            onClick={() => (ENDS_SHELLS.has(action) && (shellsOpen || (lease.connections ?? 0) > 0)
              ? setConfirming(action) : void act(action))}>
            {busy === action ? `${label}…` : label}
          </button>
        ))}
      </span>
      {confirming && (
        <span className="confirm" role="group" aria-label={`Confirm ${confirming}`}>
          <span>{confirming === 'stop' ? 'Stopping' : 'Restarting'} ends the shells open in it
            {(lease.connections ?? 0) > 0
              ? ` (${lease.connections} ${lease.connections === 1 ? 'connection' : 'connections'})` : ''}.</span>
          <button type="button" className="danger" onClick={() => void act(confirming)}>
            {confirming === 'stop' ? 'Stop anyway' : 'Restart anyway'}
          </button>
          <button type="button" onClick={() => setConfirming(null)}>Cancel</button>
        </span>
      )}
      {error && <p className="note note-error" role="alert">{error}</p>}
    </div>
  );
}
