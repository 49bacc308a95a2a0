import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { ApiClient } from '../api/client';
import type { ContainerState } from '../api/types';
import { isLeaseControl, openLeaseSocket, type LeaseControl } from '../api/sockets';
import { ReconnectingSocket } from '../api/reconnectingSocket';
import { TerminalResume, withoutTerminalQueries } from './resume';
import { useLatest } from '../ui/useLatest';

export type ShellState = 'connecting' | 'open' | 'reconnecting' | 'exited' | 'ended' | 'failed';

interface Props {
  api: ApiClient;
  leaseId: string;
  /** A shell to resume (from before a reload), or null for a new one. */
  initialSession: string | null;
  active: boolean;
  onSession: (sessionId: string) => void;
  onState: (state: ShellState, detail?: string) => void;
  onControl: (message: LeaseControl) => void;
  /** The container's state as the page knows it, and whether this page's user stopped it. */
  container?: ContainerState;
  stoppedByYou: boolean;
}

const encoder = new TextEncoder();

/**
 * One shell in xterm.js over /ws/terminal/{id}. It fits its panel (and tells the shell its size),
 * reconnects by itself after a drop with its session and byte offset, and turns read-only when the
 * shell exits or the lease ends, saying why.
 */
export function TerminalView({ api, leaseId, initialSession, active, onSession, onState, onControl, container, stoppedByYou }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const termRef = useRef<Terminal | null>(null);
  const callbacks = useLatest({ onSession, onState, onControl });
  const [banner, setBanner] = useState<string | null>(null);
  const [exited, setExited] = useState(false);
  const activeRef = useLatest(active);

  useEffect(() => {
    const term = new Terminal({
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5000,
      theme: terminalTheme(),
    });
    const fit = new FitAddon();
    fitRef.current = fit;
    termRef.current = term;
    term.loadAddon(fit);
    term.open(host.current!);
    safeFit(fit);
    const resume = new TerminalResume(initialSession);

    const finish = (state: ShellState, line: string) => {
      socket.finish();
      term.options.disableStdin = true;
      term.write(`\r\n\x1b[2m[${line}]\x1b[0m\r\n`);
      setBanner(line);
      if (state === 'exited') setExited(true);
      callbacks.current.onState(state, line);
    };

    const control = (message: { type: string; [k: string]: unknown }) => {
      switch (message.type) {
        case 'session':
          resume.onSession(String(message.sessionId), Number(message.offset), Number(message.liveFrom ?? message.offset));
          // The panel may have been fitted while the connection was being made: tell the shell the size now.
          socket.send(JSON.stringify({ type: 'resize', cols: term.cols, rows: term.rows }));
          socket.connected();
          setBanner(null);
          callbacks.current.onSession(String(message.sessionId));
          callbacks.current.onState('open');
          if (activeRef.current) term.focus(); // ready to type in, without a click
          break;
        case 'gap':
          resume.onGap(Number(message.to));
          term.write('\x1b[2m[earlier output is no longer held by the service]\x1b[0m\r\n');
          break;
        case 'exit':
          finish('exited', typeof message.code === 'number'
            ? `the shell has exited (status ${message.code})` : 'the shell has exited');
          break;
        case 'error':
          if (message.code === 'session_not_found') {
            // The shell from before is gone (exited, or unattended too long): start a new one.
            resume.forget();
            socket.reconnectAtOnceOnClose();
            term.write('\r\n\x1b[2m[that shell is gone; starting a new one]\x1b[0m\r\n');
          } else if (message.code === 'input_overflow') {
            term.write('\r\n\x1b[33m[input arrived faster than the shell reads it; reconnecting]\x1b[0m\r\n');
          } else if (message.code === 'docker_unavailable' || message.code === 'too_many_connections'
            || message.code === 'invalid_ticket') {
            setBanner(`${String(message.message)}; retrying`); // passing trouble: the close that follows retries
          } else {
            finish('failed', String(message.message));
          }
          break;
        default:
          if (isLeaseControl(message as { type: string })) {
            const leaseControl = message as unknown as LeaseControl;
            callbacks.current.onControl(leaseControl);
            if (leaseControl.type === 'container') {
              // A paused container keeps its shell but runs nothing: say so rather than look frozen.
              setBanner(leaseControl.state === 'paused' ? 'The container is paused: what you type runs when it is resumed.' : null);
            }
            if (leaseControl.type === 'ended') finish('ended', `the lease has ended (${leaseControl.reason}); this terminal is read-only`);
          }
      }
    };

    const socket = new ReconnectingSocket(
      () => openLeaseSocket(api, `/ws/terminal/${leaseId}`, resume.query(term.cols, term.rows)),
      {
        connecting: () => callbacks.current.onState(resume.sessionId ? 'reconnecting' : 'connecting'),
        message: (data) => {
          if (typeof data !== 'string') {
            const bytes = new Uint8Array(data);
            term.write(resume.replaying ? withoutTerminalQueries(bytes) : bytes);
            resume.onOutput(bytes.length);
            return;
          }
          control(JSON.parse(data) as { type: string; [k: string]: unknown });
        },
        retrying: () => {
          callbacks.current.onState('reconnecting');
          setBanner('Connection lost; reconnecting…');
        },
        failed: (reason) => finish('failed', reason || 'the service refused this terminal'),
      },
    );

    const input = term.onData((data) => {
      socket.send(encoder.encode(data));
    });
    // The size is also on the element, for tests and for anyone inspecting the page.
    const showSize = () => host.current?.setAttribute('data-size', `${term.rows} ${term.cols}`);
    showSize();
    const resize = term.onResize(({ cols, rows }) => {
      showSize();
      socket.send(JSON.stringify({ type: 'resize', cols, rows }));
    });
    // Ctrl+Shift+C copies the selection (plain Ctrl+C belongs to the shell); Ctrl+Shift+V pastes via the browser.
    term.attachCustomKeyEventHandler((event) => {
      if (event.type === 'keydown' && event.ctrlKey && event.shiftKey && event.code === 'KeyC') {
        if (term.hasSelection()) void navigator.clipboard?.writeText(term.getSelection());
        return false;
      }
      return !(event.ctrlKey && event.shiftKey && event.code === 'KeyV');
    });
    const observer = new ResizeObserver(() => safeFit(fit));
    observer.observe(host.current!);
    socket.start();

    return () => {
      socket.dispose();
      observer.disconnect();
      input.dispose();
      resize.dispose();
      term.dispose();
    };
    // One terminal per mounted view: props that change later (callbacks) are read through refs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, leaseId]);

  useEffect(() => {
    if (active && fitRef.current) safeFit(fitRef.current);
  }, [active]);

  // A shell ends with its container: once the page knows the container stopped, say why in the terminal too.
  const why = exited ? stopReason(container, stoppedByYou) : null;
  useEffect(() => {
    if (why) termRef.current?.write(`\x1b[2m[${why}]\x1b[0m\r\n`);
  }, [why]);

  useEffect(() => {
    if (active) termRef.current?.focus();
  }, [active]);

  return (
    <div className="terminal-view" hidden={!active}>
      {(why || banner) && (
        <p className="terminal-banner" role="status" data-testid="terminal-banner">
          {why ? `The shell ended: ${why}. Start the container to get a new shell here.` : banner}
        </p>
      )}
      <div className="terminal-host" ref={host} data-testid="terminal" />
    </div>
  );
}

/** Why a shell that exited has ended, when its container is no longer running; null while it runs. */
export function stopReason(container: ContainerState | undefined, stoppedByYou: boolean): string | null {
  if (container === 'stopped') return stoppedByYou ? 'you stopped the container' : 'the container was stopped';
  if (container === 'exited') return 'the container’s program ended';
  return null;
}

function safeFit(fit: FitAddon): void {
  try {
    fit.fit();
  } catch {
    // not laid out yet (hidden panel); the next resize fits it
  }
}

function terminalTheme() {
  const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches;
  return dark
    ? { background: '#0b1220', foreground: '#e2e8f0', cursor: '#93c5fd', selectionBackground: '#334155' }
    : { background: '#0f172a', foreground: '#e2e8f0', cursor: '#93c5fd', selectionBackground: '#475569' };
}
