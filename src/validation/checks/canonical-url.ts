/**
 * The canonical URL a canonical resource (ValueSet, CodeSystem, StructureDefinition, ...) declares in
 * its own `url` is its identity everywhere it is referenced, so it must be absolute, contained
 * resources included (they are referenced by `#id`, not by their url): the HL7 Java validator rejects
 * 'ValueSet/x' or 'c1' there, which the uri datatype alone allows.
 */
import type { ValidationIssue } from '../issue';
import { report, type Json } from './context';

const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** The R4 resources whose `url` is their canonical identity (Contract.url, Device.url and the like are not). */
const CANONICAL_RESOURCES: ReadonlySet<string> = new Set([
  'ActivityDefinition', 'CapabilityStatement', 'ChargeItemDefinition', 'CodeSystem', 'CompartmentDefinition', 'ConceptMap',
  'EffectEvidenceSynthesis', 'EventDefinition', 'Evidence', 'EvidenceVariable', 'ExampleScenario', 'GraphDefinition',
  'ImplementationGuide', 'Library', 'Measure', 'MessageDefinition', 'OperationDefinition', 'PlanDefinition', 'Questionnaire',
  'ResearchDefinition', 'ResearchElementDefinition', 'RiskEvidenceSynthesis', 'SearchParameter', 'StructureDefinition',
  'StructureMap', 'TerminologyCapabilities', 'TestScript', 'ValueSet',
]);

export function checkCanonicalUrl(resource: Json, path: string, contained: boolean, sink: ValidationIssue[]): void {
  if (!CANONICAL_RESOURCES.has(resource.resourceType as string)) return;
  const url = resource.url;
  if (typeof url !== 'string' || url === '' || ABSOLUTE.test(url)) return;
  report(
    sink,
    'error',
    'invalid',
    'CANONICAL_NOT_ABSOLUTE',
    contained
      ? `Canonical URLs in contained resources must be absolute URLs if present ('${url}'): the resource is referenced by '#' and its id`
      : `Canonical URLs must be absolute URLs if they are not fragment references ('${url}')`,
    `${path}.url`,
  );
}
