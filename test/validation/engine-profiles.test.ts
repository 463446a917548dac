/** The engine against profiles: fixed/pattern, slicing, type and target restrictions, extensions, rule tagging. */
import { createValidator, type EngineValidator } from '../../src/validation';
import { errors, observation, withId, writePackage } from './engine-helpers';

const BASE = 'http://example.org/fhir';
const RULES = `${BASE}/CodeSystem/test-rules`;
const RULE_EXT = 'http://ngc.dk/fhir/genomics/StructureDefinition/validation-rule';
const rule = (code: string) => ({ extension: [{ url: RULE_EXT, valueCoding: { system: RULES, code } }] });

const ruleSystem = {
  resourceType: 'CodeSystem',
  id: 'test-rules',
  url: RULES,
  status: 'active',
  content: 'complete',
  concept: [
    { code: 'TST-01', display: 'Subject required', designation: [{ language: 'da', value: 'Subjekt er påkrævet' }] },
    { code: 'TST-02', display: 'Code must be the test code' },
    { code: 'TST-03', display: 'Components', designation: [{ language: 'da', value: 'Komponenter' }] },
    { code: 'TST-09', display: 'A note is required', designation: [{ language: 'da', value: 'En note er påkrævet' }] },
  ],
};
const colours = {
  resourceType: 'CodeSystem',
  id: 'colours',
  url: `${BASE}/CodeSystem/colours`,
  status: 'active',
  content: 'complete',
  concept: [
    { code: 'red', display: 'Red' },
    { code: 'blue', display: 'Blue' },
  ],
};
const colourVs = {
  resourceType: 'ValueSet',
  id: 'colours',
  url: `${BASE}/ValueSet/colours`,
  status: 'active',
  compose: { include: [{ system: `${BASE}/CodeSystem/colours` }] },
};
const loincVs = {
  resourceType: 'ValueSet',
  id: 'some-loinc',
  url: `${BASE}/ValueSet/some-loinc`,
  status: 'active',
  compose: { include: [{ system: 'http://loinc.org' }] },
};
const testExtension = {
  resourceType: 'StructureDefinition',
  id: 'test-ext',
  url: `${BASE}/StructureDefinition/test-ext`,
  name: 'TestExt',
  status: 'active',
  kind: 'complex-type',
  abstract: false,
  context: [{ type: 'element', expression: 'Observation' }],
  type: 'Extension',
  baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Extension',
  derivation: 'constraint',
  differential: {
    element: [
      { id: 'Extension', path: 'Extension' },
      { id: 'Extension.extension', path: 'Extension.extension', max: '0' },
      { id: 'Extension.url', path: 'Extension.url', fixedUri: `${BASE}/StructureDefinition/test-ext` },
      { id: 'Extension.value[x]', path: 'Extension.value[x]', min: 1, type: [{ code: 'string' }] },
    ],
  },
};
const testPatient = {
  resourceType: 'StructureDefinition',
  id: 'test-patient',
  url: `${BASE}/StructureDefinition/test-patient`,
  name: 'TestPatient',
  status: 'active',
  kind: 'resource',
  abstract: false,
  type: 'Patient',
  baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient',
  derivation: 'constraint',
  differential: { element: [{ id: 'Patient', path: 'Patient' }, { id: 'Patient.gender', path: 'Patient.gender', min: 1 }] },
};
const testObservation = {
  resourceType: 'StructureDefinition',
  id: 'test-observation',
  url: `${BASE}/StructureDefinition/test-observation`,
  name: 'TestObservation',
  status: 'active',
  kind: 'resource',
  abstract: false,
  type: 'Observation',
  baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Observation',
  derivation: 'constraint',
  differential: {
    element: [
      {
        id: 'Observation',
        path: 'Observation',
        constraint: [{ key: 'TST-09', severity: 'error', human: 'A note is required', expression: 'note.exists()', source: `${BASE}/StructureDefinition/test-observation` }],
      },
      { id: 'Observation.extension', path: 'Observation.extension', slicing: { discriminator: [{ type: 'value', path: 'url' }], rules: 'open' } },
      { id: 'Observation.extension:colourNote', path: 'Observation.extension', sliceName: 'colourNote', min: 0, max: '1', type: [{ code: 'Extension', profile: [`${BASE}/StructureDefinition/test-ext`] }] },
      { id: 'Observation.category', path: 'Observation.category', binding: { strength: 'required', valueSet: `${BASE}/ValueSet/colours` } },
      { id: 'Observation.code', path: 'Observation.code', ...rule('TST-02'), patternCodeableConcept: { coding: [{ system: 'http://loinc.org', code: '1234-5' }] } },
      { id: 'Observation.subject', path: 'Observation.subject', ...rule('TST-01'), min: 1, type: [{ code: 'Reference', targetProfile: [`${BASE}/StructureDefinition/test-patient`] }] },
      { id: 'Observation.method', path: 'Observation.method', binding: { strength: 'required', valueSet: `${BASE}/ValueSet/some-loinc` } },
      { id: 'Observation.value[x]', path: 'Observation.value[x]', type: [{ code: 'CodeableConcept' }, { code: 'string' }] },
      {
        id: 'Observation.component',
        path: 'Observation.component',
        ...rule('TST-03'),
        slicing: { discriminator: [{ type: 'pattern', path: 'code' }], rules: 'closed', ordered: true },
      },
      { id: 'Observation.component:first', path: 'Observation.component', sliceName: 'first', min: 1, max: '1' },
      { id: 'Observation.component:first.code', path: 'Observation.component.code', patternCodeableConcept: { coding: [{ system: `${BASE}/CodeSystem/colours`, code: 'red' }] } },
      { id: 'Observation.component:first.value[x]', path: 'Observation.component.value[x]', min: 1, type: [{ code: 'string' }] },
      { id: 'Observation.component:second', path: 'Observation.component', sliceName: 'second', min: 0, max: '1' },
      { id: 'Observation.component:second.code', path: 'Observation.component.code', patternCodeableConcept: { coding: [{ system: `${BASE}/CodeSystem/colours`, code: 'blue' }] } },
      { id: 'Observation.component:second.valueString', path: 'Observation.component.valueString', fixedString: 'fixed!' },
    ],
  },
};

let v: EngineValidator;
beforeAll(() => {
  const dir = writePackage('test.profiles', [ruleSystem, colours, colourVs, loincVs, testExtension, testPatient, testObservation]);
  v = createValidator({ includeNgc: false, packages: [dir], ruleSystems: [RULES] });
});

const PROFILE = `${BASE}/StructureDefinition/test-observation`;
const red = { coding: [{ system: `${BASE}/CodeSystem/colours`, code: 'red' }] };
const blue = { coding: [{ system: `${BASE}/CodeSystem/colours`, code: 'blue' }] };

function profiled(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return observation({
    meta: { profile: [PROFILE] },
    code: { coding: [{ system: 'http://loinc.org', code: '1234-5', display: 'x' }] },
    subject: { reference: 'Patient/p1' },
    note: [{ text: 'n' }],
    component: [{ code: red, valueString: 'a' }],
    ...extra,
  });
}

describe('a resource conforming to its profile', () => {
  it('has no errors', () => {
    expect(errors(v.validate(profiled()))).toEqual([]);
  });
  it('options.profiles applies a profile the resource does not declare', () => {
    const obs = observation({ subject: { reference: 'Patient/p1' } });
    expect(errors(v.validate(obs))).toEqual([]);
    expect(withId(v.validate(obs, { profiles: [PROFILE] }), 'PATTERN', 'Observation.code')).toHaveLength(1);
  });
});

describe('cardinality narrowed by a profile, with rule tagging', () => {
  it('tags the issue with the element rule and its Danish text', () => {
    const obs = profiled();
    delete obs.subject;
    const [issue] = withId(v.validate(obs), 'CARDINALITY_MIN', 'Observation');
    expect(issue).toMatchObject({ severity: 'error', code: 'required', rule: { id: 'TST-01', textDa: 'Subjekt er påkrævet' } });
  });
  it('does not tag base-spec issues', () => {
    const issues = v.validate(profiled({ effectiveDateTime: 'yesterday' }));
    expect(withId(issues, 'TYPE_FORMAT', 'Observation.effectiveDateTime')[0].rule).toBeUndefined();
  });
});

describe('fixed and pattern values', () => {
  it('pattern: extra codings are allowed, a different code is not', () => {
    const extra = profiled({ code: { coding: [{ system: 'http://snomed.info/sct', code: '1' }, { system: 'http://loinc.org', code: '1234-5' }], text: 't' } });
    expect(withId(v.validate(extra), 'PATTERN')).toEqual([]);
    const wrong = v.validate(profiled({ code: { coding: [{ system: 'http://loinc.org', code: '9999-9' }] } }));
    expect(withId(wrong, 'PATTERN', 'Observation.code')[0]).toMatchObject({ severity: 'error', code: 'value', rule: { id: 'TST-02', textDa: 'Code must be the test code' } });
  });
  it('fixed: the value must be exactly the fixed one', () => {
    const bad = v.validate(profiled({ component: [{ code: red, valueString: 'a' }, { code: blue, valueString: 'other' }] }));
    expect(withId(bad, 'FIXED', 'Observation.component[1].valueString')[0]).toMatchObject({ severity: 'error', code: 'value' });
    const good = v.validate(profiled({ component: [{ code: red, valueString: 'a' }, { code: blue, valueString: 'fixed!' }] }));
    expect(errors(good)).toEqual([]);
  });
});

describe('slicing', () => {
  it('a required slice that is missing', () => {
    const issues = v.validate(profiled({ component: [{ code: blue, valueString: 'fixed!' }] }));
    const [issue] = withId(issues, 'CARDINALITY_MIN', 'Observation.component');
    expect(issue).toMatchObject({ severity: 'error', code: 'required', rule: { id: 'TST-03', textDa: 'Komponenter' } });
    expect(issue.diagnostics).toContain('Observation.component:first');
  });
  it('closed slicing: an item matching no slice', () => {
    const other = { coding: [{ system: 'http://loinc.org', code: '1-8' }] };
    const issues = v.validate(profiled({ component: [{ code: red, valueString: 'a' }, { code: other, valueString: 'x' }] }));
    expect(withId(issues, 'SLICE_CLOSED', 'Observation.component[1]')[0]).toMatchObject({ severity: 'error', code: 'structure', rule: { id: 'TST-03' } });
  });
  it('slice cardinality: too many of one slice', () => {
    const issues = v.validate(profiled({ component: [{ code: red, valueString: 'a' }, { code: red, valueString: 'b' }] }));
    expect(withId(issues, 'CARDINALITY_MAX', 'Observation.component')[0]).toMatchObject({ severity: 'error' });
  });
  it('ordered slicing: slices out of order', () => {
    const issues = v.validate(profiled({ component: [{ code: blue, valueString: 'fixed!' }, { code: red, valueString: 'a' }] }));
    expect(withId(issues, 'SLICE_ORDER', 'Observation.component[1]')[0]).toMatchObject({ severity: 'error' });
  });
  it('a matched item is validated against its slice', () => {
    const issues = v.validate(profiled({ component: [{ code: red }] }));
    expect(withId(issues, 'CARDINALITY_MIN', 'Observation.component[0]')[0].diagnostics).toContain('Observation.component.value[x]');
  });
});

describe('type and target restrictions', () => {
  it('a choice type removed by the profile', () => {
    const issues = v.validate(profiled({ valueQuantity: { value: 1 } }));
    expect(withId(issues, 'TYPE_NOT_ALLOWED', 'Observation.valueQuantity')[0]).toMatchObject({ severity: 'error' });
  });
  it('a reference to a type the profile does not allow', () => {
    const issues = v.validate(profiled({ subject: { reference: 'Group/g1' } }));
    expect(withId(issues, 'REF_WRONG_TYPE', 'Observation.subject.reference')[0]).toMatchObject({ severity: 'error', rule: { id: 'TST-01' } });
  });
});

describe('bindings added by a profile', () => {
  it('required binding to a loaded value set', () => {
    const ok = v.validate(profiled({ category: [red] }));
    expect(withId(ok, 'BINDING_REQUIRED')).toEqual([]);
    const bad = v.validate(profiled({ category: [{ coding: [{ system: `${BASE}/CodeSystem/colours`, code: 'green' }] }] }));
    expect(withId(bad, 'BINDING_REQUIRED', 'Observation.category[0]')[0]).toMatchObject({ severity: 'error', code: 'code-invalid' });
  });
  it('a code of a system the engine cannot check is information, not silence', () => {
    const issues = v.validate(profiled({ method: { coding: [{ system: 'http://loinc.org', code: '5555-5' }] } }));
    expect(withId(issues, 'BINDING_NOT_CHECKABLE', 'Observation.method.coding[0]')[0]).toMatchObject({ severity: 'information', code: 'code-invalid' });
    expect(errors(issues)).toEqual([]);
  });
});

describe('profile invariants', () => {
  it('an invariant whose key is a rule id is tagged with that rule', () => {
    const obs = profiled();
    delete obs.note;
    const issue = v.validate(obs).find((i) => i.messageId === 'INVARIANT' && i.diagnostics.includes('TST-09'));
    expect(issue).toMatchObject({ severity: 'error', code: 'invariant', expression: 'Observation', rule: { id: 'TST-09', textDa: 'En note er påkrævet' } });
  });
});

describe('extensions', () => {
  const ext = (value: Record<string, unknown>) => ({ url: `${BASE}/StructureDefinition/test-ext`, ...value });
  it('a known extension with the right value type', () => {
    expect(errors(v.validate(profiled({ extension: [ext({ valueString: 'hello' })] })))).toEqual([]);
  });
  it('a known extension with a value type it does not allow', () => {
    const issues = v.validate(profiled({ extension: [ext({ valueBoolean: true })] }));
    expect(withId(issues, 'TYPE_NOT_ALLOWED', 'Observation.extension[0].valueBoolean')[0]).toMatchObject({ severity: 'error' });
  });
  it('a known extension used outside its context', () => {
    const patient = { resourceType: 'Patient', text: observation().text, extension: [ext({ valueString: 'x' })] };
    expect(withId(v.validate(patient), 'EXTENSION_CONTEXT', 'Patient.extension[0]')[0]).toMatchObject({ severity: 'error' });
  });
  it('unknown extensions: an error, except in the example domains HL7 tolerates (information there)', () => {
    const issues = v.validate(
      observation({
        extension: [
          { url: 'http://hl7.org/fhir/StructureDefinition/no-such-ext', valueString: 'x' },
          { url: 'http://example.com/ext', valueString: 'y' },
          { url: 'http://example.org/ext', valueString: 'z' },
        ],
      }),
    );
    expect(withId(issues, 'EXTENSION_UNKNOWN', 'Observation.extension[0]')[0]).toMatchObject({ severity: 'error', code: 'extension', diagnostics: expect.stringContaining('unknown, and not allowed here') });
    expect(withId(issues, 'EXTENSION_UNKNOWN', 'Observation.extension[1]')[0]).toMatchObject({ severity: 'error', code: 'extension' });
    expect(withId(issues, 'EXTENSION_UNKNOWN', 'Observation.extension[2]')[0]).toMatchObject({ severity: 'information', code: 'extension' });
  });
  it('ext-1: value and nested extensions together', () => {
    const issues = v.validate(observation({ extension: [{ url: 'http://example.com/ext', valueString: 'y', extension: [{ url: 'a', valueString: 'b' }] }] }));
    expect(issues.find((i) => i.diagnostics.includes('ext-1'))).toMatchObject({ severity: 'error', expression: 'Observation.extension[0]' });
  });
});

describe('references and Bundles', () => {
  const patient = (gender?: string) => ({ resourceType: 'Patient', id: 'p1', text: observation().text, ...(gender ? { gender } : {}) });
  const bundle = (entries: object[], type = 'collection') => ({ resourceType: 'Bundle', type, entry: entries });

  it('resolves urn:uuid and relative references and checks the target against targetProfile', () => {
    const good = bundle([
      { fullUrl: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-000000000001', resource: profiled({ subject: { reference: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-000000000002' } }) },
      { fullUrl: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-000000000002', resource: patient('female') },
    ]);
    expect(errors(v.validate(good))).toEqual([]);
    const bad = bundle([
      { fullUrl: 'http://example.org/fhir/Observation/o1', resource: profiled({ subject: { reference: 'Patient/p1' } }) },
      { fullUrl: 'http://example.org/fhir/Patient/p1', resource: patient() },
    ]);
    const issues = v.validate(bad);
    expect(withId(issues, 'REF_PROFILE', 'Bundle.entry[0].resource.subject.reference')[0]).toMatchObject({ severity: 'error', rule: { id: 'TST-01' } });
  });
  it('a target that declares the profile is judged once, where it stands, not again at each reference', () => {
    const declared = { ...patient(), meta: { profile: [`${BASE}/StructureDefinition/test-patient|1.0.0`] } };
    const issues = v.validate(
      bundle([
        { fullUrl: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-000000000001', resource: profiled({ subject: { reference: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-000000000002' } }) },
        { fullUrl: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-000000000002', resource: declared },
      ]),
    );
    expect(issues.filter((i) => i.messageId === 'REF_PROFILE')).toEqual([]);
    expect(errors(issues).map((i) => i.expression)).toEqual(['Bundle.entry[1].resource']);
  });
  it('an unresolvable urn:uuid reference is an error', () => {
    const issues = v.validate(bundle([{ fullUrl: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-000000000001', resource: observation({ subject: { reference: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-0000000000ff' } }) }]));
    expect(withId(issues, 'REF_UNRESOLVED', 'Bundle.entry[0].resource.subject')[0]).toMatchObject({ severity: 'error', code: 'not-found' });
  });
  it('a contained reference that does not resolve', () => {
    const issues = v.validate(observation({ subject: { reference: '#nope' } }));
    expect(withId(issues, 'REF_UNRESOLVED', 'Observation.subject')[0]).toMatchObject({ severity: 'error' });
  });
  it('contained resources are validated as resources', () => {
    const issues = v.validate(observation({ contained: [{ resourceType: 'Patient', id: 'p', gender: 'unknown-gender' }], subject: { reference: '#p' } }));
    expect(withId(issues, 'BINDING_REQUIRED', 'Observation.contained[0].gender')).toHaveLength(1);
  });
  it('duplicate fullUrls and transaction entries without request', () => {
    const issues = v.validate(
      bundle(
        [
          { fullUrl: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-000000000001', resource: patient(), request: { method: 'POST', url: 'Patient' } },
          { fullUrl: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-000000000001', resource: patient() },
        ],
        'transaction',
      ),
    );
    expect(withId(issues, 'BUNDLE_DUPLICATE_FULLURL', 'Bundle.entry[1]')[0]).toMatchObject({ severity: 'error' });
    expect(issues.find((i) => i.diagnostics.includes('bdl-3'))).toMatchObject({ severity: 'error', code: 'invariant' });
  });
  it('entry resources are validated against their type and declared profiles, with entry paths', () => {
    const issues = v.validate(bundle([{ fullUrl: 'urn:uuid:9d8d8a36-1111-4b4b-8c8c-000000000001', resource: profiled({ status: 'nope', subject: undefined }) }]));
    expect(withId(issues, 'BINDING_REQUIRED', 'Bundle.entry[0].resource.status')).toHaveLength(1);
    expect(withId(issues, 'CARDINALITY_MIN', 'Bundle.entry[0].resource')[0].rule?.id).toBe('TST-01');
  });
});
