import { Backoff, FINAL_CLOSE_CODES } from './sockets';

/** What a view does with one lease socket; the socket itself keeps coming back until told not to. */
export interface SocketHandlers {
  /** A connection is being made (again, when `again`). */
  connecting?(again: boolean): void;
  /** The connection is open (nothing has been said on it yet). */
  open?(): void;
  /** A frame: text as a string, binary as an ArrayBuffer. */
  message(data: string | ArrayBuffer): void;
  /** The connection dropped, or could not be made; another try follows after a backoff. */
  retrying(): void;
  /** The service refused this socket for good (a 44xx close): it will not be tried again. */
  failed(reason: string): void;
}

/** How a connection is made: a fresh ticket and the query of the moment (where to resume from). */
export type SocketOpener = () => Promise<WebSocket>;

/**
 * One lease socket that reconnects by itself: after a drop or a failed attempt it waits a growing
 * backoff and opens again (with whatever resume point the opener's query holds then); after a
 * close that says coming back cannot help (4400, 4404, 4409: an unknown or refused stream) it stops
 * and says why. A session expired (4401) is retried: a new ticket is fetched for each attempt. The
 * view decides when it is done (`finish`: the shell exited, the lease ended) and when the socket
 * goes (`dispose`: the view unmounted).
 */
export class ReconnectingSocket {
  private socket: WebSocket | null = null;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private done = false;
  private attempts = 0;
  private immediate = false;

  constructor(
    private readonly openSocket: SocketOpener,
    private readonly handlers: SocketHandlers,
    private readonly backoff: Backoff = new Backoff(),
  ) {}

  /** Makes the first connection. */
  start(): void {
    void this.connect();
  }

  /** No more connections: what was asked for is over. The socket open now stays until it closes. */
  finish(): void {
    this.done = true;
  }

  get finished(): boolean {
    return this.done;
  }

  /** The connection served its purpose: the next drop starts the backoff from its first step. */
  connected(): void {
    this.backoff.reset();
  }

  /** When the socket open now closes, reconnect at once (what it was resuming is gone: a new one starts). */
  reconnectAtOnceOnClose(): void {
    this.immediate = true;
  }

  /** Sends on the open connection; false when there is none (what was typed while reconnecting is dropped). */
  send(data: Parameters<WebSocket['send']>[0]): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(data);
    return true;
  }

  /** The view is gone: no more connections, and the open one is closed normally. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retry);
    this.socket?.close(1000);
    this.socket = null;
  }

  private async connect(): Promise<void> {
    if (this.disposed || this.done) return;
    this.handlers.connecting?.(this.attempts++ > 0);
    let ws: WebSocket;
    try {
      ws = await this.openSocket();
    } catch {
      this.scheduleRetry();
      return;
    }
    if (this.disposed) {
      ws.close();
      return;
    }
    this.socket = ws;
    ws.onopen = () => this.handlers.open?.();
    ws.onmessage = (event: MessageEvent) => this.handlers.message(event.data as string | ArrayBuffer);
    ws.onclose = (event: CloseEvent) => {
      if (this.socket === ws) this.socket = null;
      if (this.disposed || this.done) return;
      if (this.immediate) {
        this.immediate = false;
        void this.connect();
        return;
      }
      if (FINAL_CLOSE_CODES.has(event.code) && event.code !== 4401) {
        this.done = true;
        this.handlers.failed(event.reason);
        return;
      }
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.disposed || this.done) return;
    this.handlers.retrying();
    this.retry = setTimeout(() => void this.connect(), this.backoff.next());
  }
}
