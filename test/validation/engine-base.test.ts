/** The engine against the base R4 specification: JSON rules, elements, datatypes, cardinality, bindings, invariants. */
import { createValidator, type EngineValidator } from '../../src/validation';
import { errors, observation, withId } from './engine-helpers';

let v: EngineValidator;
beforeAll(() => {
  v = createValidator({ includeNgc: false });
});

describe('a valid resource', () => {
  it('has no errors', () => {
    const issues = v.validate(observation({ subject: { reference: 'Patient/p1' }, valueQuantity: { value: 5.4, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }));
    expect(errors(issues)).toEqual([]);
  });
});

describe('FHIR JSON rules', () => {
  it('rejects null, naming the property', () => {
    const issues = v.validate(observation({ issued: null }));
    expect(withId(issues, 'JSON_NULL', 'Observation.issued')).toHaveLength(1);
    expect(withId(issues, 'JSON_NULL')[0]).toMatchObject({ severity: 'error', code: 'structure' });
  });
  it('rejects empty strings, arrays and objects', () => {
    const issues = v.validate(observation({ valueString: '', identifier: [], subject: {} }));
    expect(withId(issues, 'JSON_EMPTY', 'Observation.valueString')[0]).toMatchObject({ severity: 'error' });
    expect(withId(issues, 'JSON_EMPTY', 'Observation.identifier')[0]).toMatchObject({ severity: 'error' });
    expect(withId(issues, 'JSON_EMPTY', 'Observation.subject')[0]).toMatchObject({ severity: 'error' });
  });
  it('accepts primitive extensions aligned with their values, null placeholders included', () => {
    const patient = {
      resourceType: 'Patient',
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
      name: [{ given: ['Anne', null], _given: [null, { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier', valueCode: 'BR' }] }] }],
      _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '2000-01-01T10:00:00+01:00' }] },
    };
    expect(errors(v.validate(patient))).toEqual([]);
  });
  it('rejects misaligned primitive extension arrays and nulls without a twin', () => {
    const patient = { resourceType: 'Patient', name: [{ given: ['Anne', null, 'B'], _given: [null, null] }] };
    const issues = v.validate(patient);
    expect(withId(issues, 'JSON_PRIMITIVE_ALIGN', 'Patient.name[0].given')).toHaveLength(1);
    expect(withId(issues, 'JSON_NULL', 'Patient.name[0].given[1]')).toHaveLength(1);
  });
  it('rejects a missing or unknown resourceType', () => {
    expect(withId(v.validate({ id: 'x' }), 'RESOURCE_TYPE_MISSING')[0]).toMatchObject({ severity: 'error', code: 'structure' });
    expect(withId(v.validate({ resourceType: 'Observatoin' }), 'RESOURCE_TYPE_UNKNOWN')[0]).toMatchObject({ severity: 'error', expression: 'Observatoin' });
  });
  it('rejects a value that is not a JSON object', () => {
    expect(v.validate([1, 2])[0]).toMatchObject({ severity: 'fatal', code: 'structure', messageId: 'NOT_A_RESOURCE' });
  });
  it('requires arrays for repeating elements and forbids them for single ones', () => {
    const issues = v.validate(observation({ identifier: { value: 'x' }, issued: ['2020-01-01T00:00:00Z'] }));
    expect(withId(issues, 'JSON_NOT_ARRAY', 'Observation.identifier')).toHaveLength(1);
    expect(withId(issues, 'JSON_ARRAY_NOT_ALLOWED', 'Observation.issued')).toHaveLength(1);
  });
});

describe('unknown elements', () => {
  it('reports every unknown property at the element holding it, naming the property (as HL7 does)', () => {
    const issues = v.validate(observation({ foo: 1, code: { text: 'x', bar: true } }));
    expect(withId(issues, 'UNKNOWN_ELEMENT', 'Observation')[0]).toMatchObject({ severity: 'error', code: 'structure', diagnostics: "Unrecognized property 'foo'" });
    expect(withId(issues, 'UNKNOWN_ELEMENT', 'Observation.code')).toEqual([expect.objectContaining({ diagnostics: "Unrecognized property 'bar'" })]);
  });
});

describe('primitive datatypes', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['date', { effectiveDateTime: '2021-02-30' }, 'Observation.effectiveDateTime', 'TYPE_FORMAT'],
    ['dateTime without timezone', { effectiveDateTime: '2021-02-03T10:00:00' }, 'Observation.effectiveDateTime', 'TYPE_FORMAT'],
    ['instant without seconds', { issued: '2021-02-03T10:00Z' }, 'Observation.issued', 'TYPE_FORMAT'],
    ['id', { id: 'has space' }, 'Observation.id', 'TYPE_FORMAT'],
    ['integer range', { valueInteger: 2147483648 }, 'Observation.valueInteger', 'TYPE_RANGE'],
    ['integer fraction', { valueInteger: 1.5 }, 'Observation.valueInteger', 'TYPE_FORMAT'],
    ['time', { valueTime: '25:00:00' }, 'Observation.valueTime', 'TYPE_FORMAT'],
    ['uri with whitespace', { implicitRules: 'http://x y' }, 'Observation.implicitRules', 'TYPE_FORMAT'],
    ['code with double space', { language: 'en  GB' }, 'Observation.language', 'TYPE_FORMAT'],
  ];
  it.each(cases)('rejects an invalid %s', (_name, extra, expression, messageId) => {
    const issues = v.validate(observation(extra));
    expect(withId(issues, messageId, expression)[0]).toMatchObject({ severity: 'error', code: 'value' });
  });
  it('accepts valid dates, times and numbers', () => {
    for (const extra of [
      { effectiveDateTime: '2021' },
      { effectiveDateTime: '2021-02' },
      { effectiveDateTime: '2020-02-29T23:59:60.123+14:00' },
      { issued: '2021-02-03T10:00:00.5Z' },
      { valueInteger: -2147483648 },
      { valueTime: '23:59:59' },
    ]) {
      expect(errors(v.validate(observation(extra)))).toEqual([]);
    }
  });
  it('checks JSON value types', () => {
    const issues = v.validate(observation({ valueInteger: '5', valueBoolean: 'true' }));
    expect(withId(issues, 'JSON_TYPE', 'Observation.valueInteger')[0]).toMatchObject({ severity: 'error', code: 'structure' });
    expect(withId(issues, 'CHOICE_MULTIPLE')).toHaveLength(1);
  });
  it('checks positiveInt, unsignedInt, base64Binary, oid and uuid', () => {
    const sampled = { origin: { value: 0 }, period: 1, dimensions: 0, data: 'E' };
    const issues = v.validate(observation({ valueSampledData: sampled }));
    expect(withId(issues, 'TYPE_RANGE', 'Observation.valueSampledData.dimensions')).toHaveLength(1);
    const att = v.validate({ resourceType: 'Binary', contentType: 'text/plain', data: 'not base64!' });
    expect(withId(att, 'TYPE_FORMAT', 'Binary.data')).toHaveLength(1);
    const ids = v.validate(observation({ identifier: [{ system: 'urn:oid:1.2.x' }, { system: 'urn:uuid:NOT-A-UUID' }, { system: 'urn:oid:1.2.3' }] }));
    expect(withId(ids, 'TYPE_FORMAT', 'Observation.identifier[0].system')).toHaveLength(1);
    expect(withId(ids, 'TYPE_FORMAT', 'Observation.identifier[1].system')).toHaveLength(1);
    expect(withId(ids, 'TYPE_FORMAT', 'Observation.identifier[2].system')).toHaveLength(0);
  });
  it('checks the narrative xhtml minimally', () => {
    const issues = v.validate(observation({ text: { status: 'generated', div: '<p>no div</p>' } }));
    expect(withId(issues, 'XHTML', 'Observation.text.div')[0]).toMatchObject({ severity: 'error' });
  });
});

describe('cardinality and choice types', () => {
  it('reports a missing required element at its parent', () => {
    const obs = observation();
    delete obs.status;
    const issues = v.validate(obs);
    expect(withId(issues, 'CARDINALITY_MIN', 'Observation')[0]).toMatchObject({ severity: 'error', code: 'required' });
    expect(withId(issues, 'CARDINALITY_MIN')[0].diagnostics).toContain('Observation.status: minimum required = 1, but only found 0');
  });
  it('reports a choice type the element does not allow (at the holding element, as HL7 does)', () => {
    const issues = v.validate(observation({ effectiveString: 'yesterday' }));
    expect(withId(issues, 'TYPE_NOT_ALLOWED', 'Observation')[0]).toMatchObject({ severity: 'error', diagnostics: expect.stringContaining("'effectiveString'") });
  });
  it('reports choice variants that are not FHIR types as unknown elements', () => {
    expect(withId(v.validate(observation({ valueFoo: 1 })), 'UNKNOWN_ELEMENT', 'Observation')).toEqual([expect.objectContaining({ diagnostics: "Unrecognized property 'valueFoo'" })]);
  });
});

describe('bindings', () => {
  it('required: a code outside the value set is an error', () => {
    const issues = v.validate(observation({ status: 'done' }));
    expect(withId(issues, 'BINDING_REQUIRED', 'Observation.status')[0]).toMatchObject({ severity: 'error', code: 'code-invalid' });
  });
  it('extensible: a code outside the value set is a warning', () => {
    const issues = v.validate(observation({ interpretation: [{ coding: [{ system: 'http://hl7.org/fhir/administrative-gender', code: 'male' }] }] }));
    expect(withId(issues, 'BINDING_EXTENSIBLE', 'Observation.interpretation[0]')[0]).toMatchObject({ severity: 'warning', code: 'code-invalid' });
    const ok = v.validate(observation({ interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }] }));
    expect(withId(ok, 'BINDING_EXTENSIBLE')).toEqual([]);
  });
  it('an unknown code of a loaded code system is an error, even without a binding', () => {
    const issues = v.validate(observation({ category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'no-such-code' }] }] }));
    expect(withId(issues, 'CODE_UNKNOWN', 'Observation.category[0].coding[0]')[0]).toMatchObject({ severity: 'error', code: 'code-invalid' });
  });
});

describe('displays', () => {
  it('a wrong display of a known code is a warning; the right one passes', () => {
    const coding = (display: string) => ({ category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display }] }] });
    expect(withId(v.validate(observation(coding('Totally wrong'))), 'DISPLAY_WRONG', 'Observation.category[0].coding[0]')[0]).toMatchObject({ severity: 'warning', code: 'code-invalid' });
    expect(withId(v.validate(observation(coding('Laboratory'))), 'DISPLAY_WRONG')).toEqual([]);
  });
});

describe('invariants', () => {
  it('evaluates resource invariants (obs-6) with their severity', () => {
    const issues = v.validate(observation({ valueString: 'x', dataAbsentReason: { text: 'unknown' } }));
    const inv = issues.find((i) => i.messageId === 'INVARIANT' && i.diagnostics.includes('obs-6'));
    expect(inv).toMatchObject({ severity: 'error', code: 'invariant', expression: 'Observation' });
  });
  it('evaluates datatype invariants (per-1 on a Period)', () => {
    const issues = v.validate(observation({ effectivePeriod: { start: '2021-01-02', end: '2021-01-01' } }));
    expect(issues.find((i) => i.diagnostics.includes('per-1'))).toMatchObject({ severity: 'error', expression: 'Observation.effectivePeriod' });
    expect(errors(v.validate(observation({ effectivePeriod: { start: '2021-01-01', end: '2021-01-02' } })))).toEqual([]);
  });
  it('checks ele-1 natively: an element with only an id', () => {
    const issues = v.validate(observation({ code: { id: 'a' } }));
    expect(issues.find((i) => i.diagnostics.includes('ele-1'))).toMatchObject({ severity: 'error', expression: 'Observation.code' });
  });
  it('reports dom-6 (no narrative) as a warning, like the HL7 validator', () => {
    const obs = observation();
    delete obs.text;
    expect(v.validate(obs).find((i) => i.diagnostics.includes('dom-6'))).toMatchObject({ severity: 'warning' });
  });
  it('dom-3: a contained resource must be referenced', () => {
    const contained = [{ resourceType: 'Patient', id: 'p' }];
    const bad = v.validate(observation({ contained }));
    expect(bad.find((i) => i.diagnostics.includes('dom-3'))).toMatchObject({ severity: 'error', expression: 'Observation' });
    const good = v.validate(observation({ contained, subject: { reference: '#p' } }));
    expect(good.find((i) => i.diagnostics.includes('dom-3'))).toBeUndefined();
  });
});

describe('references against the base definition', () => {
  it('a target type the element does not allow, and a type that does not exist', () => {
    const wrong = v.validate(observation({ subject: { reference: 'Medication/m1' } }));
    expect(withId(wrong, 'REF_WRONG_TYPE', 'Observation.subject')[0]).toMatchObject({ severity: 'error', code: 'structure' });
    expect(withId(wrong, 'REF_WRONG_TYPE')[0].rule).toBeUndefined();
    expect(withId(v.validate(observation({ subject: { reference: 'Pateint/p1' } })), 'REF_BAD_TYPE', 'Observation.subject')).toHaveLength(1);
    expect(errors(v.validate(observation({ subject: { reference: 'Patient/p1' } })))).toEqual([]);
  });
  it('a relative reference resolves against the fullUrl of its entry', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'http://example.org/fhir/Observation/o1', resource: observation({ subject: { reference: 'Medication/m1' } }) },
        { fullUrl: 'http://example.org/fhir/Medication/m1', resource: { resourceType: 'Medication', id: 'm1', text: observation().text } },
      ],
    };
    const issues = v.validate(bundle);
    expect(withId(issues, 'REF_WRONG_TYPE', 'Bundle.entry[0].resource.subject')).toHaveLength(1);
    expect(withId(issues, 'REF_UNRESOLVED')).toEqual([]);
  });
});

describe('meta.profile', () => {
  it('warns about a declared profile that is not loaded', () => {
    const issues = v.validate(observation({ meta: { profile: ['http://example.org/StructureDefinition/nope'] } }));
    expect(withId(issues, 'PROFILE_NOT_FOUND', 'Observation.meta.profile[0]')[0]).toMatchObject({ severity: 'warning', code: 'not-found' });
  });
  it('validates against a declared core profile (vitalsigns)', () => {
    const issues = v.validate(observation({ meta: { profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'] } }));
    // vitalsigns requires category, subject and effective[x]
    expect(withId(issues, 'CARDINALITY_MIN').length).toBeGreaterThanOrEqual(2);
  });
});
