/**
 * The server's clock as seen from the browser. Countdowns must not trust the browser's clock: a
 * laptop minutes off would show a lease ending at the wrong time. Each API answer that carries
 * serverTime is a sample; the offset is taken from the sample with the shortest round trip
 * (its midpoint is the best guess of when the server read its clock).
 */
export class ServerClock {
  private offsetMs = 0;
  private bestRoundTripMs = Number.POSITIVE_INFINITY;

  constructor(private readonly localNow: () => number = Date.now) {}

  /** A sample: the request left at sentAt, the answer arrived at receivedAt (both local ms). */
  observe(serverTime: string, sentAt: number, receivedAt: number): void {
    const server = Date.parse(serverTime);
    if (Number.isNaN(server) || receivedAt < sentAt) return;
    const roundTrip = receivedAt - sentAt;
    // An old best sample may describe a clock that has since been adjusted; let it age out slowly.
    this.bestRoundTripMs += 1;
    if (roundTrip > this.bestRoundTripMs) return;
    this.bestRoundTripMs = roundTrip;
    this.offsetMs = server - (sentAt + roundTrip / 2);
  }

  /** The server's time now, in ms since the epoch. */
  now(): number {
    return this.localNow() + this.offsetMs;
  }

  /** How far the browser's clock is behind the server's (negative: ahead). */
  offset(): number {
    return this.offsetMs;
  }
}
