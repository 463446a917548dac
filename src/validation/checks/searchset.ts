/**
 * Rules for search result Bundles (Bundle.type = searchset), with the HL7 validator's severities:
 * entries found by the search (search.mode = match) and included ones must carry their id, matches
 * must be of the type the self link searched for, and outcome entries must be OperationOutcomes.
 * Without any search.mode the role of each entry is unknown, so the same findings are only warnings.
 */
import type { ValidationIssue } from '../issue';
import { isObject, report, type Json } from './context';

/**
 * Resource types a search URL asks for: `[base/]Type?params` names one, a system-level search
 * (`[base]?_type=A,B`) lists them. Empty when the URL says nothing usable.
 */
export function searchedTypes(url: string, isResourceType: (t: string) => boolean): string[] {
  const q = url.indexOf('?');
  const head = q < 0 ? url : url.slice(0, q);
  const last = head.slice(head.lastIndexOf('/') + 1);
  if (isResourceType(last)) return [last];
  if (q < 0) return [];
  const types: string[] = [];
  for (const param of url.slice(q + 1).split('&')) {
    if (param.startsWith('_type=')) for (const t of param.slice(6).split(',')) if (t) types.push(t);
  }
  return types;
}

function modeOf(entry: Json): string | undefined {
  return isObject(entry.search) && typeof entry.search.mode === 'string' ? entry.search.mode : undefined;
}

export function checkSearchSet(bundle: Json, path: string, sink: ValidationIssue[], isResourceType: (t: string) => boolean): void {
  if (bundle.type !== 'searchset') return;
  const links = Array.isArray(bundle.link) ? bundle.link : [];
  const self = links.find((l): l is Json => isObject(l) && l.relation === 'self');
  let types: string[] = [];
  if (!self) {
    report(sink, 'warning', 'invalid', 'SEARCHSET_NO_SELF', 'A searchset Bundle should have a self link that states what the search was', path);
  } else {
    types = typeof self.url === 'string' ? searchedTypes(self.url, isResourceType) : [];
    if (!types.length) report(sink, 'information', 'invalid', 'SEARCHSET_SELF_UNCLEAR', 'No resource type could be read from the search in the self link, so the types of the entries are not checked', path);
  }
  const entries = (Array.isArray(bundle.entry) ? bundle.entry : []).map((e, i) => ({ entry: isObject(e) ? e : undefined, at: `${path}.entry[${i}]` }));
  const withMode = entries.filter((e) => e.entry && modeOf(e.entry) !== undefined).length;
  const expecting = `[${types.join(', ')}]`;

  if (withMode === 0) {
    let typeProblem = false;
    let firstType: string | undefined;
    for (const { entry, at } of entries) {
      if (!entry) continue;
      const res = isObject(entry.resource) ? entry.resource : undefined;
      if (!res) {
        report(sink, 'error', 'invalid', 'SEARCHSET_NO_RESOURCE', 'Entries of a searchset Bundle must have a resource', at);
        continue;
      }
      const rt = typeof res.resourceType === 'string' ? res.resourceType : undefined;
      if (!rt) continue; // reported where the resource is validated
      const noId = typeof res.id !== 'string' && rt !== 'OperationOutcome';
      if (!types.length) {
        typeProblem = true;
        if (noId) report(sink, 'warning', 'invalid', 'SEARCHSET_ENTRY_NO_ID', 'Search results must have ids', `${at}.resource`);
      } else if (types.includes(rt)) {
        if (rt === 'OperationOutcome') continue;
        if (noId) report(sink, 'warning', 'invalid', 'SEARCHSET_ENTRY_NO_ID', 'Search results must have ids', `${at}.resource`);
        if (firstType !== undefined && rt !== firstType) typeProblem = true;
        firstType ??= rt;
      } else {
        typeProblem = true;
        report(sink, 'warning', 'invalid', 'SEARCHSET_ENTRY_WRONG_TYPE', `This ${rt} is not of a type the search asked for (expecting ${expecting}); is a search.mode needed?`, at);
      }
    }
    if (typeProblem) report(sink, 'warning', 'invalid', 'SEARCHSET_NO_MODE', 'The entries of a searchset Bundle should state their search.mode', path);
    return;
  }

  for (const { entry, at } of entries) {
    if (!entry) continue;
    const mode = modeOf(entry);
    if (mode === undefined) report(sink, 'warning', 'invalid', 'SEARCHSET_NO_MODE', 'The entries of a searchset Bundle should state their search.mode', at);
    const res = isObject(entry.resource) ? entry.resource : undefined;
    if (!res) {
      report(sink, 'error', 'invalid', 'SEARCHSET_NO_RESOURCE', 'Entries of a searchset Bundle must have a resource', at);
      continue;
    }
    const rt = typeof res.resourceType === 'string' ? res.resourceType : undefined;
    if (mode === undefined || !rt) continue;
    const where = `${at}.resource`;
    if (mode === 'match' || mode === 'include') {
      if (typeof res.id !== 'string') report(sink, 'error', 'invalid', 'SEARCHSET_ENTRY_NO_ID', `Search results must have ids (this ${rt} has search.mode '${mode}' but no id)`, where);
      if (mode === 'match' && types.length && !types.includes(rt)) {
        report(sink, 'error', 'invalid', 'SEARCHSET_ENTRY_WRONG_TYPE', `This ${rt} is not of a type the search asked for (expecting ${expecting}), but has search.mode 'match'`, where);
      }
    } else if (rt !== 'OperationOutcome') {
      report(sink, 'error', 'invalid', 'SEARCHSET_OUTCOME_WRONG_TYPE', `An entry with search.mode '${mode}' must be an OperationOutcome, not a ${rt}`, where);
    }
  }
}
