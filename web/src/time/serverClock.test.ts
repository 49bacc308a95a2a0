import { describe, expect, it } from 'vitest';
import { ServerClock } from './serverClock';

describe('ServerClock', () => {
  it('corrects a browser clock that runs behind the server', () => {
    let local = 1_000_000;
    const clock = new ServerClock(() => local);
    // The server says 10:00:30 while the browser thinks it is 30 s earlier; the round trip took 200 ms.
    const serverTime = new Date(1_000_000 + 30_000 + 100).toISOString();
    clock.observe(serverTime, 1_000_000, 1_000_200);
    local = 1_000_200;
    expect(clock.now()).toBe(1_000_200 + 30_000);
  });

  it('trusts the sample with the shortest round trip', () => {
    let local = 0;
    const clock = new ServerClock(() => local);
    clock.observe(new Date(5_000 + 50).toISOString(), 0, 100); // offset 5000, 100 ms round trip
    clock.observe(new Date(1_000 + 9_000).toISOString(), 1_000, 3_000); // a slow answer: 2 s round trip, ignored
    local = 10_000;
    expect(clock.offset()).toBe(5_000);
    expect(clock.now()).toBe(15_000);
  });

  it('ignores a sample it cannot read', () => {
    const clock = new ServerClock(() => 0);
    clock.observe('not a time', 0, 10);
    expect(clock.offset()).toBe(0);
  });
});
