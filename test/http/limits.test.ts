import { RetryAfterHold } from '../../src/http/limits';

describe('RetryAfterHold', () => {
  // Stand-ins for sockets: the hold only needs an object per connection.
  const connA = {};
  const connB = {};

  it('holds a refused client on that connection until its Retry-After has passed, at most maxHoldMs', () => {
    let now = 1000;
    const hold = new RetryAfterHold(1500, () => now);
    expect(hold.holdMs(connA, 'region-h')).toBe(0);
    hold.refused(connA, 'region-h', 2);
    expect(hold.holdMs(connA, 'region-h')).toBe(1500);
    now += 1200;
    expect(hold.holdMs(connA, 'region-h')).toBe(800);
    now += 800;
    expect(hold.holdMs(connA, 'region-h')).toBe(0);
    // A later refusal starts a new window.
    hold.refused(connA, 'region-h', 1);
    expect(hold.holdMs(connA, 'region-h')).toBe(1000);
  });

  it("holds neither the same client's other connections nor another client on the refused connection", () => {
    const hold = new RetryAfterHold(1500, () => 0);
    hold.refused(connA, 'region-h', 1);
    // The region's other senders go on: they were never told to wait.
    expect(hold.holdMs(connB, 'region-h')).toBe(0);
    // A proxy's pooled connection carries other clients too.
    expect(hold.holdMs(connA, 'region-m')).toBe(0);
    expect(hold.holdMs(connA, 'region-h')).toBe(1000);
  });

  it('holds nobody when switched off', () => {
    const hold = new RetryAfterHold(0, () => 0);
    hold.refused(connA, 'region-h', 30);
    expect(hold.holdMs(connA, 'region-h')).toBe(0);
  });
});
