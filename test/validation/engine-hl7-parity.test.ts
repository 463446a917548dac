/**
 * Checks added to agree with the HL7 Java validator on cases of its test suite (see hl7-cases):
 * unique element ids, searchset Bundles, Attachment.size, empty objects, ext-1 with an unknown
 * value property, required codes without a value, and ele-1 on empty strings.
 */
import { createHash } from 'node:crypto';
import { createValidator, type EngineValidator, type ValidationIssue } from '../../src/validation';
import { base64DecodedLength } from '../../src/validation/checks/attachment';
import { searchedTypes } from '../../src/validation/checks/searchset';
import { errors, observation, withId, writePackage } from './engine-helpers';

let v: EngineValidator;
beforeAll(() => {
  v = createValidator({ includeNgc: false });
});

const narrative = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' };
const where = (issues: ValidationIssue[], messageId: string): string[] => withId(issues, messageId).map((i) => i.expression ?? '');

describe('element ids are unique within a resource', () => {
  const patient = (extra: Record<string, unknown>) => ({ resourceType: 'Patient', id: 'p1', text: narrative, ...extra });

  it('reports the second element carrying an id already used, once', () => {
    const issues = v.validate(patient({ identifier: [{ id: 'x1', value: '1' }], name: [{ id: 'x1', family: 'Berg' }] }));
    expect(withId(issues, 'DUPLICATE_ID')).toEqual([expect.objectContaining({ severity: 'error', code: 'duplicate', expression: 'Patient.name[0]' })]);
    expect(withId(issues, 'DUPLICATE_ID')[0].diagnostics).toContain("'x1'");
  });

  it('counts the ids of primitive elements (in their _x twin) and of extensions', () => {
    const issues = v.validate(
      patient({
        birthDate: '1990-01-02',
        _birthDate: { id: 'a', extension: [{ id: 'b', url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1990-01-02T10:00:00+01:00' }] },
        name: [{ id: 'b', family: 'Berg' }],
        gender: 'female',
        _gender: { id: 'a' },
      }),
    );
    expect(where(issues, 'DUPLICATE_ID').sort()).toEqual(['Patient.gender', 'Patient.name[0]']);
  });

  it('accepts distinct ids, and an element id equal to the resource id', () => {
    const issues = v.validate(patient({ identifier: [{ id: 'p1', value: '1' }, { id: 'x2', value: '2' }], name: [{ id: 'x3', family: 'Berg' }] }));
    expect(withId(issues, 'DUPLICATE_ID')).toEqual([]);
  });

  it('scopes ids per resource: a Bundle, each entry resource and each contained resource', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { id: 'e1', fullUrl: 'urn:uuid:6f1d4bd3-6d5e-4c44-9d4e-4d8a0bb7a001', resource: patient({ id: 'p1', name: [{ id: 'e1', family: 'A' }] }) },
        {
          id: 'e2',
          fullUrl: 'urn:uuid:6f1d4bd3-6d5e-4c44-9d4e-4d8a0bb7a002',
          resource: patient({ id: 'p2', name: [{ id: 'e1', family: 'B' }], contained: [{ resourceType: 'Organization', id: 'o1', name: 'X', identifier: [{ id: 'e1', value: '9' }] }], managingOrganization: { reference: '#o1' } }),
        },
      ],
    };
    expect(withId(v.validate(bundle), 'DUPLICATE_ID')).toEqual([]);
  });

  it('reports duplicate ids of Bundle entries at the later entry', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { id: 'e1', fullUrl: 'urn:uuid:6f1d4bd3-6d5e-4c44-9d4e-4d8a0bb7a001', resource: patient({ id: 'p1' }) },
        { id: 'e2', fullUrl: 'urn:uuid:6f1d4bd3-6d5e-4c44-9d4e-4d8a0bb7a002', resource: patient({ id: 'p2' }) },
        { id: 'e1', fullUrl: 'urn:uuid:6f1d4bd3-6d5e-4c44-9d4e-4d8a0bb7a003', resource: patient({ id: 'p3' }) },
      ],
    };
    expect(where(v.validate(bundle), 'DUPLICATE_ID')).toEqual(['Bundle.entry[2]']);
  });

  it('reports the occurrence that comes later in the document, though sliced elements are walked last', () => {
    // vitalsigns slices Observation.category: its items are checked after Observation.code
    const category = [{ id: 'k1', coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }];
    const code = { coding: [{ id: 'k1', system: 'http://loinc.org', code: '8867-4' }] };
    const head = { resourceType: 'Observation', id: 'o1', meta: { profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'] }, text: narrative, status: 'final' };
    expect(where(v.validate({ ...head, category, code }), 'DUPLICATE_ID')).toEqual(['Observation.code.coding[0]']);
    expect(where(v.validate({ ...head, code, category }), 'DUPLICATE_ID')).toEqual(['Observation.category[0]']);
  });

  it('does not mistake a second walk of the same element (a second profile) for a duplicate', () => {
    const obs = observation({ code: { coding: [{ id: 'c1', system: 'http://loinc.org', code: '8867-4' }] }, category: [{ id: 'c2', text: 'vital' }] });
    const issues = v.validate(obs, { profiles: ['http://hl7.org/fhir/StructureDefinition/vitalsigns', 'http://hl7.org/fhir/StructureDefinition/heartrate'] });
    expect(withId(issues, 'DUPLICATE_ID')).toEqual([]);
  });
});

describe('searchset Bundles', () => {
  const searchset = (selfUrl: string | undefined, entries: object[]) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    ...(selfUrl ? { link: [{ relation: 'self', url: selfUrl }] } : {}),
    entry: entries,
  });
  const pat = (id?: string) => ({ resourceType: 'Patient', ...(id ? { id } : {}), text: narrative });
  const entry = (resource: object, mode?: string, n = 1) => ({ fullUrl: `http://example.org/fhir/x/${n}`, resource, ...(mode ? { search: { mode } } : {}) });

  it('accepts matches with ids of the searched type, includes of other types and an outcome', () => {
    const b = searchset('http://example.org/fhir/Patient?name=berg&_include=Patient:organization', [
      entry(pat('p1'), 'match', 1),
      entry({ resourceType: 'Organization', id: 'o1', name: 'X', text: narrative }, 'include', 2),
      entry({ resourceType: 'OperationOutcome', text: narrative, issue: [{ severity: 'information', code: 'informational' }] }, 'outcome', 3),
    ]);
    const issues = v.validate(b);
    expect(issues.filter((i) => i.messageId?.startsWith('SEARCHSET'))).toEqual([]);
  });

  it('requires ids on matched and included resources and the searched type on matches (errors)', () => {
    const b = searchset('http://example.org/fhir/Patient?family=dahl', [
      entry({ resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'x' }, patient: { reference: 'Patient/p9' }, occurrenceDateTime: '2021-06-01', text: narrative }, 'match', 1),
      entry({ resourceType: 'Organization', name: 'X', text: narrative }, 'include', 2),
    ]);
    const issues = v.validate(b);
    expect(withId(issues, 'SEARCHSET_ENTRY_NO_ID').map((i) => [i.severity, i.expression])).toEqual([
      ['error', 'Bundle.entry[0].resource'],
      ['error', 'Bundle.entry[1].resource'],
    ]);
    expect(withId(issues, 'SEARCHSET_ENTRY_WRONG_TYPE')).toEqual([expect.objectContaining({ severity: 'error', expression: 'Bundle.entry[0].resource' })]);
    expect(withId(issues, 'SEARCHSET_ENTRY_WRONG_TYPE')[0].diagnostics).toContain('Immunization');
  });

  it('requires an OperationOutcome where search.mode is outcome', () => {
    const issues = v.validate(searchset('http://example.org/fhir/Patient', [entry(pat('p1'), 'outcome')]));
    expect(withId(issues, 'SEARCHSET_OUTCOME_WRONG_TYPE')).toEqual([expect.objectContaining({ severity: 'error', expression: 'Bundle.entry[0].resource' })]);
  });

  it('reads the searched types from _type in a system-level search', () => {
    expect(searchedTypes('http://example.org/fhir?_type=Patient,Observation&name=x', (t) => t === 'Patient' || t === 'Observation')).toEqual(['Patient', 'Observation']);
    expect(searchedTypes('Observation?code=x', (t) => t === 'Observation')).toEqual(['Observation']);
    expect(searchedTypes('http://example.org/fhir/$everything', () => false)).toEqual([]);
    const issues = v.validate(searchset('http://example.org/fhir?_type=Observation', [entry(pat('p1'), 'match')]));
    expect(withId(issues, 'SEARCHSET_ENTRY_WRONG_TYPE')).toHaveLength(1);
  });

  it('without any search.mode, reports the same findings as warnings only', () => {
    const issues = v.validate(searchset('http://example.org/fhir/Observation?code=x', [entry(pat(), undefined, 1), entry(pat('p2'), undefined, 2)]));
    expect(errors(issues).filter((i) => i.messageId?.startsWith('SEARCHSET'))).toEqual([]);
    expect(where(issues, 'SEARCHSET_ENTRY_WRONG_TYPE')).toEqual(['Bundle.entry[0]', 'Bundle.entry[1]']);
    expect(where(issues, 'SEARCHSET_NO_MODE')).toEqual(['Bundle']);
    const noId = v.validate(searchset('http://example.org/fhir/Patient', [entry(pat(), undefined)]));
    expect(withId(noId, 'SEARCHSET_ENTRY_NO_ID')).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  it('warns about a searchset without a self link, and not about other Bundle types', () => {
    expect(withId(v.validate(searchset(undefined, [entry(pat('p1'), 'match')])), 'SEARCHSET_NO_SELF')).toEqual([expect.objectContaining({ severity: 'warning', expression: 'Bundle' })]);
    const collection = { resourceType: 'Bundle', type: 'collection', entry: [entry(pat(), 'match')] };
    expect(v.validate(collection).filter((i) => i.messageId?.startsWith('SEARCHSET'))).toEqual([]);
  });
});

describe('Attachment.size against the data', () => {
  const media = (content: Record<string, unknown>) => ({ resourceType: 'Media', id: 'm1', text: narrative, status: 'completed', content: { contentType: 'text/plain', ...content } });

  it('reports a stated size that differs from the decoded data', () => {
    const issues = v.validate(media({ data: Buffer.from('Yardstick data').toString('base64'), size: 250 }));
    expect(withId(issues, 'ATTACHMENT_SIZE')).toEqual([expect.objectContaining({ severity: 'error', expression: 'Media.content' })]);
    expect(withId(issues, 'ATTACHMENT_SIZE')[0].diagnostics).toContain('14');
  });

  it('accepts the right size, also with line breaks in the data, and no size at all', () => {
    const data = Buffer.from('x'.repeat(200)).toString('base64');
    const wrapped = data.replace(/(.{76})/g, '$1\n');
    expect(withId(v.validate(media({ data, size: 200 })), 'ATTACHMENT_SIZE')).toEqual([]);
    expect(withId(v.validate(media({ data: wrapped, size: 200 })), 'ATTACHMENT_SIZE')).toEqual([]);
    expect(withId(v.validate(media({ data })), 'ATTACHMENT_SIZE')).toEqual([]);
  });

  it('compares a stated hash with the SHA-1 of the decoded data', () => {
    const bytes = Buffer.from('Yardstick data');
    const sha1 = createHash('sha1').update(bytes).digest('base64');
    const good = v.validate(media({ data: bytes.toString('base64'), size: 14, hash: sha1 }));
    expect(withId(good, 'ATTACHMENT_HASH')).toEqual([]);
    const bad = v.validate(media({ data: bytes.toString('base64'), hash: Buffer.from('1234567890').toString('base64') }));
    expect(withId(bad, 'ATTACHMENT_HASH')).toEqual([expect.objectContaining({ severity: 'error', expression: 'Media.content' })]);
    expect(withId(bad, 'ATTACHMENT_HASH')[0].diagnostics).toContain(sha1);
  });

  it('computes the decoded length from the text as Node decodes it', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 57, 58, 59, 1000]) {
      const bytes = Buffer.alloc(n, 7);
      const text = bytes.toString('base64');
      expect(base64DecodedLength(text)).toBe(n);
      expect(base64DecodedLength(text.replace(/(.{4})/g, '$1 \r\n'))).toBe(n);
    }
    expect(base64DecodedLength('YWJ')).toBeUndefined();
  });
});

describe('an empty object', () => {
  it('is reported, and so are its missing required children (not ele-1)', () => {
    const list = { resourceType: 'List', id: 'l1', text: narrative, status: 'current', mode: 'working', entry: [{}] };
    const issues = v.validate(list);
    expect(errors(issues).map((i) => [i.messageId, i.expression])).toEqual([
      ['JSON_EMPTY', 'List.entry[0]'],
      ['CARDINALITY_MIN', 'List.entry[0]'],
    ]);
    const good = { ...list, entry: [{ item: { reference: 'Patient/p1' } }] };
    expect(errors(v.validate(good))).toEqual([]);
  });

  it('in place of a resource is reported once', () => {
    const issues = v.validate({ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:6f1d4bd3-6d5e-4c44-9d4e-4d8a0bb7a001', resource: {} }] });
    expect(errors(issues).map((i) => [i.messageId, i.expression])).toEqual([['JSON_EMPTY', 'Bundle.entry[0].resource']]);
  });
});

describe('ext-1 and an unknown value property', () => {
  const list = (ext: Record<string, unknown>) => ({ resourceType: 'List', id: 'l1', text: narrative, status: 'current', _status: { extension: [{ url: 'http://example.org/ext/note', ...ext }] }, mode: 'working' });

  it('fails when the only value-like property names no type of value[x]', () => {
    const issues = v.validate(list({ valueCodeY: 'x' }));
    expect(where(issues, 'INVARIANT').filter(Boolean)).toEqual(['List.status.extension[0]']);
    expect(withId(issues, 'INVARIANT')[0].diagnostics).toContain('ext-1');
    expect(withId(issues, 'UNKNOWN_ELEMENT')).toHaveLength(1);
  });

  it('holds for a real value', () => {
    expect(withId(v.validate(list({ valueCode: 'x' })), 'INVARIANT')).toEqual([]);
  });
});

describe('a required code without a value', () => {
  const allergy = (extra: Record<string, unknown>) => ({
    resourceType: 'AllergyIntolerance',
    id: 'a1',
    text: narrative,
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    code: { text: 'house dust' },
    patient: { reference: 'Patient/p1' },
    ...extra,
  });
  const absent = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };

  it('fails its required binding when only an extension is given', () => {
    const issues = v.validate(allergy({ category: [null], _category: [absent] }));
    expect(errors(issues)).toEqual([expect.objectContaining({ messageId: 'BINDING_NO_CODE', code: 'code-invalid', expression: 'AllergyIntolerance.category[0]' })]);
  });

  it('passes with a code, and where the binding is not required', () => {
    expect(errors(v.validate(allergy({ category: ['food'] })))).toEqual([]);
    // Attachment.language has a preferred binding
    const media = { resourceType: 'Media', id: 'm1', text: narrative, status: 'completed', content: { contentType: 'text/plain', _language: absent } };
    expect(errors(v.validate(media))).toEqual([]);
  });
});

describe('an empty string', () => {
  it('also fails ele-1 when it carries no extension, as HL7 reports', () => {
    const issues = v.validate(observation({ valueString: '' }));
    expect(errors(issues).map((i) => [i.messageId, i.expression])).toEqual([
      ['JSON_EMPTY', 'Observation.valueString'],
      ['INVARIANT', 'Observation.valueString'],
    ]);
    const withExt = v.validate(observation({ valueString: '', _valueString: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] } }));
    expect(errors(withExt).map((i) => i.messageId)).toEqual(['JSON_EMPTY']);
  });
});

describe('Coding.system itself: absolute, and not a CodeSystem supplement', () => {
  let withSupplement: EngineValidator;
  beforeAll(() => {
    const cs = (extra: Record<string, unknown>) => ({ resourceType: 'CodeSystem', status: 'draft', content: 'complete', concept: [{ code: 'test', display: 'test code' }], ...extra });
    withSupplement = createValidator({
      includeNgc: false,
      packages: [
        writePackage('yard.supplement', [
          cs({ id: 'supp', url: 'http://example.org/CodeSystem/supp', name: 'Supp', supplements: 'http://loinc.org' }),
          cs({ id: 'plain', url: 'http://example.org/CodeSystem/plain', name: 'Plain' }),
        ]),
      ],
    });
  });
  const coded = (system: string) => observation({ code: { coding: [{ system, code: 'test' }] } });

  it('reports a relative system as an error at the coding', () => {
    const issues = v.validate(coded('Location1'));
    expect(withId(issues, 'CODE_SYSTEM_RELATIVE')).toEqual([expect.objectContaining({ severity: 'error', expression: 'Observation.code.coding[0]' })]);
  });

  it('leaves absolute systems, known or not, to the code checks', () => {
    expect(withId(v.validate(coded('urn:oid:1.2.3')), 'CODE_SYSTEM_RELATIVE')).toEqual([]);
    expect(withId(v.validate(coded('http://example.org/unknown')), 'CODE_SYSTEM_RELATIVE')).toEqual([]);
  });

  it('reports a system that names a loaded CodeSystem supplement, and only that', () => {
    const issues = withSupplement.validate(coded('http://example.org/CodeSystem/supp'));
    expect(errors(issues)).toEqual([expect.objectContaining({ messageId: 'CODE_SYSTEM_SUPPLEMENT', expression: 'Observation.code.coding[0]' })]);
  });

  it('reports a system that names a loaded ValueSet, besides the unknown code system', () => {
    const issues = v.validate(coded('http://hl7.org/fhir/ValueSet/measure-type'));
    expect(withId(issues, 'CODE_SYSTEM_IS_VALUE_SET')).toEqual([expect.objectContaining({ severity: 'error', expression: 'Observation.code.coding[0]' })]);
    expect(withId(issues, 'CODE_SYSTEM_UNKNOWN')).toHaveLength(1);
  });

  it('does not take a CodeSystem for a ValueSet', () => {
    expect(withId(v.validate(coded('http://hl7.org/fhir/administrative-gender')), 'CODE_SYSTEM_IS_VALUE_SET')).toEqual([]);
  });

  it('accepts a code of an ordinary loaded CodeSystem', () => {
    expect(errors(withSupplement.validate(coded('http://example.org/CodeSystem/plain')))).toEqual([]);
  });
});

describe("a canonical resource's own url must be absolute", () => {
  const valueSet = (url: string, containedUrl?: string) => ({
    resourceType: 'ValueSet',
    id: 'vs1',
    text: narrative,
    url,
    name: 'Vs1',
    status: 'draft',
    ...(containedUrl ? { contained: [{ resourceType: 'CodeSystem', id: 'c1', url: containedUrl, status: 'draft', content: 'complete' }] } : {}),
    compose: { include: [{ system: 'http://example.org/cs' }] },
  });

  it('reports a relative url, on the resource and on a contained one', () => {
    const issues = v.validate(valueSet('ValueSet/vs1', 'c1'));
    expect(where(issues, 'CANONICAL_NOT_ABSOLUTE').sort()).toEqual(['ValueSet.contained[0].url', 'ValueSet.url']);
    expect(withId(issues, 'CANONICAL_NOT_ABSOLUTE').every((i) => i.severity === 'error')).toBe(true);
  });

  it('accepts http and urn urls', () => {
    expect(withId(v.validate(valueSet('http://example.org/ValueSet/vs1', 'urn:uuid:7a1c9e2b-3d4f-4a5b-8c6d-1e2f3a4b5c6d')), 'CANONICAL_NOT_ABSOLUTE')).toEqual([]);
  });

  it('leaves the url of resources that are not canonical resources alone (Device.url)', () => {
    const device = { resourceType: 'Device', id: 'd1', text: narrative, url: 'devices/d1' };
    expect(withId(v.validate(device), 'CANONICAL_NOT_ABSOLUTE')).toEqual([]);
  });
});
