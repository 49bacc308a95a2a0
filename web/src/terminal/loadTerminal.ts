import { useEffect, useState } from 'react';

/**
 * xterm.js is the largest part of the console, so it is its own chunk, fetched when a terminal is
 * about to open: when a lease page shows one, or already while a lease with a shell is being
 * provisioned (the download and start-up of the chunk then overlap the engine's work).
 *
 * Not React.lazy: a lazy component suspends on its first render even when its chunk is already
 * here, and React holds a revealed Suspense boundary back for 300 ms, which the terminal's first
 * prompt would wait for.
 */
type TerminalModule = typeof import('./TerminalTabs');
let loaded: TerminalModule | null = null;

export function preloadTerminal(): Promise<TerminalModule> {
  return import('./TerminalTabs').then((module) => (loaded = module));
}

/** What renders the terminal tabs, once their chunk is here (at once, when it already is). */
export function useTerminalTabs(): TerminalModule['terminalTabs'] | null {
  const [module, setModule] = useState(loaded);
  useEffect(() => {
    if (module) return;
    let stopped = false;
    void preloadTerminal().then((m) => !stopped && setModule(m));
    return () => {
      stopped = true;
    };
  }, [module]);
  return module?.terminalTabs ?? null;
}
