import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LogEntry, LogModel } from './logModel';

/** Every row has the same height, so the view renders only the rows in sight (100,000 lines stay smooth). */
export const ROW_HEIGHT = 20;
const OVERSCAN = 20;

interface Props {
  model: LogModel;
  version: number;
  status: string;
  fileName: string;
}

/** Log lines, virtualised: levels coloured, follow or pause, a text filter, and a download. */
export function LogView({ model, version, status, fileName }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [filter, setFilter] = useState('');
  const [follow, setFollow] = useState(true);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);

  const shown: LogEntry[] = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!needle) return model.entries.slice();
    return model.entries.filter((e) => e.kind === 'marker' || e.message.toLowerCase().includes(needle));
    // version says the model changed; the model itself is the same object
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, version, filter]);

  useEffect(() => {
    const el = scroller.current!;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight || 400));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    if (follow && scroller.current) {
      scroller.current.scrollTop = scroller.current.scrollHeight;
      setScrollTop(scroller.current.scrollTop);
    }
  }, [shown, follow, height]);

  const onScroll = () => {
    const el = scroller.current!;
    setScrollTop(el.scrollTop);
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT;
    if (!atBottom && follow) setFollow(false);
    if (atBottom && !follow) setFollow(true);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const rows = shown.slice(first, last);

  const download = () => {
    const url = URL.createObjectURL(new Blob([model.text()], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const lines = model.entries.length;
  return (
    <div className="log-view">
      <div className="log-tools">
        <input type="search" placeholder="Filter lines" aria-label="Filter log lines" value={filter}
          onChange={(e) => setFilter(e.target.value)} />
        <button type="button" aria-pressed={follow} onClick={() => setFollow((f) => !f)}
          title={follow ? 'Stop scrolling to new lines (the stream goes on)' : 'Scroll to each new line as it comes'}>
          {follow ? 'Pause scrolling' : 'Follow new lines'}
        </button>
        <button type="button" onClick={download}>Download</button>
        <span className="muted log-status" data-testid="log-status">
          {status} · {filter ? `${shown.length} of ${lines}` : lines} lines
        </span>
      </div>
      <div className="log-scroller" ref={scroller} onScroll={onScroll} tabIndex={0} role="log"
        aria-label="Log lines" data-testid="log-lines">
        <div style={{ height: shown.length * ROW_HEIGHT, position: 'relative' }}>
          {rows.map((entry, i) => (
            <div key={first + i} className={rowClass(entry)} style={{ top: (first + i) * ROW_HEIGHT }}>
              {entry.kind === 'line' ? (
                <>
                  <span className="log-time">{entry.timestamp.slice(11, 23)}</span>
                  <span className="log-level" title={entry.level ? `${entry.level}, on ${entry.stream}` : entry.stream}>
                    {entry.level ?? entry.stream}
                  </span>
                  <span className="log-message">{entry.message}</span>
                </>
              ) : (
                <span className="log-message">— {entry.text} —</span>
              )}
            </div>
          ))}
        </div>
        {shown.length === 0 && <p className="muted log-empty">{filter ? 'No line matches.' : 'No output yet.'}</p>}
      </div>
    </div>
  );
}

function rowClass(entry: LogEntry): string {
  if (entry.kind !== 'line') return 'log-row log-marker';
  return entry.level ? `log-row level-${entry.level} stream-${entry.stream}` : `log-row stream-${entry.stream}`;
}
