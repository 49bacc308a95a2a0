import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconnectingSocket, type SocketHandlers } from './reconnectingSocket';
import { Backoff } from './sockets';

/** A socket the test drives: it opens, speaks and closes when the test says. */
class FakeSocket {
  readyState = 0;
  sent: unknown[] = [];
  closedWith: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;

  send(data: unknown) {
    this.sent.push(data);
  }

  close(code?: number) {
    this.closedWith = code ?? 1005;
  }

  opened() {
    this.readyState = 1;
    this.onopen?.();
  }

  says(data: string) {
    this.onmessage?.({ data });
  }

  drops(code = 1006, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/** A backoff with fixed steps, so the test knows when each try comes. */
class StepBackoff extends Backoff {
  resets = 0;
  private step = 0;

  override next(): number {
    return [100, 200, 400, 800][Math.min(this.step++, 3)];
  }

  override reset(): void {
    this.resets++;
    this.step = 0;
  }
}

describe('ReconnectingSocket', () => {
  let sockets: FakeSocket[];
  let events: string[];
  let opener: ReturnType<typeof vi.fn>;
  let backoff: StepBackoff;
  let socket: ReconnectingSocket;

  const handlers: SocketHandlers = {
    connecting: (again) => events.push(again ? 'connecting again' : 'connecting'),
    open: () => events.push('open'),
    message: (data) => events.push(`message ${String(data)}`),
    retrying: () => events.push('retrying'),
    failed: (reason) => events.push(`failed ${reason}`),
  };

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    events = [];
    opener = vi.fn(async () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s as unknown as WebSocket;
    });
    backoff = new StepBackoff();
    socket = new ReconnectingSocket(opener as unknown as () => Promise<WebSocket>, handlers, backoff);
  });

  afterEach(() => {
    socket.dispose();
    vi.useRealTimers();
  });

  it('comes back after a drop, waiting longer after each failure, and from the first step once connected', async () => {
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0].opened();
    sockets[0].says('hello');
    sockets[0].drops();
    expect(events).toEqual(['connecting', 'open', 'message hello', 'retrying']);

    await vi.advanceTimersByTimeAsync(99);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    sockets[1].drops();
    await vi.advanceTimersByTimeAsync(199);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);

    socket.connected();
    expect(backoff.resets).toBe(1);
    sockets[2].drops();
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(4);
    expect(events.filter((e) => e === 'connecting again')).toHaveLength(3);
  });

  it('retries when a connection cannot even be opened (no ticket: the service is down)', async () => {
    opener.mockRejectedValueOnce(new Error('offline'));
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['connecting', 'retrying']);
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(1);
  });

  it('stops for good after a refusal, saying why, but retries an expired session (4401)', async () => {
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0].drops(4401, 'ticket expired');
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(2);
    sockets[1].drops(4404, 'no such lease');
    expect(events.at(-1)).toBe('failed no such lease');
    expect(socket.finished).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(2);
  });

  it('does not come back once the view says it is done, nor once it is gone', async () => {
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    socket.finish(); // the shell exited: the socket closes after telling so
    sockets[0].drops(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(events).not.toContain('retrying');

    const other = new ReconnectingSocket(opener as unknown as () => Promise<WebSocket>, handlers, new StepBackoff());
    other.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[1].drops();
    other.dispose(); // unmounted during the backoff
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(2);
  });

  it('closes a connection that arrives after the view is gone', async () => {
    let release: (s: WebSocket) => void = () => {};
    opener.mockImplementationOnce(() => new Promise<WebSocket>((resolve) => { release = resolve; }));
    socket.start();
    socket.dispose();
    const late = new FakeSocket();
    release(late as unknown as WebSocket);
    await vi.advanceTimersByTimeAsync(0);
    expect(late.closedWith).not.toBeNull();
  });

  it('reconnects at once when what it resumed is gone, and sends only on an open connection', async () => {
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.send('typed too early')).toBe(false);
    sockets[0].opened();
    expect(socket.send('ls\n')).toBe(true);
    expect(sockets[0].sent).toEqual(['ls\n']);
    socket.reconnectAtOnceOnClose();
    sockets[0].drops(4404, 'session not found');
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets).toHaveLength(2);
    expect(events).not.toContain('failed session not found');
    expect(events).not.toContain('retrying');
  });
});
