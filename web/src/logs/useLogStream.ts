import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import { isLeaseControl, openLeaseSocket, type LeaseControl } from '../api/sockets';
import { ReconnectingSocket } from '../api/reconnectingSocket';
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
  // One model for the hook's life, changed in place as lines arrive (`version` tells the view).
  const [model] = useState(() => new LogModel());
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<StreamState>('connecting');
  const controlRef = useLatest(onControl);

  useEffect(() => {
    let disposed = false;
    let scheduled = false;
    const changed = () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        if (!disposed) setVersion((v) => v + 1);
      });
    };
    const frame = (frame: LogFrame) => {
      if ('type' in frame && isLeaseControl(frame as { type: string })) {
        const control = frame as unknown as LeaseControl;
        controlRef.current(control);
        if (control.type === 'ended') {
          socket.finish();
          model.marker(`the lease has ended (${control.reason})`);
          setState('ended');
          changed();
        }
        return;
      }
      if (model.apply(frame)) changed();
    };
    const socket = new ReconnectingSocket(
      () => {
        const query = model.query(TAIL);
        query.set('batch', 'true');
        return openLeaseSocket(api, `/ws/logs/${leaseId}`, query);
      },
      {
        open: () => {
          socket.connected();
          setState('live');
        },
        message: (data) => {
          const parsed = JSON.parse(String(data)) as LogFrame | LogFrame[];
          if (!Array.isArray(parsed)) {
            frame(parsed);
            return;
          }
          let any = false;
          for (const line of parsed) any = model.apply(line) || any;
          if (any) changed();
        },
        retrying: () => setState('reconnecting'),
        failed: (reason) => {
          setState('failed');
          model.marker(reason || 'the service closed this log stream');
          changed();
        },
      },
    );
    socket.start();
    return () => {
      disposed = true;
      socket.dispose();
    };
  }, [api, leaseId, controlRef, model]);

  return { model, version, state };
}
