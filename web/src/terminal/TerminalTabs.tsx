import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { ContainerState } from '../api/types';
import type { LeaseControl } from '../api/sockets';
import { SavedSessions } from './resume';
import { TerminalView, type ShellState } from './TerminalView';
import { onTabListKey } from '../ui/tabKeys';

interface Tab {
  key: number;
  sessionId: string | null;
  state: ShellState;
}

export interface TerminalTabsProps {
  api: ApiClient;
  leaseId: string;
  /** Just provisioned: it has no shells yet, so there is none to look for. */
  fresh: boolean;
  onControl: (message: LeaseControl) => void;
  /** The container's state, and whether this page's user stopped it: a started container gets new shells. */
  container?: ContainerState;
  /** When the container last started: a restart changes it while the state stays running. */
  containerStartedAt?: string;
  stoppedByYou: boolean;
}

const MAX_SHELLS = 8;

/** Tab keys, unique in the page (a tab's key outlives the shells it shows). */
let lastTabKey = 0;
function newTabKey(): number {
  return ++lastTabKey;
}

/**
 * The lease's terminals, one tab each. The shells a tab had open are remembered in session storage,
 * so a reload shows the same shells again.
 */
export default function TerminalTabs(
  { api, leaseId, fresh, onControl, container, containerStartedAt, stoppedByYou }: TerminalTabsProps,
) {
  const [saved] = useState(() => new SavedSessions(window.sessionStorage, leaseId));
  // Null until known: this tab's own shells from before a reload, else the lease's open shells (another
  // tab or browser opened them), else one new shell.
  const [tabs, setTabs] = useState<Tab[] | null>(() => {
    const ids = saved.load();
    if (ids.length === 0 && fresh) return [{ key: newTabKey(), sessionId: null, state: 'connecting' }];
    return ids.length > 0 ? ids.map((sessionId) => ({ key: newTabKey(), sessionId, state: 'connecting' })) : null;
  });
  const [activeKey, setActiveKey] = useState(() => tabs?.[0]?.key ?? -1);
  // When the container runs again (started after a stop, or restarted), each shell that ended with
  // it (or was refused while it was stopped) is replaced by a new one in the same tab. Adjusted while
  // rendering, as React advises for state that follows a prop.
  const run = container === 'running' ? `running since ${containerStartedAt ?? '?'}` : container;
  const [seenRun, setSeenRun] = useState(run);
  if (run !== seenRun) {
    setSeenRun(run);
    if (container === 'running' && seenRun !== undefined && tabs) {
      const ended = (t: Tab) => t.state === 'exited' || t.state === 'failed';
      const renewed = tabs.map((t) => (ended(t) ? { key: newTabKey(), sessionId: null, state: 'connecting' as ShellState } : t));
      const activeWasRenewed = tabs.findIndex((t) => t.key === activeKey && ended(t));
      setTabs(renewed);
      if (activeWasRenewed >= 0) setActiveKey(renewed[activeWasRenewed].key);
    }
  }

  useEffect(() => {
    if (tabs !== null) return;
    let stopped = false;
    const showShells = (ids: (string | null)[]) => {
      if (stopped) return;
      const found = ids.map((sessionId) => ({ key: newTabKey(), sessionId, state: 'connecting' as ShellState }));
      setTabs(found);
      setActiveKey(found[0].key);
    };
    api.sessions(leaseId).then((answer) => {
      const ids = answer.sessions.map((s) => s.sessionId);
      showShells(ids.length > 0 ? ids : [null]);
    }, () => showShells([null]));
    return () => {
      stopped = true;
    };
  }, [api, leaseId, tabs]);

  useEffect(() => {
    if (tabs === null) return;
    saved.save(tabs.filter((t) => t.sessionId && t.state !== 'exited').map((t) => t.sessionId!));
  }, [saved, tabs]);

  const update = useCallback((key: number, change: Partial<Tab>) => {
    setTabs((all) => all && all.map((t) => (t.key === key ? { ...t, ...change } : t)));
  }, []);

  const open = () => {
    const key = newTabKey();
    setTabs((all) => [...(all ?? []), { key, sessionId: null, state: 'connecting' }]);
    setActiveKey(key);
  };

  const close = (tab: Tab) => {
    if (tab.sessionId && tab.state !== 'exited' && tab.state !== 'ended') {
      void api.endSession(leaseId, tab.sessionId).catch(() => {});
    }
    setTabs((all) => {
      const rest = (all ?? []).filter((t) => t.key !== tab.key);
      if (activeKey === tab.key && rest.length > 0) setActiveKey(rest[rest.length - 1].key);
      return rest;
    });
  };

  if (tabs === null) return <p className="muted">Looking for this lease’s shells…</p>;
  return (
    <div className="terminals">
      <div className="tab-strip" role="tablist" aria-label="Terminals" onKeyDown={onTabListKey}>
        {tabs.map((tab, index) => (
          <span key={tab.key} className={`tab ${tab.key === activeKey ? 'active' : ''}`}>
            <button role="tab" type="button" aria-selected={tab.key === activeKey} onClick={() => setActiveKey(tab.key)}
              aria-controls={`terminal-${tab.key}`} id={`terminal-tab-${tab.key}`}>
              Shell {index + 1} <span className={`dot dot-${tab.state}`} aria-label={tab.state} />
            </button>
            <button type="button" className="icon" aria-label={`Close shell ${index + 1}`} onClick={() => close(tab)}>✕</button>
          </span>
        ))}
        <button type="button" className="link-button" onClick={open} disabled={tabs.length >= MAX_SHELLS}
          title={tabs.length >= MAX_SHELLS ? `A lease holds at most ${MAX_SHELLS} shells` : undefined}>
          + New shell
        </button>
      </div>
      {tabs.length === 0 && <p className="muted">No shell open. Start one with “New shell”.</p>}
      {tabs.map((tab) => (
        <div key={tab.key} role="tabpanel" id={`terminal-${tab.key}`} aria-labelledby={`terminal-tab-${tab.key}`}
          hidden={tab.key !== activeKey} className="tab-panel">
          <TerminalView api={api} leaseId={leaseId} initialSession={tab.sessionId} active={tab.key === activeKey}
            onSession={(sessionId) => update(tab.key, { sessionId })}
            onState={(state) => update(tab.key, { state })} onControl={onControl}
            container={container} stoppedByYou={stoppedByYou} />
        </div>
      ))}
    </div>
  );
}

/** The tabs as an element: what a page renders once this chunk is here (a stable component, not one made per render). */
export function terminalTabs(props: TerminalTabsProps) {
  return <TerminalTabs {...props} />;
}
