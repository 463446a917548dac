/**
 * Bundle rules that need the whole Bundle at once: the fullUrl index used to resolve references,
 * and unique fullUrls (bdl-7, checked here because fhirpath.js's isDistinct() is quadratic).
 */
import type { ValidationIssue } from '../issue';
import { isObject, report, type Json } from './context';

export interface BundleEntryRef {
  resource: Json;
  path: string;
  fullUrl?: string;
}

const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const RESTFUL = /^(.*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

function stripHistory(ref: string): string {
  const i = ref.indexOf('/_history/');
  return i < 0 ? ref : ref.slice(0, i);
}

export class BundleIndex {
  readonly type: string | undefined;
  private readonly byFullUrl = new Map<string, BundleEntryRef>();
  private readonly byTypeId = new Map<string, BundleEntryRef | null>();
  readonly entries: (BundleEntryRef | undefined)[] = [];

  constructor(bundle: Json, path: string) {
    this.type = typeof bundle.type === 'string' ? bundle.type : undefined;
    const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (!isObject(e) || !isObject(e.resource)) {
        this.entries.push(undefined);
        continue;
      }
      const fullUrl = typeof e.fullUrl === 'string' ? e.fullUrl : undefined;
      const ref: BundleEntryRef = { resource: e.resource, path: `${path}.entry[${i}].resource`, fullUrl };
      this.entries.push(ref);
      if (fullUrl && !this.byFullUrl.has(fullUrl)) this.byFullUrl.set(fullUrl, ref);
      const rt = e.resource.resourceType;
      const id = e.resource.id;
      if (typeof rt === 'string' && typeof id === 'string') {
        const key = `${rt}/${id}`;
        this.byTypeId.set(key, this.byTypeId.has(key) ? null : ref);
      }
    }
  }

  /** Resolves a reference made from the entry with fullUrl `from`, as the HL7 validator does. */
  resolve(reference: string, from: string | undefined): BundleEntryRef | undefined {
    const ref = stripHistory(reference);
    if (ABSOLUTE.test(ref)) return this.byFullUrl.get(ref);
    const m = RESTFUL.exec(ref);
    if (!m || m[1]) return undefined;
    if (from) {
      const base = RESTFUL.exec(from);
      if (base && base[1] && /^https?:/.test(base[1])) {
        const hit = this.byFullUrl.get(base[1] + ref);
        if (hit) return hit;
      }
    }
    return this.byTypeId.get(ref) ?? undefined;
  }
}

/** bdl-7: fullUrl unique, unless entries with the same fullUrl have different meta.versionId (history excepted). */
export function checkUniqueFullUrls(bundle: Json, path: string, sink: ValidationIssue[]): void {
  if (bundle.type === 'history' || !Array.isArray(bundle.entry)) return;
  const seen = new Map<string, number>();
  bundle.entry.forEach((e, i) => {
    if (!isObject(e) || typeof e.fullUrl !== 'string') return;
    const res = isObject(e.resource) ? e.resource : undefined;
    const version = res && isObject(res.meta) && typeof res.meta.versionId === 'string' ? res.meta.versionId : '';
    const key = e.fullUrl + '|' + version;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    report(
      sink,
      'error',
      'invariant',
      'BUNDLE_DUPLICATE_FULLURL',
      `Constraint failed: bdl-7: 'FullUrl must be unique in a bundle, or else entries with the same fullUrl must have different meta.versionId (except in history bundles)': fullUrl '${e.fullUrl}' is also used by entry[${first}]`,
      `${path}.entry[${i}]`,
    );
  });
}

/** Type named by a RESTful reference (`Patient/1`, `http://x/fhir/Patient/1/_history/2`). */
export function referenceType(reference: string): string | undefined {
  const m = RESTFUL.exec(stripHistory(reference) === reference ? reference : reference);
  return m ? m[2] : undefined;
}
