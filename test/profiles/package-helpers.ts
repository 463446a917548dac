/* eslint-disable @typescript-eslint/no-explicit-any -- FHIR JSON nodes of any shape */
/**
 * Reads the committed NGC package (profiles/package) and evaluates the NGC invariants of a profile
 * on a resource with HL7's fhirpath.js, independently of the gateway's validation engine.
 */
import fs from 'node:fs';
import path from 'node:path';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4';
import type { CodeSystem, ElementDefinition, StructureDefinition, ValueSet } from 'fhir/r4';

export const PACKAGE_DIR = path.resolve(__dirname, '..', '..', 'profiles', 'package');

export function readPackageFile<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, name), 'utf8')) as T;
}

export const structureDefinition = (id: string): StructureDefinition =>
  readPackageFile<StructureDefinition>(`StructureDefinition-${id}.json`);
export const valueSet = (id: string): ValueSet => readPackageFile<ValueSet>(`ValueSet-${id}.json`);
export const codeSystem = (id: string): CodeSystem => readPackageFile<CodeSystem>(`CodeSystem-${id}.json`);

/** Keys of invariants that are NGC's: rule ids (PAT-01) and ngc-* helpers. */
export const isNgcKey = (key: string): boolean => /^[A-Z]+-\d{2}$/.test(key) || key.startsWith('ngc-');

interface CodingPattern {
  system?: string;
  code?: string;
}

function matchesSlice(sd: StructureDefinition, slice: ElementDefinition, node: any): boolean {
  const codeElement = sd.snapshot?.element.find((e) => e.id === `${slice.id}.code`);
  const pattern = codeElement?.patternCodeableConcept?.coding?.[0] as CodingPattern | undefined;
  if (!pattern) return true;
  return (node?.code?.coding ?? []).some((c: CodingPattern) => c.system === pattern.system && c.code === pattern.code);
}

/**
 * Evaluates every NGC invariant of the profile at the nodes its element points to, and returns the
 * keys that are not satisfied (an invariant holds only when it evaluates to exactly [true]).
 */
export function failedInvariants(profileId: string, resource: any): string[] {
  const sd = structureDefinition(profileId);
  const failed = new Set<string>();
  const seen = new Set<string>();
  for (const element of sd.snapshot?.element ?? []) {
    for (const constraint of element.constraint ?? []) {
      if (!isNgcKey(constraint.key) || !constraint.expression) continue;
      // Slices repeat the constraints of their base element, which comes first in the snapshot:
      // evaluate each constraint once, on the first element that declares it.
      const basePath = element.path;
      const dedupe = `${basePath}|${constraint.key}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      const relative = basePath.split('.').slice(1).join('.');
      let nodes: any[] = relative ? (fhirpath.evaluate(resource, relative, undefined, r4model) as any[]) : [resource];
      if (element.sliceName !== undefined) nodes = nodes.filter((n) => matchesSlice(sd, element, n));
      for (const node of nodes) {
        const result = fhirpath.evaluate(node, { base: basePath, expression: constraint.expression }, { resource }, r4model) as unknown[];
        if (!(result.length === 1 && result[0] === true)) failed.add(constraint.key);
      }
    }
  }
  return [...failed].sort();
}
