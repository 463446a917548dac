/**
 * The 93 official examples of HL7 Genomics Reporting STU2, validated against the profiles they
 * declare with the STU2 package loaded. The HL7 validator (IG publisher run shipped in the
 * package as other/validation-summary.json) reported 0 errors on every one of them, so we expect
 * 0 errors too; its warnings were about codes it could not check (HGNC, Sequence Ontology, ...),
 * which we report as information or warnings as well.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createValidator, type ValidationIssue } from '../../src/validation';

const STU2 = path.resolve(__dirname, '../../../shared/fhir-packages/hl7.fhir.uv.genomics-reporting#2.0.0');
const EXAMPLES = path.join(STU2, 'package', 'example');
const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort();
const load = (f: string) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));

const validator = createValidator({ packages: [STU2], includeNgc: false });
const errorsOf = (issues: ValidationIssue[]) => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
const summary = (issues: ValidationIssue[]) => issues.map((i) => `${i.severity} ${i.code} ${i.expression}: ${i.diagnostics}`);

describe('Genomics Reporting STU2 examples', () => {
  it('are all here', () => {
    expect(files).toHaveLength(93);
    const hl7 = JSON.parse(fs.readFileSync(path.join(STU2, 'package', 'other', 'validation-summary.json'), 'utf8')) as Record<string, { errors: number }>;
    expect(Object.values(hl7).every((r) => r.errors === 0)).toBe(true);
  });

  it.each(files)('%s: no errors, and every declared profile is loaded', (file) => {
    const resource = load(file);
    for (const p of resource.meta?.profile ?? []) expect(validator.conformance.structureDefinition(p)).toBeDefined();
    const issues = validator.validate(resource);
    expect(summary(errorsOf(issues))).toEqual([]);
    expect(issues.filter((i) => /profile/i.test(i.diagnostics) && /not (loaded|found|known)/i.test(i.diagnostics))).toEqual([]);
  });
});

describe('broken copies of STU2 examples are caught, at the right element', () => {
  const variant = () => load('Observation-ExampleGermlineCNV.json');
  const bundle = () => load('Bundle-bundle-cgexample.json');
  const expectError = (resource: unknown, expected: Partial<ValidationIssue>) => {
    const errors = errorsOf(validator.validate(resource));
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining(expected)]));
  };

  it('a code outside a required binding', () => {
    const r = variant();
    r.status = 'done';
    expectError(r, { code: 'code-invalid', expression: 'Observation.status' });
  });

  it('a missing 1..1 element (reported on the parent, naming the child, as the HL7 validator does)', () => {
    const r = variant();
    delete r.code;
    expectError(r, { code: 'required', expression: 'Observation', diagnostics: expect.stringContaining('Observation.code') });
  });

  it('a dateTime that is no date', () => {
    const r = variant();
    r.effectiveDateTime = '2019-13-45';
    expectError(r, { code: 'value', expression: 'Observation.effectiveDateTime' });
  });

  it('an unknown element (reported at the element holding it, naming it, as the HL7 validator does)', () => {
    const r = variant();
    r.colour = 'red';
    expectError(r, { code: 'structure', expression: 'Observation', diagnostics: expect.stringContaining("'colour'") });
  });

  it('a violated invariant (obs-6: dataAbsentReason with a value)', () => {
    const r = variant();
    r.dataAbsentReason = { text: 'not done' };
    expectError(r, { code: 'invariant', expression: 'Observation', diagnostics: expect.stringContaining('obs-6') });
  });

  it('a slice with the wrong value type (ref-allele must be a string)', () => {
    const r = variant();
    r.component[1].valueCodeableConcept = { text: 'T' };
    delete r.component[1].valueString;
    expectError(r, { code: 'structure', expression: 'Observation.component[1].valueCodeableConcept' });
  });

  it('a slice over its cardinality (ref-allele 0..1 given twice)', () => {
    const r = variant();
    r.component.push(r.component[1]);
    expectError(r, { expression: 'Observation.component', diagnostics: expect.stringContaining('ref-allele') });
  });

  it('a reference inside a Bundle to an entry of a type the element does not allow', () => {
    const b = bundle();
    expect(b.entry[6].resource.resourceType).toBe('Observation');
    b.entry[6].resource.subject = { reference: 'http://example.org/fhir/Specimen/ExampleSpecimen' };
    expectError(b, { expression: 'Bundle.entry[6].resource.subject', diagnostics: expect.stringContaining('Specimen') });
  });

  it('a reference inside a Bundle that resolves to no entry (a warning, as the HL7 validator gives for collections)', () => {
    const b = bundle();
    b.entry[6].resource.subject = { reference: 'http://example.org/fhir/Patient/NoSuchPatient' };
    const issues = validator.validate(b);
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'not-found', expression: 'Bundle.entry[6].resource.subject' })]));
  });

  it('two entries with the same fullUrl (bdl-7)', () => {
    const b = bundle();
    b.entry[2].fullUrl = b.entry[1].fullUrl;
    expectError(b, { code: 'invariant', diagnostics: expect.stringContaining('bdl-7') });
  });

  it('the untouched copies are valid (the cases above fail only for what was broken)', () => {
    expect(errorsOf(validator.validate(variant()))).toEqual([]);
    expect(errorsOf(validator.validate(bundle()))).toEqual([]);
  });
});
