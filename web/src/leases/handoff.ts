import type { Lease } from '../api/types';

/**
 * The provision form hands the lease it just created to the lease page it opens, so that page shows
 * it at once (no second request) and knows it has no shells yet (no need to look for them).
 */
const justCreated = new Map<string, Lease>();

export function handOver(lease: Lease): void {
  justCreated.set(lease.id, lease);
}

export function takeOver(id: string): Lease | undefined {
  const lease = justCreated.get(id);
  justCreated.delete(id);
  return lease;
}
