/**
 * What the log view shows: lines, and markers where lines are missing (never silence). A line's
 * `level` is what it says of itself (error, warn, info, debug), absent when it says nothing; its
 * `stream` is stdout or stderr either way.
 */
export type LogEntry =
  | { kind: 'line'; seq: number; timestamp: string; stream: string; level?: string; message: string }
  | { kind: 'marker'; text: string };

export type LogFrame =
  | { seq: number; timestamp: string; stream: string; level?: string; message: string }
  | { type: 'gap'; from: number; to: number }
  | { type: 'dropped'; count: number }
  | { type: string; [key: string]: unknown };

/** The most lines one page keeps; older ones leave the view (and say so). */
export const MAX_LINES = 200_000;

/**
 * The lines received so far, in seq order, with no duplicate after a reconnect: a resume asks for
 * the lines after the last seq held (?after=SEQ), and anything at or before it is ignored anyway.
 */
export class LogModel {
  readonly entries: LogEntry[] = [];
  private last = 0;
  private trimmed = 0;
  /** Lines a dropped frame already accounted for: the seq jump they leave needs no second marker. */
  private explained = 0;

  constructor(private readonly maxLines = MAX_LINES) {}

  /** The last seq held: where a reconnect resumes. */
  get lastSeq(): number {
    return this.last;
  }

  /** Applies one frame; true when the view changed. */
  apply(frame: LogFrame): boolean {
    if ('seq' in frame && typeof frame.seq === 'number') {
      if (frame.seq <= this.last) return false; // already shown (a resume overlapping what we have)
      const missing = this.last > 0 ? frame.seq - this.last - 1 : 0;
      if (missing > this.explained) {
        const from = this.last + 1 + this.explained;
        this.marker(`${missing - this.explained} ${missing - this.explained === 1 ? 'line' : 'lines'} missing (${from}–${frame.seq - 1})`);
      }
      this.explained = Math.max(0, this.explained - missing);
      this.entries.push({ kind: 'line', seq: frame.seq, timestamp: String(frame.timestamp), stream: String(frame.stream),
        level: typeof frame.level === 'string' ? frame.level : undefined, message: String(frame.message) });
      this.last = frame.seq;
      this.trim();
      return true;
    }
    const type = 'type' in frame ? frame.type : undefined;
    if (type === 'gap') {
      const { from, to } = frame as { from: number; to: number };
      this.marker(`lines ${from}–${to} are no longer held by the service`);
      this.last = Math.max(this.last, to);
      return true;
    }
    if (type === 'dropped') {
      const { count } = frame as { count: number };
      this.explained += count;
      this.marker(`${count} ${count === 1 ? 'line' : 'lines'} dropped: this page could not keep up`);
      return true;
    }
    return false;
  }

  /** A note in the stream (reconnects, the lease's end). */
  marker(text: string): void {
    this.entries.push({ kind: 'marker', text });
  }

  /** The query that continues from here, with nothing missed or repeated. */
  query(tail: number): URLSearchParams {
    return new URLSearchParams(this.last > 0 ? { after: String(this.last) } : { tail: String(tail) });
  }

  /** Plain text of everything held, for a download. */
  text(): string {
    return this.entries.map((e) => (e.kind === 'line'
      ? `${e.timestamp} ${e.stream} ${(e.level ?? '').toUpperCase().padEnd(5)} ${e.message}` : `--- ${e.text} ---`)).join('\n') + '\n';
  }

  private trim(): void {
    if (this.entries.length <= this.maxLines) return;
    const drop = Math.ceil(this.maxLines / 10);
    this.entries.splice(0, drop);
    this.trimmed += drop;
    this.entries.unshift({ kind: 'marker', text: `${this.trimmed} older lines were removed from this page to save memory` });
  }
}
