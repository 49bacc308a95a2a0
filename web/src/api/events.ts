import { useEffect } from 'react';
import type { ApiClient } from './client';
import { Backoff, openLeaseSocket } from './sockets';
import type { ServiceEvent } from './types';
import { useLatest } from '../ui/useLatest';

type Listener = (event: ServiceEvent) => void;
type StateListener = (live: boolean) => void;

/**
 * One WebSocket to the event channel per signed-in page, shared by everything that listens. It
 * comes back by itself after a drop, resuming after the last event it saw, so nothing is missed;
 * while it is down, listeners are told (and may poll instead).
 */
class EventChannel {
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<StateListener>();
  private socket: WebSocket | null = null;
  private lastId = -1;
  private live = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff = new Backoff(1000, 15_000);

  constructor(private readonly api: ApiClient) {}

  subscribe(listener: Listener, onState?: StateListener): () => void {
    this.listeners.add(listener);
    if (onState) {
      this.stateListeners.add(onState);
      onState(this.live);
    }
    if (this.listeners.size === 1) void this.connect();
    return () => {
      this.listeners.delete(listener);
      if (onState) this.stateListeners.delete(onState);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private async connect() {
    if (this.listeners.size === 0 || this.socket) return;
    const query = new URLSearchParams();
    if (this.lastId >= 0) query.set('after', String(this.lastId));
    let ws: WebSocket;
    try {
      ws = await openLeaseSocket(this.api, '/ws/events', query);
    } catch {
      this.scheduleRetry();
      return;
    }
    if (this.listeners.size === 0) {
      ws.close(1000);
      return;
    }
    this.socket = ws;
    ws.onopen = () => {
      this.backoff.reset();
      this.setLive(true);
    };
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as ServiceEvent;
      if (typeof frame.id === 'number') this.lastId = frame.id;
      // gap and dropped frames too: a listener that sees one refreshes what it shows.
      this.listeners.forEach((l) => l(frame));
    };
    ws.onclose = () => {
      if (this.socket === ws) this.socket = null;
      this.setLive(false);
      this.scheduleRetry();
    };
  }

  private scheduleRetry() {
    if (this.listeners.size === 0) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), this.backoff.next());
  }

  private setLive(live: boolean) {
    this.live = live;
    this.stateListeners.forEach((l) => l(live));
  }

  private stop() {
    clearTimeout(this.retry);
    const ws = this.socket;
    this.socket = null;
    ws?.close(1000);
    this.setLive(false);
  }
}

const channels = new WeakMap<ApiClient, EventChannel>();

function channelFor(api: ApiClient): EventChannel {
  let channel = channels.get(api);
  if (!channel) {
    channel = new EventChannel(api);
    channels.set(api, channel);
  }
  return channel;
}

/** Calls `onEvent` for every event this user may see; `onState` says whether the channel is up. */
export function useEvents(api: ApiClient, onEvent: Listener, onState?: StateListener): void {
  const eventRef = useLatest(onEvent);
  const stateRef = useLatest(onState);
  useEffect(() => channelFor(api).subscribe((e) => eventRef.current(e), (live) => stateRef.current?.(live)), [api, eventRef, stateRef]);
}
