import { DELIVERY_TAG_SYSTEM, backoffDelay, makeIdempotent, parseRetryAfter, CircuitBreaker } from '../../src/delivery';
import { uuidV5 } from '../../src/delivery/idempotency';
import { makeBundle } from './bundles';

describe('makeIdempotent', () => {
  it('turns every entry into a conditional create on a deterministic per-submission tag, leaving identifiers alone', () => {
    const bundle = makeBundle('rep-1');
    const before = JSON.stringify(bundle);
    const a = makeIdempotent(bundle, 'sub-A');
    expect(JSON.stringify(bundle)).toBe(before);
    expect(makeIdempotent(bundle, 'sub-A')).toEqual(a);
    const keys = a.entry!.map((e) => e.request!.ifNoneExist);
    expect(new Set(keys).size).toBe(bundle.entry!.length);
    a.entry!.forEach((e) => {
      const added = (e.resource!.meta?.tag ?? []).filter((t) => t.system === DELIVERY_TAG_SYSTEM);
      expect(added).toHaveLength(1);
      expect(added[0].code).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(e.request).toEqual({ method: 'POST', url: e.resource!.resourceType, ifNoneExist: `_tag=${DELIVERY_TAG_SYSTEM}|${added[0].code}` });
    });
    // Identifiers are untouched: the profiles fix their cardinality (SPC-01, PAT-01).
    expect(a.entry!.map((e) => (e.resource as unknown as { identifier?: unknown }).identifier)).toEqual(
      bundle.entry!.map((e) => (e.resource as unknown as { identifier?: unknown }).identifier),
    );
    // Business identifiers travel unchanged; a correction (same report id, new submission) gets new keys.
    const report = a.entry!.find((e) => e.resource!.resourceType === 'DiagnosticReport')!.resource as unknown as { identifier: { value: string }[] };
    expect(report.identifier[0].value).toBe('rep-1');
    const correction = makeIdempotent(bundle, 'sub-B');
    expect(correction.entry!.map((e) => e.request!.ifNoneExist)).not.toEqual(keys);
  });
});

describe('backoff and Retry-After', () => {
  it('draws a full-jitter delay under an exponential, capped ceiling', () => {
    const o = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, o, () => 0.999)).toBe(99);
    expect(backoffDelay(3, o, () => 0.5)).toBe(200);
    expect(backoffDelay(20, o, () => 0.999)).toBe(999);
    expect(backoffDelay(2, o, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP-date', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, lets one probe through after the cool-down, and closes on its success', () => {
    let t = 0;
    const states: string[] = [];
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => t, onStateChange: (s) => states.push(s) });
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    expect(b.permits(4)).toBe(4);
    b.onFailure();
    expect(b.current).toBe('open');
    expect(b.permits(4)).toBe(0);
    expect(b.waitMs()).toBe(1000);
    t = 1000;
    expect(b.permits(4)).toBe(1);
    b.onStart();
    expect(b.permits(4)).toBe(0);
    b.onFailure();
    expect(b.current).toBe('open');
    t = 2500;
    b.onStart();
    b.onSuccess();
    expect(b.current).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

describe('uuidV5', () => {
  it('matches the RFC 9562 name-based UUID of a known name', () => {
    const dns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
    expect(uuidV5('www.example.com', dns)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});
