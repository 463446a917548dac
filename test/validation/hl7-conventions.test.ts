/**
 * Where the engine follows the HL7 Java validator's conventions (the issue's yardstick): code system
 * URLs in HL7's namespaces, Coding.system pointing at web pages, unknown extensions outside the
 * domains HL7 tolerates, and the element an unknown property or a reference problem is reported at.
 */
import * as fs from 'node:fs';
import { createValidator, type EngineValidator } from '../../src/validation';
import { judgeUnknownSystemUri } from '../../src/validation/terminology/system-uri';
import { ExtensionPolicy } from '../../src/validation/checks/extension-policy';
import { errors, observation, observationConstraint, withId, writePackage } from './engine-helpers';

const BASE = 'http://example.org/hl7-conventions';
const LOCAL_SYSTEM = 'http://example.net/lab-codes';
const UNKNOWN_HL7_SYSTEM = 'http://hl7.org/fhir/no-such-code-system';

let v: EngineValidator;
let pkg: string;
beforeAll(() => {
  pkg = writePackage('test.hl7.conventions', [
    {
      resourceType: 'ValueSet',
      id: 'lab-codes',
      url: `${BASE}/ValueSet/lab-codes`,
      status: 'active',
      compose: { include: [{ system: LOCAL_SYSTEM }, { system: UNKNOWN_HL7_SYSTEM }] },
    },
    observationConstraint('BoundObservation', {
      url: `${BASE}/StructureDefinition/bound-observation`,
      status: 'active',
      differential: { element: [{ id: 'Observation.code', path: 'Observation.code', binding: { strength: 'required', valueSet: `${BASE}/ValueSet/lab-codes` } }] },
    }),
  ]);
  v = createValidator({ includeNgc: false, packages: [pkg] });
});
afterAll(() => fs.rmSync(pkg, { recursive: true, force: true }));

const coded = (system: string, code = 'x1') => observation({ code: { coding: [{ system, code }] } });
const bound = (system: string) => ({ ...coded(system), meta: { profile: [`${BASE}/StructureDefinition/bound-observation`] } });

describe('code systems in HL7 namespaces that no loaded package defines', () => {
  it('is an error "Unknown Code System" at the Coding, suggesting the R4 name of an old v2 table', () => {
    const issues = v.validate(coded('http://hl7.org/fhir/v2/0203', 'MR'));
    expect(withId(issues, 'CODE_SYSTEM_UNKNOWN')).toEqual([
      expect.objectContaining({ severity: 'error', code: 'code-invalid', expression: 'Observation.code.coding[0]', diagnostics: expect.stringMatching(/^Unknown Code System 'http:\/\/hl7.org\/fhir\/v2\/0203'.*http:\/\/terminology.hl7.org\/CodeSystem\/v2-0203$/) }),
    ]);
  });
  it('applies to terminology.hl7.org as well', () => {
    expect(withId(v.validate(coded('http://terminology.hl7.org/CodeSystem/no-such-table')), 'CODE_SYSTEM_UNKNOWN', 'Observation.code.coding[0]')).toHaveLength(1);
  });
  it('accepts loaded HL7 code systems, the external systems HL7 names under /sid/, and its test space', () => {
    for (const system of ['http://terminology.hl7.org/CodeSystem/v2-0203', 'http://hl7.org/fhir/sid/icd-10-cm', 'http://hl7.org/fhir/test/cs', 'http://terminology.hl7.org/CodeSystem/service-type']) {
      const issues = v.validate(coded(system, 'MR'));
      expect({ system, issues: issues.filter((i) => i.messageId?.startsWith('CODE_SYSTEM_')) }).toEqual({ system, issues: [] });
    }
  });
  it("a guide's code system counts as unknown only when that guide is loaded (offline, an absent guide cannot be judged)", () => {
    const system = 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs';
    expect(errors(v.validate(coded(system, 'diagnostic-implication')))).toEqual([]);
    const none = () => false;
    expect(judgeUnknownSystemUri(system, none, (base) => base === 'http://hl7.org/fhir/uv/genomics-reporting')?.messageId).toBe('CODE_SYSTEM_UNKNOWN');
    expect(judgeUnknownSystemUri(system, none, () => false)).toBeUndefined();
  });
  it('codes of unknown systems elsewhere stay uncheckable: information under a binding, never an error', () => {
    const local = v.validate(bound(LOCAL_SYSTEM));
    expect(errors(local)).toEqual([]);
    expect(withId(local, 'BINDING_NOT_CHECKABLE', 'Observation.code.coding[0]')).toEqual([expect.objectContaining({ severity: 'information' })]);
    const hl7 = v.validate(bound(UNKNOWN_HL7_SYSTEM));
    expect(errors(hl7).map((i) => i.messageId)).toEqual(['CODE_SYSTEM_UNKNOWN']);
  });
});

describe('Coding.system pointing at a web page', () => {
  it('build.fhir.org is an error, suggesting the canonical URL', () => {
    const issues = v.validate(coded('http://build.fhir.org/assert-response-code-types', 'okay'));
    expect(errors(issues)).toEqual([
      expect.objectContaining({ messageId: 'CODE_SYSTEM_WRONG_BUILD', code: 'code-invalid', expression: 'Observation.code.coding[0]', diagnostics: expect.stringContaining('Perhaps: http://hl7.org/fhir/assert-response-code-types') }),
    ]);
    expect(withId(v.validate(coded('https://build.fhir.org/ig/HL7/genomics-reporting/CodeSystem-tbd-codes-cs.html')), 'CODE_SYSTEM_WRONG_BUILD')).toHaveLength(1);
  });
  it('an .html page in an HL7 namespace is one error (not also "unknown"), suggesting the canonical URL', () => {
    const issues = v.validate(observation({ valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/R4/codesystem-assert-response-code-types.html', code: 'okay' }] } }));
    expect(errors(issues)).toEqual([
      expect.objectContaining({ messageId: 'CODE_SYSTEM_WRONG_HTML', expression: 'Observation.valueCodeableConcept.coding[0]', diagnostics: expect.stringContaining('Perhaps: http://hl7.org/fhir/assert-response-code-types') }),
    ]);
  });
  it('suggests terminology.hl7.org canonicals for its pages, and says so when it cannot tell', () => {
    const loaded = (url: string) => url === 'http://terminology.hl7.org/CodeSystem/v2-0203';
    expect(judgeUnknownSystemUri('https://terminology.hl7.org/CodeSystem-v2-0203.html', loaded)?.message).toContain('Perhaps: http://terminology.hl7.org/CodeSystem/v2-0203');
    expect(judgeUnknownSystemUri('http://hl7.org/fhir/R4/valueset-nothing.html', loaded)?.message).toContain('could not be determined');
    expect(judgeUnknownSystemUri('http://snomed.info/sct', loaded)).toBeUndefined();
  });
});

describe('unknown extensions (HL7: "unknown, and not allowed here" outside the tolerated domains)', () => {
  const withExtension = (url: string) => observation({ extension: [{ url, valueString: 'x' }] });
  const severityOf = (validator: EngineValidator, url: string) => withId(validator.validate(withExtension(url)), 'EXTENSION_UNKNOWN', 'Observation.extension[0]').map((i) => i.severity);

  it('is an error on a primitive too, at the extension', () => {
    const patient = { resourceType: 'Patient', text: observation().text, birthDate: '1971', _birthDate: { extension: [{ url: 'http://registry.example.net/ext/age', valueString: '52' }] } };
    expect(errors(v.validate(patient))).toEqual([
      expect.objectContaining({ messageId: 'EXTENSION_UNKNOWN', code: 'extension', expression: 'Patient.birthDate.extension[0]', diagnostics: expect.stringContaining('unknown, and not allowed here') }),
    ]);
  });
  it('tolerates (as information) example.org, acme.com, nema.org and HL7 tooling URLs', () => {
    for (const url of ['http://example.org/fhir/ext', 'https://www.acme.com/ext', 'http://dicom.nema.org/ext', 'http://hl7.org/fhir/tools/StructureDefinition/no-such']) {
      expect({ url, severities: severityOf(v, url) }).toEqual({ url, severities: ['information'] });
    }
    expect(severityOf(v, 'http://example.com/ext')).toEqual(['error']);
  });
  it('follows the settings: example URLs off, allowed domains, any extension', () => {
    const strict = createValidator({ store: v.conformance, allowExampleUrls: false });
    expect(severityOf(strict, 'http://example.org/fhir/ext')).toEqual(['error']);
    const domains = createValidator({ store: v.conformance, extensionDomains: ['http://registry.example.net/'] });
    expect(severityOf(domains, 'http://registry.example.net/ext/a')).toEqual(['information']);
    expect(severityOf(domains, 'http://registry.example.com/ext/a')).toEqual(['error']);
    const any = createValidator({ store: v.conformance, anyExtensionsAllowed: true });
    expect(severityOf(any, 'http://hl7.org/fhir/StructureDefinition/no-such-ext')).toEqual(['information']);
    expect(new ExtensionPolicy().unknown('http://hl7.org/fhir/StructureDefinition/structuredefinition-expression')).toBe('tolerated');
  });
});

describe('locations: unknown properties at the element holding them, reference issues at the Reference', () => {
  it('an unknown property, and an _x twin of a complex element, at the holder, naming the property', () => {
    const issues = v.validate(observation({ colour: 'red', _code: { id: 'c' }, component: [{ code: { text: 'c' }, valueString: 'v', shade: 'dark' }] }));
    expect(withId(issues, 'UNKNOWN_ELEMENT').map((i) => [i.expression, i.diagnostics])).toEqual([
      ['Observation', "Unrecognized property 'colour'"],
      ['Observation', "Unrecognized property '_code'"],
      ['Observation.component[0]', "Unrecognized property 'shade'"],
    ]);
  });
  it('a choice type the base type does not have, at the holder (one a profile removed stays at the property: engine-profiles)', () => {
    expect(withId(v.validate(observation({ effectiveCoding: { code: 'x' } })), 'TYPE_NOT_ALLOWED').map((i) => i.expression)).toEqual(['Observation']);
  });
  it('unresolvable and wrong-type references at the Reference element', () => {
    const issues = v.validate(observation({ subject: { reference: '#missing' }, performer: [{ reference: 'Medication/m1' }] }));
    expect(withId(issues, 'REF_UNRESOLVED').map((i) => i.expression)).toEqual(['Observation.subject']);
    expect(withId(issues, 'REF_WRONG_TYPE').map((i) => i.expression)).toEqual(['Observation.performer[0]']);
  });
});
