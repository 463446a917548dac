/**
 * CapabilityStatement rules beyond its StructureDefinition, as the HL7 validator applies them: a
 * search parameter that names its definition must declare the type that definition has.
 */
import type { ValidationIssue } from '../issue';
import { coreSearchParameterType } from '../definitions/search-parameters';
import { isObject, report, type Json } from './context';

export function checkCapabilityStatement(cs: Json, path: string, sink: ValidationIssue[]): void {
  if (!Array.isArray(cs.rest)) return;
  cs.rest.forEach((rest, r) => {
    if (!isObject(rest) || !Array.isArray(rest.resource)) return;
    rest.resource.forEach((resource, i) => {
      if (!isObject(resource) || !Array.isArray(resource.searchParam)) return;
      resource.searchParam.forEach((sp, s) => {
        if (!isObject(sp) || typeof sp.definition !== 'string' || typeof sp.type !== 'string') return;
        const defined = coreSearchParameterType(sp.definition);
        if (defined === undefined || defined === sp.type) return;
        report(
          sink,
          'error',
          'invalid',
          'CAPABILITY_SEARCH_PARAM_TYPE',
          `Type mismatch: the SearchParameter '${sp.definition}' has the type '${defined}', but the type here is '${sp.type}'`,
          `${path}.rest[${r}].resource[${i}].searchParam[${s}]`,
        );
      });
    });
  });
}
