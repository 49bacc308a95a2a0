import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import type { Lease } from '../api/types';
import type { LeaseControl } from '../api/sockets';
import { FilesPanel } from '../files/FilesPanel';
import { LogView } from '../logs/LogView';
import { useLogStream } from '../logs/useLogStream';
import { useAnnounce } from '../ui/announcer';
import { Link } from '../ui/Link';
import { navigate } from '../ui/router';
import { roughDuration } from '../time/format';
import { ContainerControls } from './ContainerControls';
import { UsageChart } from './UsageChart';
import { OpenPreview } from '../preview/OpenPreview';
import { Countdown } from './Countdown';
import { EndBanner } from './EndBanner';
import { endReasonText, isLive } from './describe';
import { LeaseActions } from './LeaseActions';
import { StatusBadge } from './StatusBadge';
import { QUIET_REFRESH_MS, REFRESH_MS } from './useLeases';
import { useEvents } from '../api/events';

import { useTerminalTabs } from '../terminal/loadTerminal';
import type { TerminalTabsProps } from '../terminal/TerminalTabs';
import { takeOver } from './handoff';
import { onTabListKey } from '../ui/tabKeys';
import { useLatest } from '../ui/useLatest';

type Panel = 'terminal' | 'logs' | 'files';

/** One lease: its countdown and controls, its terminals, its logs and its files. */
export function LeasePage({ api, id }: { api: ApiClient; id: string }) {
  // What the provision form handed over (the lease as its answer said), taken once.
  const [handedOver] = useState(() => takeOver(id));
  const [lease, setLease] = useState<Lease | null>(handedOver ?? null);
  const leaseRef = useLatest(lease);
  const [error, setError] = useState<ApiError | null>(null);
  const [panel, setPanel] = useState<Panel>('terminal');
  const [expiring, setExpiring] = useState<number | null>(null);
  const [logsOpened, setLogsOpened] = useState(false); // once opened, the stream stays while the page does
  const [stoppedByYou, setStoppedByYou] = useState(false);
  const work = useRef<HTMLElement>(null);
  // The log view is as tall as the window: once it shows, bring it whole into sight, its tail with it.
  useEffect(() => {
    if (panel === 'logs') work.current?.scrollIntoView({ block: 'start' });
  }, [panel]);
  const announce = useAnnounce();

  // Opening the page is a look at this lease (GET counts as activity for the idle rule); after that
  // the page follows the list, which does not, so an open page does not keep an idle lease alive. It
  // asks the list again when an event about this lease arrives (and polls only while events are down).
  const stopped = useRef(false);
  const followList = useCallback(async () => {
    if (document.visibilityState === 'hidden') return;
    try {
      const page = await api.leases({ all: false, limit: 500 });
      const found = page.containers.find((l) => l.id === id);
      if (stopped.current) return;
      if (found) {
        setLease((old) => ({ ...old, ...found }));
      } else if (page.nextCursor === null && leaseRef.current && isLive(leaseRef.current)) {
        // Gone from the whole live list: it has ended; ask once how. (With more than 500 live
        // leases it may simply be on a later page; the sockets' messages keep the page right then.)
        const ended = await api.lease(id);
        if (!stopped.current) setLease(ended);
      }
    } catch {
      // the countdown simply holds until the service answers again
    }
  }, [api, id, leaseRef]);
  const [channelLive, setChannelLive] = useState(false);
  useEvents(api, (event) => {
    if (event.leaseId === id || event.type === 'gap' || event.type === 'dropped') void followList();
  }, setChannelLive);
  useEffect(() => {
    stopped.current = false;
    const timer = setInterval(() => void followList(), channelLive ? QUIET_REFRESH_MS : REFRESH_MS);
    return () => {
      stopped.current = true;
      clearInterval(timer);
    };
  }, [followList, channelLive]);

  // Asked directly when the page opens, unless the provision form just handed the lease over.
  useEffect(() => {
    if (lease !== null || error) return;
    let stopped = false;
    api.lease(id).then((l) => !stopped && setLease(l), (e: unknown) => !stopped && setError(e as ApiError));
    return () => {
      stopped = true;
    };
  }, [api, id, lease, error]);

  const onControl = useCallback((message: LeaseControl) => {
    if (message.type === 'expiring') {
      setExpiring(message.secondsLeft);
      announce(`This lease ends in ${roughDuration(message.secondsLeft)}. Extend it to keep working.`);
    } else if (message.type === 'extended') {
      setExpiring(null);
      setLease((old) => (old ? { ...old, expiryTime: message.expiryTime } : old));
    } else if (message.type === 'container') {
      setLease((old) => (old?.container ? { ...old, container: { ...old.container, state: message.state,
        exitCode: message.exitCode, health: message.health, oomKilled: message.oomKilled } } : old));
    } else if (message.type === 'ended') {
      setExpiring(null);
      announce(`This lease has ended: ${message.reason}.`);
      api.lease(id).then(setLease, () => {});
    }
  }, [announce, api, id]);

  if (error) {
    return (
      <section className="panel">
        <p className="note note-error" role="alert">
          {error.status === 404 ? 'There is no such lease, or it is not yours.' : error.message}
        </p>
        <Link to={{ page: 'leases' }}>← All leases</Link>
      </section>
    );
  }
  if (!lease) return <section className="panel"><p className="muted">Loading…</p></section>;
  const live = isLive(lease);

  return (
    <div className="lease-page">
      <section className="panel lease-head" aria-labelledby="lease-heading">
        <Link to={{ page: 'leases' }} className="back">← All leases</Link>
        <h2 id="lease-heading">
          {lease.imageType} <code className="lease-id">{lease.id}</code> <StatusBadge lease={lease} />
        </h2>
        {live ? (
          <p className="lease-time big"><Countdown lease={lease} clock={api.clock} /></p>
        ) : (
          <p className={`end-reason end-${lease.endReason ?? 'pending'}`} data-testid="end-reason">{endReasonText(lease)}</p>
        )}
        <EndBanner lease={lease} clock={api.clock} warned={expiring !== null}
          onExtend={() => void api.extend(lease.id, 900).then((l) => {
            setLease(l);
            setExpiring(null);
          }, () => {})}
          onStillHere={() => void api.lease(lease.id).then(setLease, () => {})}
          onOpenTerminal={() => setPanel('terminal')} onRefresh={followList} />
        <ContainerControls api={api} lease={lease} onChanged={setLease} shellsOpen={live}
          onAction={(action) => setStoppedByYou(action === 'stop')} />
        {live && lease.container?.state === 'running' && (
          <OpenPreview api={api} leaseId={lease.id} imageType={lease.imageType} />
        )}
        <UsageChart api={api} leaseId={lease.id} running={live && lease.container?.state === 'running'} />
        <LeaseActions api={api} lease={lease} onChanged={setLease} onReleased={() => navigate({ page: 'leases' })} />
      </section>

      <section className="panel work" aria-label="Terminal, logs and files" ref={work}>
        <div className="tab-strip" role="tablist" aria-label="Views" onKeyDown={onTabListKey}>
          <button role="tab" type="button" aria-selected={panel === 'terminal'} onClick={() => setPanel('terminal')}>Terminal</button>
          <button role="tab" type="button" aria-selected={panel === 'logs'} onClick={() => {
            setPanel('logs');
            setLogsOpened(true);
          }}>Logs</button>
          <button role="tab" type="button" aria-selected={panel === 'files'} onClick={() => setPanel('files')}>Files</button>
        </div>
        <div hidden={panel !== 'terminal'} className="work-panel">
          {live ? (
            <Terminals api={api} leaseId={lease.id} fresh={handedOver !== undefined} onControl={onControl}
              container={lease.container?.state} containerStartedAt={lease.container?.startedAt}
              stoppedByYou={stoppedByYou} />
          ) : (
            <p className="muted">This lease has ended; its shells are gone.</p>
          )}
        </div>
        <div hidden={panel !== 'logs'} className="work-panel">
          {logsOpened && live && <Logs api={api} leaseId={lease.id} onControl={onControl} />}
          {!live && <p className="muted">This lease has ended; its logs went with its container.</p>}
        </div>
        <div hidden={panel !== 'files'} className="work-panel">
          {panel === 'files' && live && (
            <FilesPanel api={api} leaseId={lease.id} running={lease.container?.state === 'running'} />
          )}
          {!live && <p className="muted">This lease has ended; its files went with its container.</p>}
        </div>
      </section>
    </div>
  );
}

function Terminals(props: TerminalTabsProps) {
  const terminalTabs = useTerminalTabs();
  return terminalTabs ? terminalTabs(props) : <p className="muted">Opening the terminal…</p>;
}

function Logs({ api, leaseId, onControl }: { api: ApiClient; leaseId: string; onControl: (m: LeaseControl) => void }) {
  const stream = useLogStream(api, leaseId, onControl);
  return <LogView model={stream.model} version={stream.version} status={stream.state} fileName={`${leaseId}.log`} />;
}
