import { RetryAfterHold } from '../../src/http/limits';

describe('RetryAfterHold', () => {
  it('holds a refused client until its Retry-After has passed, at most maxHoldMs, and nobody else', () => {
    let now = 1000;
    const hold = new RetryAfterHold(1500, () => now);
    expect(hold.holdMs('region-h')).toBe(0);
    hold.refused('region-h', 2);
    expect(hold.holdMs('region-h')).toBe(1500);
    expect(hold.holdMs('region-m')).toBe(0);
    now += 1200;
    expect(hold.holdMs('region-h')).toBe(800);
    now += 800;
    expect(hold.holdMs('region-h')).toBe(0);
    // A later refusal starts a new window.
    hold.refused('region-h', 1);
    expect(hold.holdMs('region-h')).toBe(1000);
  });

  it('holds nobody when switched off', () => {
    const hold = new RetryAfterHold(0, () => 0);
    hold.refused('region-h', 30);
    expect(hold.holdMs('region-h')).toBe(0);
  });

  it('forgets expired windows once many clients have been refused', () => {
    let now = 0;
    const hold = new RetryAfterHold(1000, () => now);
    for (let i = 0; i < 10_001; i++) hold.refused(`client-${i}`, 1);
    now = 5000;
    hold.refused('late', 1);
    expect((hold as unknown as { until: Map<string, number> }).until.size).toBe(1);
    expect(hold.holdMs('late')).toBe(1000);
  });
});
