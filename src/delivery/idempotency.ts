/**
 * Makes a submission's transaction Bundle safe to send more than once.
 *
 * The gateway cannot know whether a send whose answer it never recorded (a crash after the
 * database's 2xx, a connection reset after the commit, a timeout) reached the database. So every
 * entry becomes a conditional create (`ifNoneExist: _tag=<system>|<code>`): the database creates
 * the resource the first time and, on any later send, returns the one it already holds.
 *
 * The key is a `meta.tag` the gateway adds to every resource, derived from the submission id and
 * the entry's fullUrl: system DELIVERY_TAG_SYSTEM, code `urn:uuid:<UUID v5 of both>`. A tag, not an
 * identifier, because the profiles fix identifier cardinalities (SPC-01: exactly one specimen
 * identifier; PAT-01: exactly one person identifier): an added identifier would make a forwarded
 * resource break the very profile it was accepted against. Why not the business identifiers (the
 * report's identifier, the CPR, the SOR code)?
 * - REP-04: a corrected report is a NEW submission with the SAME report identifier; keyed on it, the
 *   correction would silently collapse into the original.
 * - Some resources (variant Observations, for instance) have no business identifier at all.
 * - A key per (submission, entry) is exactly "this delivery", whatever the content: the only thing
 *   a redelivery must not duplicate. It is deterministic, so a retry after a crash, from any
 *   gateway instance, produces the same keys.
 * Matching patients across submissions by CPR is the national database's business, not the
 * gateway's; the business identifiers travel unchanged.
 */
import crypto from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from 'fhir/r4';

export const DELIVERY_TAG_SYSTEM = 'http://ngc.dk/fhir/genomics/delivery-key';

/** Fixed namespace of the gateway's name-based UUIDs (random once, never to change). */
const NAMESPACE = Buffer.from('6f1c1c7e9d3a4f0e8a56b0c2d4e8f901', 'hex');

/** RFC 9562 UUID version 5 (SHA-1, name-based). */
export function uuidV5(name: string, namespace: Buffer = NAMESPACE): string {
  const b = crypto.createHash('sha1').update(namespace).update(name, 'utf8').digest();
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex', 0, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The delivery key (tag code) of one entry of one submission. */
export function deliveryKey(submissionId: string, fullUrl: string, index: number): string {
  // SUB-04 makes fullUrl unique within the Bundle; the index only stands in should it be missing.
  return `urn:uuid:${uuidV5(`${submissionId}\n${fullUrl || `#${index}`}`)}`;
}

/**
 * A copy of `bundle` in which every POST entry is a conditional create keyed on the added delivery
 * tag. The input is not modified.
 */
export function makeIdempotent(bundle: Bundle, submissionId: string): Bundle {
  return tagForRedelivery(structuredClone(bundle), submissionId);
}

/**
 * The transaction the outbox stores for an accepted submission: `bundle` made idempotent for
 * `submissionId` (changed in place), as UTF-8 JSON. Done at intake, where the Bundle is parsed
 * anyway, so that no send parses and serialises it again.
 */
export function transactionBytes(bundle: Bundle, submissionId: string): Buffer {
  return Buffer.from(JSON.stringify(tagForRedelivery(bundle, submissionId)));
}

/** As makeIdempotent, but changes and returns `bundle` itself (for a Bundle parsed for one send). */
export function tagForRedelivery(bundle: Bundle, submissionId: string): Bundle {
  // In place, entry by entry (the delivery worker runs this for every send): the keys a resource or
  // request already has keep their order, the added ones come last, as with a copy.
  const entries = bundle.entry ?? [];
  bundle.entry = entries;
  for (let index = 0; index < entries.length; index++) {
    const entry: BundleEntry = entries[index];
    const resource = entry.resource as Resource | undefined;
    if (!resource || (entry.request && entry.request.method !== 'POST')) continue;
    const code = deliveryKey(submissionId, entry.fullUrl ?? '', index);
    const meta = (resource.meta ??= {});
    const tags = (meta.tag ?? []).filter((t) => t.system !== DELIVERY_TAG_SYSTEM);
    tags.push({ system: DELIVERY_TAG_SYSTEM, code });
    meta.tag = tags;
    const request = entry.request ?? { url: resource.resourceType, method: 'POST' };
    request.method = 'POST';
    request.url ??= resource.resourceType;
    // Only URI-safe characters (':', '/', '.', '|', hex digits, '-'): no escaping needed in the search string.
    request.ifNoneExist = `_tag=${DELIVERY_TAG_SYSTEM}|${code}`;
    entry.request = request;
  }
  return bundle;
}
