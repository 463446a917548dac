/** Shared set-up of the engine tests: one validator per test file, and small assertion helpers. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ValidationIssue } from '../../src/validation';

/** Writes a throw-away FHIR package folder (`package/package.json` + resources) and returns its path. */
export function writePackage(name: string, resources: object[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-engine-'));
  const pkg = path.join(dir, 'package');
  fs.mkdirSync(pkg);
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, version: '0.0.1', fhirVersions: ['4.0.1'], dependencies: { 'hl7.fhir.r4.core': '4.0.1' } }));
  resources.forEach((r, i) => {
    const res = r as { resourceType: string; id?: string };
    fs.writeFileSync(path.join(pkg, `${res.resourceType}-${res.id ?? i}.json`), JSON.stringify(r));
  });
  return dir;
}

export function errors(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

/** The issues with a message id (optionally at an expression). */
export function withId(issues: ValidationIssue[], messageId: string, expression?: string): ValidationIssue[] {
  return issues.filter((i) => i.messageId === messageId && (expression === undefined || i.expression === expression));
}

/** A minimal valid Observation to start tests from. */
export function observation(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    id: 'obs1',
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
    status: 'final',
    code: { text: 'something measured' },
    ...extra,
  };
}

/** A draft constraint on Observation, as a StructureDefinition instance to validate; `extra` adds its snapshot and/or differential. */
export function observationConstraint(name: string, extra: Record<string, unknown>): Record<string, unknown> {
  const id = name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  return {
    resourceType: 'StructureDefinition',
    id,
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
    url: `http://example.org/StructureDefinition/${id}`,
    name,
    status: 'draft',
    kind: 'resource',
    abstract: false,
    type: 'Observation',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Observation',
    derivation: 'constraint',
    ...extra,
  };
}
