/**
 * Submission and AuditEvent ids are version 7 UUIDs (src/store/ids.ts): the indexes keyed on them
 * receive keys in time order, and every id is still unguessable and unique.
 */
import { timeOrderedUuid } from '../../src/store/ids';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered ids', () => {
  it('is a lowercase version 7 UUID carrying its time in the first 48 bits', () => {
    const at = Date.UTC(2026, 10, 26, 8, 0, 0, 123);
    const id = timeOrderedUuid(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    expect(timeOrderedUuid()).toMatch(V7);
  });

  it('sorts as text in the order of its times, also across a change in the number of hex digits used', () => {
    const times = [0, 1, 15, 16, 255, 256, Date.UTC(2001, 0, 1), Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1, 2 ** 48 - 1];
    const ids = times.map((t) => timeOrderedUuid(t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs in its random bits for ids of the same millisecond', () => {
    const at = Date.now();
    const ids = Array.from({ length: 10_000 }, () => timeOrderedUuid(at));
    expect(new Set(ids).size).toBe(ids.length);
    // 74 random bits: the part after the time is not constant anywhere but version and variant
    const tails = new Set(ids.map((id) => id.slice(15, 18) + id.slice(20)));
    expect(tails.size).toBe(ids.length);
  });
});
