import * as path from 'node:path';
import type { CodeSystem, ValueSet } from 'fhir/r4';
import { loadConformance, type ConformanceStore } from '../../src/validation/definitions';
import { checkUcum, createTerminology } from '../../src/validation/terminology';

const STU2 = path.resolve(__dirname, '../../../shared/fhir-packages/hl7.fhir.uv.genomics-reporting#2.0.0');
const GR = 'http://hl7.org/fhir/uv/genomics-reporting';
const store = loadConformance({ packages: [STU2], includeNgc: false });
const tx = createTerminology(store);

/** A store with extra terminology resources layered over the real one (for hand-written cases). */
function withExtra(valueSets: ValueSet[], codeSystems: CodeSystem[] = []): ConformanceStore {
  const vs = new Map(valueSets.map((v) => [v.url!, v]));
  const cs = new Map(codeSystems.map((c) => [c.url!, c]));
  return {
    ...store,
    packages: store.packages,
    structureDefinition: (u) => store.structureDefinition(u),
    typeDefinition: (n) => store.typeDefinition(n),
    isResourceType: (n) => store.isResourceType(n),
    allStructureDefinitions: () => store.allStructureDefinitions(),
    allValueSets: () => [...store.allValueSets(), ...valueSets],
    allCodeSystems: () => [...store.allCodeSystems(), ...codeSystems],
    valueSet: (u) => vs.get(u.split('|')[0]) ?? store.valueSet(u),
    codeSystem: (u) => cs.get(u.split('|')[0]) ?? store.codeSystem(u),
  };
}

describe('value sets over loaded code systems', () => {
  const OBS_STATUS = 'http://hl7.org/fhir/ValueSet/observation-status';
  it('whole code system: in and out', () => {
    expect(tx.validateCode(OBS_STATUS, 'http://hl7.org/fhir/observation-status', 'final').outcome).toBe('valid');
    expect(tx.validateCode(OBS_STATUS, 'http://hl7.org/fhir/observation-status', 'finished')).toMatchObject({ outcome: 'invalid', message: expect.stringContaining('finished') });
    // A code from another system is not in the value set.
    expect(tx.validateCode(OBS_STATUS, 'http://loinc.org', 'final').outcome).toBe('invalid');
  });

  it('a `code` element (no system) is looked up in the value set\'s systems', () => {
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/administrative-gender', undefined, 'female').outcome).toBe('valid');
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/administrative-gender', undefined, 'f').outcome).toBe('invalid');
  });

  it('checks displays of loaded code systems (designations count)', () => {
    const ok = tx.validateCode(OBS_STATUS, 'http://hl7.org/fhir/observation-status', 'final', 'Final');
    expect(ok).toEqual({ outcome: 'valid', display: 'Final' });
    const wrong = tx.validateCode(OBS_STATUS, 'http://hl7.org/fhir/observation-status', 'final', 'Done and dusted');
    expect(wrong.outcome).toBe('valid');
    expect(wrong.displayMessage).toMatch(/Wrong display 'Done and dusted'.*'Final'/);
    expect(tx.validateCodeInSystem('http://hl7.org/fhir/observation-status', 'final', '  final ').displayMessage).toBeUndefined();
  });

  it('is-a filters over a hierarchical code system (v3 ActCode)', () => {
    const vs = 'http://terminology.hl7.org/ValueSet/v3-ActEncounterCode';
    expect(store.valueSet(vs)?.compose?.include[0].filter?.[0].op).toBe('is-a');
    expect(tx.validateCode(vs, 'http://terminology.hl7.org/CodeSystem/v3-ActCode', 'AMB').outcome).toBe('valid');
    expect(tx.validateCode(vs, 'http://terminology.hl7.org/CodeSystem/v3-ActCode', 'IMP').outcome).toBe('valid');
    // A real ActCode, but not an encounter code.
    expect(tx.validateCode(vs, 'http://terminology.hl7.org/CodeSystem/v3-ActCode', 'ACCTRECEIVABLE').outcome).toBe('invalid');
  });

  it('imports of other value sets', () => {
    const vs = 'http://hl7.org/fhir/ValueSet/security-labels';
    expect(tx.validateCode(vs, 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', 'R').outcome).toBe('valid');
    expect(tx.validateCode(vs, 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', 'ZZZ').outcome).not.toBe('valid');
  });

  it('package value sets: STU2 enumerations and its own code systems', () => {
    expect(tx.validateCode(`${GR}/ValueSet/variant-confidence-status-vs`, `${GR}/CodeSystem/variant-confidence-status-cs`, 'high').outcome).toBe('valid');
    expect(tx.validateCode(`${GR}/ValueSet/variant-confidence-status-vs`, `${GR}/CodeSystem/variant-confidence-status-cs`, 'huge').outcome).toBe('invalid');
  });

  it('a value set that is not loaded is not checkable', () => {
    expect(tx.validateCode('http://example.org/ValueSet/nope', 'http://loinc.org', '1-8')).toMatchObject({ outcome: 'not-checkable', message: expect.stringContaining('not loaded') });
  });
});

describe('external code systems', () => {
  it('explicit enumerations of LOINC decide membership without LOINC', () => {
    const vs = `${GR}/ValueSet/variant-inheritance-vs`;
    expect(tx.validateCode(vs, 'http://loinc.org', 'LA26320-4').outcome).toBe('valid');
    expect(tx.validateCode(vs, 'http://loinc.org', 'LA6668-3').outcome).toBe('invalid');
    expect(tx.validateCode(vs, 'http://snomed.info/sct', 'LA26320-4').outcome).toBe('invalid');
    // A Sequence Ontology is-a filter cannot be evaluated without the ontology.
    expect(tx.validateCode(`${GR}/ValueSet/dna-change-type-vs`, 'http://sequenceontology.org', 'SO:1000002').outcome).toBe('not-checkable');
  });

  it('whole LOINC or a SNOMED CT filter is not checkable, with the reason', () => {
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/observation-codes', 'http://loinc.org', '8480-6')).toMatchObject({
      outcome: 'not-checkable',
      message: expect.stringContaining("'http://loinc.org' is not known"),
    });
    const snomedFilter = withExtra([
      { resourceType: 'ValueSet', status: 'active', url: 'http://example.org/vs/sct', compose: { include: [{ system: 'http://snomed.info/sct', filter: [{ property: 'concept', op: 'is-a', value: '404684003' }] }] } },
    ]);
    expect(createTerminology(snomedFilter).validateCode('http://example.org/vs/sct', 'http://snomed.info/sct', '22298006').outcome).toBe('not-checkable');
    expect(tx.validateCodeInSystem('http://loinc.org', '8480-6').outcome).toBe('not-checkable');
    // SNOMED CT is "loaded" in R4 as a content=not-present stub: still not checkable.
    expect(tx.validateCodeInSystem('http://snomed.info/sct', '22298006').outcome).toBe('not-checkable');
  });

  it('UCUM units are checked by grammar', () => {
    const vs = 'http://hl7.org/fhir/ValueSet/ucum-units';
    for (const unit of ['mg/dL', 'mmol/L', 'kg/m2', '10*3/uL', '%', 'mm[Hg]', '/min', '{copies}/mL', 'mL/min/{1.73_m2}', 's-1', '[in_i]', 'cm[H2O]', '1', '1/1000000{Base}', '{reads}/{base}', 'a']) {
      expect([unit, tx.validateCode(vs, 'http://unitsofmeasure.org', unit).outcome]).toEqual([unit, 'valid']);
    }
    for (const unit of ['mg//dL', 'mg/', 'kg m2', '{open', '(mg', '10*', 'mg)', '12mg']) {
      expect([unit, tx.validateCode(vs, 'http://unitsofmeasure.org', unit).outcome]).toEqual([unit, 'invalid']);
    }
    // Well formed, but an atom we do not know: not guessed.
    expect(tx.validateCodeInSystem('http://unitsofmeasure.org', 'furlongs').outcome).toBe('not-checkable');
    expect(checkUcum('mg.dL-1')).toEqual({ ok: true, unknownAtoms: [] });
  });

  it('MIME types and language tags are checked by form', () => {
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/mimetypes', 'urn:ietf:bcp:13', 'application/fhir+json').outcome).toBe('valid');
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/mimetypes', 'urn:ietf:bcp:13', 'text/plain; charset=utf-8').outcome).toBe('valid');
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/mimetypes', 'urn:ietf:bcp:13', 'html').outcome).toBe('invalid');
    // R4 (and the HL7 validator) accept the FHIR format names xml, json and ttl where a MIME type is bound
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/mimetypes', 'urn:ietf:bcp:13', 'json').outcome).toBe('valid');
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/mimetypes', undefined, 'ttl').outcome).toBe('valid');
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/mimetypes', undefined, 'yaml').outcome).toBe('invalid');
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/mimetypes', 'urn:ietf:bcp:13', 'foo/bar').outcome).toBe('invalid');
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/all-languages', 'urn:ietf:bcp:47', 'da-DK').outcome).toBe('valid');
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/all-languages', 'urn:ietf:bcp:47', 'zh-Hant-TW').outcome).toBe('valid');
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/all-languages', 'urn:ietf:bcp:47', 'danish!').outcome).toBe('invalid');
    // The enumerated `languages` value set decides by its list.
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/languages', 'urn:ietf:bcp:47', 'da').outcome).toBe('valid');
    expect(tx.validateCode('http://hl7.org/fhir/ValueSet/languages', 'urn:ietf:bcp:47', 'tlh').outcome).toBe('invalid');
  });
});

describe('compose features on hand-written value sets', () => {
  const cs: CodeSystem = {
    resourceType: 'CodeSystem',
    url: 'http://example.org/cs',
    status: 'active',
    content: 'complete',
    caseSensitive: false,
    property: [{ code: 'kind', type: 'code' }],
    concept: [
      { code: 'animal', display: 'Animal', concept: [{ code: 'dog', display: 'Dog', property: [{ code: 'kind', valueCode: 'pet' }] }, { code: 'wolf', display: 'Wolf', property: [{ code: 'kind', valueCode: 'wild' }] }] },
      { code: 'plant', display: 'Plant', designation: [{ value: 'Flora' }] },
    ],
  };
  const vs = (id: string, compose: ValueSet['compose']): ValueSet => ({ resourceType: 'ValueSet', status: 'active', url: `http://example.org/vs/${id}`, compose });
  const sets = [
    vs('desc', { include: [{ system: cs.url, filter: [{ property: 'concept', op: 'descendent-of', value: 'animal' }] }] }),
    vs('prop', { include: [{ system: cs.url, filter: [{ property: 'kind', op: '=', value: 'pet' }] }] }),
    vs('regex', { include: [{ system: cs.url, filter: [{ property: 'code', op: 'regex', value: 'p.*' }] }] }),
    vs('excl', { include: [{ system: cs.url }], exclude: [{ system: cs.url, concept: [{ code: 'wolf' }] }] }),
    vs('cycle', { include: [{ valueSet: ['http://example.org/vs/cycle'] }] }),
    { resourceType: 'ValueSet', status: 'active', url: 'http://example.org/vs/exp', expansion: { timestamp: '2024-01-01', contains: [{ system: 'http://loinc.org', code: '1-8' }] } } as ValueSet,
  ];
  const t = createTerminology(withExtra(sets, [cs]));
  const S = cs.url!;

  it('descendent-of excludes the code itself', () => {
    expect(t.validateCode('http://example.org/vs/desc', S, 'dog').outcome).toBe('valid');
    expect(t.validateCode('http://example.org/vs/desc', S, 'animal').outcome).toBe('invalid');
  });
  it('= on a property', () => {
    expect(t.validateCode('http://example.org/vs/prop', S, 'dog').outcome).toBe('valid');
    expect(t.validateCode('http://example.org/vs/prop', S, 'wolf').outcome).toBe('invalid');
  });
  it('regex on the code', () => {
    expect(t.validateCode('http://example.org/vs/regex', S, 'plant').outcome).toBe('valid');
    expect(t.validateCode('http://example.org/vs/regex', S, 'dog').outcome).toBe('invalid');
  });
  it('exclude, and case-insensitive systems', () => {
    expect(t.validateCode('http://example.org/vs/excl', S, 'DOG').outcome).toBe('valid');
    expect(t.validateCode('http://example.org/vs/excl', S, 'wolf').outcome).toBe('invalid');
  });
  it('expansion.contains decides when present', () => {
    expect(t.validateCode('http://example.org/vs/exp', 'http://loinc.org', '1-8').outcome).toBe('valid');
    expect(t.validateCode('http://example.org/vs/exp', 'http://loinc.org', '2-6').outcome).toBe('invalid');
  });
  it('a value set that includes itself does not loop', () => {
    expect(t.validateCode('http://example.org/vs/cycle', S, 'dog').outcome).toBe('not-checkable');
  });
  it('code system look-ups: unknown code, designation as display', () => {
    expect(t.validateCodeInSystem(S, 'cat')).toMatchObject({ outcome: 'invalid', message: expect.stringContaining("Unknown code 'cat'") });
    expect(t.validateCodeInSystem(S, 'plant', 'Flora')).toEqual({ outcome: 'valid', display: 'Plant' });
    expect(t.validateCodeInSystem(S, 'plant', 'Tree').displayMessage).toContain("'Plant'");
  });
});
