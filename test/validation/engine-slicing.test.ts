/** Slicing discriminators of every kind (value, pattern, type, profile, exists) and openAtEnd, on profiles written for these tests. */
import { createValidator, type EngineValidator } from '../../src/validation';
import { errors, observation, withId, writePackage } from './engine-helpers';

const BASE = 'http://example.org/fhir/slicing';
const sd = (id: string, type: string, elements: object[], base = `http://hl7.org/fhir/StructureDefinition/${type}`) => ({
  resourceType: 'StructureDefinition',
  id,
  url: `${BASE}/StructureDefinition/${id}`,
  name: id.replace(/-/g, ''),
  status: 'active',
  kind: 'resource',
  abstract: false,
  type,
  baseDefinition: base,
  derivation: 'constraint',
  differential: { element: [{ id: type, path: type }, ...elements] },
});

const finalObservation = sd('final-observation', 'Observation', [{ id: 'Observation.status', path: 'Observation.status', fixedCode: 'final' }]);
const typedBundle = sd('typed-bundle', 'Bundle', [
  { id: 'Bundle.entry', path: 'Bundle.entry', slicing: { discriminator: [{ type: 'type', path: 'resource' }], rules: 'closed' } },
  { id: 'Bundle.entry:patient', path: 'Bundle.entry', sliceName: 'patient', min: 1, max: '1' },
  { id: 'Bundle.entry:patient.resource', path: 'Bundle.entry.resource', type: [{ code: 'Patient' }] },
  { id: 'Bundle.entry:obs', path: 'Bundle.entry', sliceName: 'obs', min: 0, max: '*' },
  { id: 'Bundle.entry:obs.resource', path: 'Bundle.entry.resource', type: [{ code: 'Observation' }] },
]);
const profiledBundle = sd('profiled-bundle', 'Bundle', [
  { id: 'Bundle.entry', path: 'Bundle.entry', slicing: { discriminator: [{ type: 'profile', path: 'resource' }], rules: 'closed' } },
  { id: 'Bundle.entry:final', path: 'Bundle.entry', sliceName: 'final', min: 1, max: '*' },
  { id: 'Bundle.entry:final.resource', path: 'Bundle.entry.resource', type: [{ code: 'Observation', profile: [`${BASE}/StructureDefinition/final-observation`] }] },
]);
const existsObservation = sd('exists-observation', 'Observation', [
  { id: 'Observation.component', path: 'Observation.component', slicing: { discriminator: [{ type: 'exists', path: 'value' }], rules: 'open' } },
  { id: 'Observation.component:valued', path: 'Observation.component', sliceName: 'valued', min: 0, max: '1' },
  { id: 'Observation.component:valued.value[x]', path: 'Observation.component.value[x]', min: 1 },
  { id: 'Observation.component:absent', path: 'Observation.component', sliceName: 'absent', min: 1, max: '*' },
  { id: 'Observation.component:absent.value[x]', path: 'Observation.component.value[x]', max: '0' },
]);
const identifierObservation = sd('identifier-observation', 'Observation', [
  { id: 'Observation.identifier', path: 'Observation.identifier', slicing: { discriminator: [{ type: 'value', path: 'system' }], rules: 'openAtEnd' } },
  { id: 'Observation.identifier:lab', path: 'Observation.identifier', sliceName: 'lab', min: 1, max: '1' },
  { id: 'Observation.identifier:lab.system', path: 'Observation.identifier.system', fixedUri: 'urn:lab' },
]);

let v: EngineValidator;
beforeAll(() => {
  const dir = writePackage('test.slicing', [finalObservation, typedBundle, profiledBundle, existsObservation, identifierObservation]);
  v = createValidator({ includeNgc: false, packages: [dir] });
});

const narrative = observation().text;
const patient = { resourceType: 'Patient', id: 'p', text: narrative };
const org = { resourceType: 'Organization', id: 'o', text: narrative, name: 'Lab' };
const entry = (n: number, resource: object) => ({ fullUrl: `urn:uuid:9d8d8a36-2222-4b4b-8c8c-00000000000${n}`, resource });
const bundle = (profile: string, entries: object[]) => ({ resourceType: 'Bundle', meta: { profile: [`${BASE}/StructureDefinition/${profile}`] }, type: 'collection', entry: entries });

describe('type discriminator', () => {
  it('assigns entries by resource type', () => {
    expect(errors(v.validate(bundle('typed-bundle', [entry(1, patient), entry(2, observation())])))).toEqual([]);
  });
  it('closed: an entry of another type matches no slice; a required slice is missing', () => {
    const issues = v.validate(bundle('typed-bundle', [entry(1, org)]));
    expect(withId(issues, 'SLICE_CLOSED', 'Bundle.entry[0]')[0]).toMatchObject({ severity: 'error', code: 'structure' });
    expect(withId(issues, 'CARDINALITY_MIN', 'Bundle.entry')[0].diagnostics).toContain('Bundle.entry:patient');
  });
});

describe('profile discriminator', () => {
  it('an entry conforming to the slice profile matches it', () => {
    expect(errors(v.validate(bundle('profiled-bundle', [entry(1, observation())])))).toEqual([]);
  });
  it('an entry not conforming matches no slice', () => {
    const issues = v.validate(bundle('profiled-bundle', [entry(1, observation({ status: 'preliminary' }))]));
    expect(withId(issues, 'SLICE_CLOSED', 'Bundle.entry[0]')).toHaveLength(1);
    expect(withId(issues, 'CARDINALITY_MIN', 'Bundle.entry')).toHaveLength(1);
  });
});

describe('exists discriminator', () => {
  const prof = { meta: { profile: [`${BASE}/StructureDefinition/exists-observation`] } };
  const code = { text: 'c' };
  it('assigns components by the presence of a value', () => {
    expect(errors(v.validate(observation({ ...prof, component: [{ code }, { code, valueString: 'x' }] })))).toEqual([]);
  });
  it('counts each slice', () => {
    const issues = v.validate(observation({ ...prof, component: [{ code, valueString: 'x' }, { code, valueString: 'y' }] }));
    expect(withId(issues, 'CARDINALITY_MAX', 'Observation.component')[0].diagnostics).toContain('Observation.component:valued');
    expect(withId(issues, 'CARDINALITY_MIN', 'Observation.component')[0].diagnostics).toContain('Observation.component:absent');
  });
});

describe('openAtEnd', () => {
  const prof = { meta: { profile: [`${BASE}/StructureDefinition/identifier-observation`] } };
  it('unsliced items after the slices are fine', () => {
    expect(errors(v.validate(observation({ ...prof, identifier: [{ system: 'urn:lab', value: '1' }, { system: 'urn:other', value: '2' }] })))).toEqual([]);
  });
  it('a sliced item after an unsliced one is an error', () => {
    const issues = v.validate(observation({ ...prof, identifier: [{ system: 'urn:other', value: '2' }, { system: 'urn:lab', value: '1' }] }));
    expect(withId(issues, 'SLICE_OPEN_AT_END', 'Observation.identifier[1]')[0]).toMatchObject({ severity: 'error', code: 'structure' });
  });
});

describe('declared profile of the wrong type', () => {
  it('is an error', () => {
    const issues = v.validate({ ...patient, meta: { profile: [`${BASE}/StructureDefinition/final-observation`] } });
    expect(withId(issues, 'PROFILE_WRONG_TYPE', 'Patient.meta.profile[0]')[0]).toMatchObject({ severity: 'error' });
  });
});
