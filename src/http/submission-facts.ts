/**
 * Facts the HTTP layer needs from a parsed submission Bundle, independent of whether it is valid:
 * its identifier (SUB-11), the report's identifier, the SOR codes of the report's performers
 * (SUB-12), and the patients' person identifiers (for the audit's keyed hashes, never stored in
 * clear). Defensive: the Bundle may be anything the JSON parser accepted.
 */
import { personIdentifiers } from '../audit/payload';

export const SOR_SYSTEM = 'urn:oid:1.2.208.176.1.1';

export interface SubmissionFacts {
  bundleIdentifier?: { system: string; value: string };
  reportIdentifier?: string;
  /** SOR codes of the Organizations that the DiagnosticReport's performer references resolve to. */
  performerSorCodes: string[];
  /** True when the report names a performer whose SOR code could not be found. */
  performerUnresolved: boolean;
  /** CPR/eCPR values of the Bundle's Patients. */
  subjectIdentifiers: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function identifierOf(v: unknown): { system: string; value: string } | undefined {
  if (!isObj(v)) return undefined;
  const system = str(v.system);
  const value = str(v.value);
  return system && value ? { system, value } : undefined;
}

export function extractSubmissionFacts(bundle: Obj): SubmissionFacts {
  const facts: SubmissionFacts = { performerSorCodes: [], performerUnresolved: false, subjectIdentifiers: personIdentifiers(bundle) };
  facts.bundleIdentifier = identifierOf(bundle.identifier);
  const entries = Array.isArray(bundle.entry) ? bundle.entry.filter(isObj) : [];
  const byFullUrl = new Map<string, Obj>();
  for (const e of entries) {
    const url = str(e.fullUrl);
    if (url && isObj(e.resource)) byFullUrl.set(url, e.resource);
  }
  const report = entries.map((e) => e.resource).find((r): r is Obj => isObj(r) && r.resourceType === 'DiagnosticReport');
  if (!report) return facts;
  const reportIds = Array.isArray(report.identifier) ? report.identifier.map(identifierOf).filter((x) => x !== undefined) : [];
  if (reportIds[0]) facts.reportIdentifier = `${reportIds[0].system}|${reportIds[0].value}`;
  const performers = Array.isArray(report.performer) ? report.performer : [];
  for (const p of performers) {
    const ref = isObj(p) ? str(p.reference) : undefined;
    const org = ref ? byFullUrl.get(ref) : undefined;
    const ids = org && org.resourceType === 'Organization' && Array.isArray(org.identifier) ? org.identifier : [];
    const sor = ids.map(identifierOf).find((id) => id?.system === SOR_SYSTEM)?.value;
    if (sor) facts.performerSorCodes.push(sor);
    else facts.performerUnresolved = true;
  }
  return facts;
}
