/**
 * Throttled and shed requests (429, 503) are audited in groups: one AuditEvent per client and
 * status per interval, carrying the count, so an overloaded gateway does not also pay a database
 * write for every refusal.
 */
import type { AuditEventInput } from '../../src/audit';
import { RefusalTally } from '../../src/audit/refusal-tally';
import { typicalBundle } from '../http/support/bundle';
import { startWorkspace } from './support/workspace';

describe('RefusalTally', () => {
  it('groups refusals by client and status, with their count and time span, and forgets them once written', async () => {
    const written: AuditEventInput[][] = [];
    const tally = new RefusalTally(async (events) => void written.push(events), 60_000);
    const t = (s: number) => new Date(Date.UTC(2026, 10, 26, 1, 0, s));
    tally.add({ status: 503, at: t(2), clientId: 'region-h', ip: '10.0.0.1' });
    tally.add({ status: 503, at: t(1), clientId: 'region-h', ip: '10.0.0.1' });
    tally.add({ status: 503, at: t(5), clientId: 'region-h', ip: '10.0.0.2' });
    tally.add({ status: 429, at: t(3), clientId: 'region-h', ip: '10.0.0.1' });
    tally.add({ status: 503, at: t(4), ip: '10.0.0.9' });
    await tally.flush();
    expect(written).toHaveLength(1);
    const events = written[0];
    expect(events).toHaveLength(3);
    const shed = events.find((e) => e.agent.id === 'region-h' && e.outcome === '8')!;
    expect(shed.at).toEqual(t(1));
    expect(shed.outcomeDesc).toBe('refused with HTTP 503, 3 times from 2026-11-26T01:00:01.000Z to 2026-11-26T01:00:05.000Z (from 10.0.0.1, 10.0.0.2)');
    expect(shed.agent).toEqual({ kind: 'client', id: 'region-h', ip: undefined });
    const throttled = events.find((e) => e.outcome === '4')!;
    expect(throttled).toMatchObject({ kind: 'submission', outcomeDesc: 'refused with HTTP 429', agent: { kind: 'client', id: 'region-h', ip: '10.0.0.1' } });
    expect(events.find((e) => e.agent.kind === 'unknown')).toMatchObject({ outcome: '8', outcomeDesc: 'refused with HTTP 503', agent: { ip: '10.0.0.9' } });
    await tally.flush();
    expect(written).toHaveLength(1);
  });

  it('writes on its own once the interval has passed', async () => {
    const written: AuditEventInput[][] = [];
    const tally = new RefusalTally(async (events) => void written.push(events), 30);
    tally.add({ status: 429, at: new Date(), clientId: 'region-m' });
    tally.add({ status: 429, at: new Date(), clientId: 'region-m' });
    expect(written).toHaveLength(0);
    for (let i = 0; i < 100 && written.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(written).toEqual([[expect.objectContaining({ outcomeDesc: expect.stringMatching(/^refused with HTTP 429, 2 times from /) })]]);
  });
});

it('a throttled client leaves one grouped AuditEvent in the audit store, written at the latest when the audit closes', async () => {
  const ws = await startWorkspace({ limits: { ratePerSecond: 0.001, rateBurst: 1 } });
  try {
    const post = () => fetch(`${ws.base}/fhir`, { method: 'POST', body: JSON.stringify(typicalBundle('throttled')), headers: { 'content-type': 'application/fhir+json', authorization: 'Test region-h' } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post();
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([202, 429, 429, 429, 429]);
    const refusals = async () => (await ws.auditStore.searchEvents({ subtype: 'transaction', limit: 100 })).items.filter((e) => /refused/.test(e.resource.outcomeDesc ?? ''));
    // Counted, not yet written: the default interval is 10 s.
    expect(await refusals()).toEqual([]);
    await ws.audit.close();
    const events = await refusals();
    expect(events).toHaveLength(1);
    expect(events[0].resource).toMatchObject({ outcome: '4', agent: [{ who: { identifier: { value: 'region-h' } } }, expect.anything()] });
    expect(events[0].resource.outcomeDesc).toMatch(/^refused with HTTP 429, 4 times from \S+ to \S+$/);
  } finally {
    await ws.close();
  }
}, 60_000);
