import type { ActivityPage, Catalog, ContainerAction, FileListing, Lease, LeasePage, Me, PreviewLink, ProvisionRequest, Usage } from './types';
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

  preview(id: string, port: number): Promise<PreviewLink> {
    return this.call('POST', `/api/containers/${encodeURIComponent(id)}/previews`, { port });
  }

  listFiles(id: string, path: string): Promise<FileListing> {
    return this.call('GET', `${filesPath(id)}/list?path=${encodeURIComponent(path)}`);
  }

  removeFile(id: string, path: string): Promise<void> {
    return this.call('DELETE', `${filesPath(id)}?path=${encodeURIComponent(path)}`);
  }

  makeDirectory(id: string, path: string): Promise<{ path: string }> {
    return this.call('POST', `${filesPath(id)}/directories?path=${encodeURIComponent(path)}`);
  }

  /**
   * A file's bytes (a directory as a tar), with the name the service gives it; progress as it comes
   * (total is null when the service does not know it: a tar).
   */
  async downloadFile(id: string, path: string, onProgress: (done: number, total: number | null) => void):
    Promise<{ blob: Blob; name: string }> {
    let response: Response;
    try {
      response = await this.fetchFn(`${filesPath(id)}?path=${encodeURIComponent(path)}`,
        { headers: { Authorization: `Bearer ${this.token}` } });
    } catch {
      throw new ApiError(0, 'network_error', 'The service cannot be reached.');
    }
    if (!response.ok) throw await this.failure(response);
    const length = response.headers.get('Content-Length');
    const total = length === null ? null : Number(length);
    const parts: BlobPart[] = [];
    let done = 0;
    const reader = response.body?.getReader();
    if (reader) {
      for (;;) {
        const { done: finished, value } = await reader.read();
        if (finished) break;
        parts.push(value);
        done += value.byteLength;
        onProgress(done, total);
      }
    }
    if (total !== null && done !== total) {
      throw new ApiError(0, 'transfer_failed', 'The download was cut off before its end.');
    }
    return { blob: new Blob(parts), name: downloadName(response.headers.get('Content-Disposition')) };
  }

  /** Uploads one file to path (XMLHttpRequest: fetch cannot tell how much of a body has gone). */
  uploadFile(id: string, path: string, file: Blob, onProgress: (done: number, total: number) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('PUT', `${filesPath(id)}?path=${encodeURIComponent(path)}`);
      request.setRequestHeader('Authorization', `Bearer ${this.token}`);
      request.setRequestHeader('Content-Type', 'application/octet-stream');
      request.upload.onprogress = (event) => onProgress(event.loaded, event.total || file.size);
      request.onload = () => {
        if (request.status < 400) {
          onProgress(file.size, file.size);
          resolve();
          return;
        }
        const error = (safeParse(request.responseText) as { error?: { code?: string; message?: string } } | undefined)?.error;
        const failure = new ApiError(request.status, error?.code ?? `http_${request.status}`,
          error?.message ?? `The service answered ${request.status}.`);
        if (request.status === 401) this.onUnauthorized(failure);
        reject(failure);
      };
      request.onerror = () => reject(new ApiError(0, 'network_error', 'The upload was cut off.'));
      request.send(file);
    });
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
    if (!response.ok) throw await this.failure(response);
    const text = await response.text();
    return (text ? safeParse(text) : undefined) as T;
  }

  /** The {error: {code, message}} of a refusal; a 401 also tells the app the token is no longer good. */
  private async failure(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    const error = (safeParse(text) as { error?: { code?: string; message?: string } } | undefined)?.error;
    const failure = new ApiError(response.status, error?.code ?? 'http_' + response.status,
      error?.message ?? `The service answered ${response.status}.`);
    if (response.status === 401) this.onUnauthorized(failure);
    return failure;
  }
}

function filesPath(id: string): string {
  return `/api/containers/${encodeURIComponent(id)}/files`;
}

/** The exact name of Content-Disposition's filename*, else its plain one; never a path. */
function downloadName(disposition: string | null): string {
  const exact = /filename\*=UTF-8''([^;]+)/.exec(disposition ?? '');
  const plain = /filename="([^"]*)"/.exec(disposition ?? '');
  let name = 'download';
  try {
    name = exact ? decodeURIComponent(exact[1]) : plain ? plain[1] : name;
  } catch {
    // a malformed escape: the plain name or the default
  }
  return name.replace(/[/\\]/g, '_') || 'download';
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
