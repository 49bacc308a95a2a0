import type { Lease } from '../api/types';

/** The lease's own status; a running lease shows its countdown and its container's state instead. */
export function StatusBadge({ lease }: { lease: Lease }) {
  if (lease.status === 'running' && lease.container) return null;
  return <span className={`badge badge-${lease.status}`}>{lease.status}</span>;
}
