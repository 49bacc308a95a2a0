import type { ActivityPage, Catalog, ContainerAction, Lease, LeasePage, Me, ProvisionRequest, Usage } from './types';
import { ServerClock } from '../time/serverClock';

/** A refusal from the API: its status and the {error: {code, message}} it sent. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Fetch = typeof fetch;

/**
 * The service's HTTP API for one signed-in user. Every call carries the token; every answer with a
 * serverTime feeds the clock the countdowns use. A 401 tells the app the token is no longer good.
 */
/** Tickets live 30 s on the server; an early one is used only while well inside that. */
const TICKET_FRESH_MS = 20_000;

export class ApiClient {
  readonly clock: ServerClock;
  private earlyTicket: { ticket: Promise<string>; at: number } | null = null;

  constructor(
    private readonly token: string,
    private readonly onUnauthorized: (error: ApiError) => void = () => {},
    private readonly fetchFn: Fetch = (input, init) => fetch(input, init),
    clock: ServerClock = new ServerClock(),
  ) {
    this.clock = clock;
  }

  me(): Promise<Me> {
    return this.timed('/api/me');
  }

  catalog(): Promise<Catalog> {
    return this.call('GET', '/api/catalog');
  }

  leases(options: { all: boolean; limit: number; cursor?: string | null }): Promise<LeasePage> {
    const query = new URLSearchParams({ all: String(options.all), limit: String(options.limit) });
    if (options.cursor) query.set('cursor', options.cursor);
    return this.timed(`/api/containers?${query}`);
  }

  lease(id: string): Promise<Lease> {
    return this.call('GET', `/api/containers/${encodeURIComponent(id)}`);
  }

  provision(request: ProvisionRequest): Promise<Lease> {
    return this.call('POST', '/api/provision', request);
  }

  extend(id: string, durationSeconds: number): Promise<Lease> {
    return this.call('POST', `/api/containers/${encodeURIComponent(id)}/extend`, { durationSeconds });
  }

  /** Start, stop, restart, pause or unpause the lease's container; answers the lease with its new state. */
  control(id: string, action: ContainerAction): Promise<Lease> {
    return this.call('POST', `/api/containers/${encodeURIComponent(id)}/${action}`);
  }

  stats(id: string): Promise<Usage> {
    return this.call('GET', `/api/containers/${encodeURIComponent(id)}/stats`);
  }

  release(id: string): Promise<void> {
    return this.call('DELETE', `/api/containers/${encodeURIComponent(id)}`);
  }

  sessions(id: string): Promise<{ sessions: { sessionId: string; attached: boolean }[]; max: number }> {
    return this.call('GET', `/api/containers/${encodeURIComponent(id)}/sessions`);
  }

  endSession(id: string, sessionId: string): Promise<void> {
    return this.call('DELETE', `/api/containers/${encodeURIComponent(id)}/sessions/${encodeURIComponent(sessionId)}`);
  }

  activity(options: { cursor?: string | null; user?: string; leaseId?: string; limit?: number }): Promise<ActivityPage> {
    const query = new URLSearchParams({ limit: String(options.limit ?? 50) });
    if (options.cursor) query.set('cursor', options.cursor);
    if (options.user) query.set('user', options.user);
    if (options.leaseId) query.set('leaseId', options.leaseId);
    return this.call('GET', `/api/activity?${query}`);
  }

  /** A single-use ticket: browsers cannot send headers on a WebSocket. */
  async ticket(): Promise<string> {
    const early = this.earlyTicket;
    this.earlyTicket = null;
    if (early && Date.now() - early.at < TICKET_FRESH_MS) {
      const ticket = await early.ticket.catch(() => null);
      if (ticket) return ticket;
    }
    const answer = await this.call<{ ticket: string }>('POST', '/api/ws-ticket');
    return answer.ticket;
  }

  /** Asks for a ticket ahead of a WebSocket that is about to open (the next ticket() takes it). */
  prefetchTicket(): void {
    const ticket = this.call<{ ticket: string }>('POST', '/api/ws-ticket').then((a) => a.ticket);
    ticket.catch(() => {}); // a failed early ticket is simply not used
    this.earlyTicket = { ticket, at: Date.now() };
  }

  private async timed<T extends { serverTime: string }>(path: string): Promise<T> {
    const sentAt = Date.now();
    const answer = await this.call<T>('GET', path);
    this.clock.observe(answer.serverTime, sentAt, Date.now());
    return answer;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchFn(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'network_error', 'The service cannot be reached. Check your connection; this page retries by itself.');
    }
    const text = await response.text();
    const json = text ? safeParse(text) : undefined;
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const failure = new ApiError(response.status, error?.code ?? 'http_' + response.status,
        error?.message ?? `The service answered ${response.status}.`);
      if (response.status === 401) this.onUnauthorized(failure);
      throw failure;
    }
    return json as T;
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
