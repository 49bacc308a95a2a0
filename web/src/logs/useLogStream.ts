import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/client';
import { Backoff, FINAL_CLOSE_CODES, isLeaseControl, openLeaseSocket, type LeaseControl } from '../api/sockets';
import { LogModel, type LogFrame } from './logModel';
import { useLatest } from '../ui/useLatest';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'failed';

/** How many earlier lines a first connection asks for. */
const TAIL = 5000;

/**
 * /ws/logs/{id}?batch=true into a LogModel. A frame is an array of the lines the server had waiting
 * together (one frame per line costs the server and the page more than the lines do); the view is
 * told at most once per animation frame. After a drop it resumes with ?after=SEQ.
 */
export function useLogStream(api: ApiClient, leaseId: string, onControl: (message: LeaseControl) => void) {
  const model = useRef(new LogModel());
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<StreamState>('connecting');
  const controlRef = useLatest(onControl);

  useEffect(() => {
    let disposed = false;
    let finished = false;
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let scheduled = false;
    const backoff = new Backoff();
    const changed = () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        if (!disposed) setVersion((v) => v + 1);
      });
    };

    const connect = async () => {
      if (disposed || finished) return;
      let ws: WebSocket;
      try {
        const query = model.current.query(TAIL);
        query.set('batch', 'true');
        ws = await openLeaseSocket(api, `/ws/logs/${leaseId}`, query);
      } catch {
        scheduleRetry();
        return;
      }
      if (disposed) {
        ws.close();
        return;
      }
      socket = ws;
      ws.onopen = () => {
        backoff.reset();
        setState('live');
      };
      ws.onmessage = (event) => {
        const parsed = JSON.parse(String(event.data)) as LogFrame | LogFrame[];
        if (Array.isArray(parsed)) {
          let any = false;
          for (const line of parsed) any = model.current.apply(line) || any;
          if (any) changed();
          return;
        }
        const frame = parsed;
        if ('type' in frame && isLeaseControl(frame as { type: string })) {
          const control = frame as unknown as LeaseControl;
          controlRef.current(control);
          if (control.type === 'ended') {
            finished = true;
            model.current.marker(`the lease has ended (${control.reason})`);
            setState('ended');
            changed();
          }
          return;
        }
        if (model.current.apply(frame)) changed();
      };
      ws.onclose = (event) => {
        if (socket === ws) socket = null;
        if (disposed || finished) return;
        if (FINAL_CLOSE_CODES.has(event.code) && event.code !== 4401) {
          finished = true;
          setState('failed');
          model.current.marker(event.reason || 'the service closed this log stream');
          changed();
          return;
        }
        scheduleRetry();
      };
    };
    const scheduleRetry = () => {
      if (disposed) return;
      setState('reconnecting');
      retry = setTimeout(() => void connect(), backoff.next());
    };
    void connect();
    return () => {
      disposed = true;
      clearTimeout(retry);
      socket?.close(1000);
    };
  }, [api, leaseId, controlRef]);

  return { model: model.current, version, state };
}
