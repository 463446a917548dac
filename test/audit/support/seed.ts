/** Submissions for the workspace tests, sent through the real POST /fhir. */
import { typicalBundle } from '../../http/support/bundle';
import type { Workspace } from './workspace';

/** A Bundle the test validator rejects with VAR-01 at Bundle.entry[3].resource.status. */
export function rejectedBundle(id: string, cpr?: string, note?: string): Record<string, unknown> {
  const b = typicalBundle(id, { cpr, note });
  ((b.entry as { resource: Record<string, unknown> }[])[3].resource).status = 'preliminary';
  return b;
}

export async function seedThroughApi(ws: Workspace): Promise<{ rejectedId: string; acceptedId: string }> {
  const first = await ws.submit(rejectedBundle('rep-A', '0101011234'));
  if (first.status !== 422) throw new Error(`expected 422, got ${first.status}`);
  for (let i = 0; i < 3; i++) {
    const r = await ws.submit(rejectedBundle(`other-${i}`, '0202024321'));
    if (r.status !== 422) throw new Error(`expected 422, got ${r.status}`);
  }
  const fixed = await ws.submit(typicalBundle('rep-A'));
  if (fixed.status !== 202) throw new Error(`expected 202, got ${fixed.status} ${JSON.stringify(fixed.body)}`);
  const list = await ws.auditStore.listSubmissions({ status: 'any', text: 'rep-A', order: 'asc' });
  return { rejectedId: list.items[0].id, acceptedId: list.items[1].id };
}
