import { useSyncExternalStore } from 'react';

/**
 * One timer for every countdown on the page: 500 rows share a single interval and re-render
 * together once a second, rather than each running its own.
 */
type Listener = () => void;
const listeners = new Set<Listener>();
let timer: ReturnType<typeof setInterval> | undefined;
let tick = 0;

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (timer === undefined) {
    timer = setInterval(() => {
      tick++;
      listeners.forEach((l) => l());
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** Re-renders the caller once a second; returns a number that changes each time. */
export function useSecondTick(): number {
  return useSyncExternalStore(subscribe, () => tick);
}
