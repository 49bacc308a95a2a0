/**
 * The bookkeeping that lets a terminal come back after a dropped connection with no lost and no
 * doubled output. The server numbers a shell's output by byte offset; the client counts the bytes
 * it has written to its screen and reconnects with ?session=ID&offset=N for exactly the rest.
 *
 * A fresh screen (a page reload) starts at offset 0: the server replays what its ring still holds,
 * so the reloaded page shows the same shell, once; a gap says what the ring no longer had.
 */
export class TerminalResume {
  private session: string | null;
  private written = 0;
  /** Output before this offset is the server's replay of what the shell wrote earlier. */
  private liveFrom = 0;

  constructor(sessionId: string | null = null) {
    this.session = sessionId;
  }

  get sessionId(): string | null {
    return this.session;
  }

  /** Bytes this screen holds (the offset to resume from). */
  get offset(): number {
    return this.written;
  }

  /**
   * The server's {type: "session", sessionId, offset, liveFrom}: output from here on starts at
   * offset, and is a replay until liveFrom.
   */
  onSession(sessionId: string, offset: number, liveFrom: number = offset): void {
    if (this.session !== sessionId) {
      this.written = offset; // a new shell: its numbering is its own
    }
    this.session = sessionId;
    this.liveFrom = liveFrom;
  }

  /** Whether the output arriving now is a replay (to be drawn, but not answered: see withoutTerminalQueries). */
  get replaying(): boolean {
    return this.written < this.liveFrom;
  }

  /** Output bytes were written to the screen. */
  onOutput(byteCount: number): void {
    this.written += byteCount;
  }

  /** {type: "gap", from, to}: the bytes between were lost; the next byte is at `to`. */
  onGap(to: number): void {
    this.written = Math.max(this.written, to);
  }

  /** The shell is gone (exited, ended, unknown to the server): a reconnect opens a new one. */
  forget(): void {
    this.session = null;
    this.written = 0;
  }

  /** The query that resumes this shell, or opens a new one. */
  query(cols: number, rows: number): URLSearchParams {
    const q = new URLSearchParams({ cols: String(cols), rows: String(rows) });
    if (this.session) {
      q.set('session', this.session);
      q.set('offset', String(this.written));
    }
    return q;
  }
}

/** The shells a tab has open on a lease, kept across reloads in session storage. */
export class SavedSessions {
  constructor(private readonly storage: Storage, private readonly leaseId: string) {}

  private get key(): string {
    return `containerlease.terminals.${this.leaseId}`;
  }

  load(): string[] {
    try {
      const value: unknown = JSON.parse(this.storage.getItem(this.key) ?? '[]');
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    } catch {
      return [];
    }
  }

  save(sessionIds: string[]): void {
    if (sessionIds.length === 0) this.storage.removeItem(this.key);
    else this.storage.setItem(this.key, JSON.stringify(sessionIds));
  }
}

const ESC = 0x1b;
const BRACKET = 0x5b;

/**
 * Output without the terminal queries in it (cursor position, status, device attributes: ESC [ … n
 * or c), which a terminal answers by typing. A replay is drawn again after a reload or a reconnect,
 * but the shell asked those questions when it first wrote them and had its answers then: answering
 * again would type them into the shell as input.
 */
export function withoutTerminalQueries(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === ESC && bytes[i + 1] === BRACKET) {
      let j = i + 2;
      if (bytes[j] === 0x3f || bytes[j] === 0x3e) j++; // ? or >
      while (j < bytes.length && ((bytes[j] >= 0x30 && bytes[j] <= 0x39) || bytes[j] === 0x3b)) j++;
      if (bytes[j] === 0x6e || bytes[j] === 0x63) { // n or c
        i = j;
        continue;
      }
    }
    out[n++] = bytes[i];
  }
  return out.subarray(0, n);
}
