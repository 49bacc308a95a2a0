import type { Lease } from '../api/types';

export function StatusBadge({ lease }: { lease: Lease }) {
  return <span className={`badge badge-${lease.status}`}>{lease.status}</span>;
}
