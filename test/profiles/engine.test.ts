/* eslint-disable @typescript-eslint/no-explicit-any -- tests mutate plain FHIR JSON */
/**
 * The NGC profiles enforced by the gateway's own engine (createValidator, which loads
 * profiles/package): a valid resource of each profile passes, the example Bundles that the guide
 * calls valid pass the profile layer, and typical violations are reported with the rule id that
 * the profile element or invariant carries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createValidator, type ValidationIssue } from '../../src/validation';
import * as fx from './fixtures';

const validator = createValidator();
const NGC = 'http://ngc.dk/fhir/genomics';
const LOINC = 'http://loinc.org';

const errors = (resource: unknown): ValidationIssue[] =>
  validator.validate(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
const ruleIds = (issues: ValidationIssue[]): string[] => [...new Set(issues.map((i) => i.rule?.id ?? 'untagged'))].sort();
const component = (resource: Record<string, any>, code: string) =>
  resource.component.find((c: any) => c.code.coding[0].code === code);

describe('a valid resource of each NGC profile passes', () => {
  test('a patient identified by X-eCPR (use temp) passes', () => {
    expect(errors({ ...fx.patient(), identifier: [{ use: 'temp', system: 'urn:oid:1.2.208.176.1.6.1.1', value: '0703921VJ4' }] })).toEqual([]);
  });

  test.each(Object.keys(fx.VALID))('%s', (profile) => {
    const resource = fx.VALID[profile]();
    expect(resource.meta.profile).toEqual([fx.profileUrl(profile)]);
    expect(errors(resource)).toEqual([]);
  });
});

type Violation = [string, () => Record<string, any>, string[]];

const violations: Violation[] = [
  ['CPR of 9 digits', () => ({ ...fx.patient(), identifier: [{ use: 'official', system: 'urn:oid:1.2.208.176.1.2', value: '010190452' }] }), ['PAT-02']],
  ['CPR without use official', () => ({ ...fx.patient(), identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: '0101904521' }] }), ['PAT-01']],
  ['a hospital record number instead of CPR', () => ({ ...fx.patient(), identifier: [{ system: 'http://rh.dk/mrn', value: '42' }] }), ['PAT-01']],
  ['CPR and eCPR together', () => ({ ...fx.patient(), identifier: [fx.patient().identifier[0], { system: 'urn:oid:1.2.208.176.1.6.1.1', value: '010190ABCD' }] }), ['PAT-01']],
  ['eCPR with use official (DK Core fixes temp)', () => ({ ...fx.patient(), identifier: [{ use: 'official', system: 'urn:oid:1.2.208.176.1.6.1.1', value: '010190ABCD' }] }), ['PAT-01']],
  ['eCPR of digits only', () => ({ ...fx.patient(), identifier: [{ system: 'urn:oid:1.2.208.176.1.6.1.3', value: '0101901234' }] }), ['PAT-01']],
  ['no gender', () => { const p = fx.patient(); delete p.gender; return p; }, ['PAT-03']],
  ['organization without SOR code', () => ({ ...fx.organization(), identifier: [{ system: 'urn:oid:1.2.208.176.1.4', value: '12345678' }] }), ['ORG-01']],
  ['SOR code with letters', () => ({ ...fx.organization(), identifier: [{ system: 'urn:oid:1.2.208.176.1.1', value: '26516100001600X' }] }), ['ORG-01']],
  ['organization without name', () => { const o = fx.organization(); delete o.name; return o; }, ['ORG-02']],
  ['draft order', () => ({ ...fx.serviceRequest(), status: 'draft' }), ['SRQ-01']],
  ['a plan, not an order', () => ({ ...fx.serviceRequest(), intent: 'plan' }), ['SRQ-01']],
  ['analysis type outside ngc-analysis-type', () => ({ ...fx.serviceRequest(), code: { coding: [{ system: 'http://snomed.info/sct', code: '117040002' }] } }), ['SRQ-02']],
  ['no NGC indication', () => ({ ...fx.serviceRequest(), reasonCode: [{ text: 'Suspected syndrome' }] }), ['SRQ-03']],
  ['no requester', () => { const s = fx.serviceRequest(); delete s.requester; return s; }, ['SRQ-04']],
  ['no authoredOn', () => { const s = fx.serviceRequest(); delete s.authoredOn; return s; }, ['SRQ-04']],
  ['research purpose', () => ({ ...fx.serviceRequest(), category: [{ coding: [{ system: `${NGC}/CodeSystem/ngc-purpose`, code: 'research' }] }] }), ['SRQ-05']],
  ['specimen id without system', () => ({ ...fx.specimen(), identifier: [{ value: 'S-1' }] }), ['SPC-01']],
  ['specimen type outside ngc-specimen-type', () => ({ ...fx.specimen(), type: { coding: [{ system: 'http://snomed.info/sct', code: '122555007' }] } }), ['SPC-02']],
  ['specimen without collection time', () => ({ ...fx.specimen(), collection: { quantity: { value: 2 } } }), ['SPC-03']],
  ['specimen without subject', () => { const s = fx.specimen(); delete s.subject; return s; }, ['SPC-04']],
  ['report with another LOINC code', () => ({ ...fx.genomicReport(), code: { coding: [{ system: LOINC, code: '81247-9' }] } }), ['REP-01']],
  ['report without GE category', () => ({ ...fx.genomicReport(), category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }] }), ['REP-02']],
  ['preliminary report', () => ({ ...fx.genomicReport(), status: 'preliminary' }), ['REP-03']],
  ['report identifier without system', () => ({ ...fx.genomicReport(), identifier: [{ value: 'R-1' }] }), ['REP-04']],
  ['two service requests', () => { const r = fx.genomicReport(); r.basedOn.push({ reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000009' }); return r; }, ['REP-05']],
  ['no issued time', () => { const r = fx.genomicReport(); delete r.issued; return r; }, ['REP-06']],
  ['only one result', () => ({ ...fx.genomicReport(), result: [{ reference: 'urn:uuid:9f0c1d1e-0000-4000-8000-000000000005' }] }), ['REP-07']],
  ['conclusion outside ngc-overall-interpretation', () => ({ ...fx.genomicReport(), conclusionCode: [{ coding: [{ system: LOINC, code: 'LA6668-3' }] }] }), ['REP-08']],
  ['presented form that is not a PDF', () => ({ ...fx.genomicReport(), presentedForm: [{ contentType: 'text/plain', data: 'aGVq' }] }), ['REP-09']],
  ['analysis not final', () => ({ ...fx.sequencingAnalysis(), status: 'preliminary' }), ['ANA-00']],
  ['analysis without GE category', () => ({ ...fx.sequencingAnalysis(), category: fx.sequencingAnalysis().category.slice(0, 1) }), ['ANA-00']],
  ['analysis type outside the value set', () => { const a = fx.sequencingAnalysis(); component(a, 'analysis-type').valueCodeableConcept.coding[0].system = 'http://example.org'; return a; }, ['ANA-01']],
  ['GRCh37', () => { const a = fx.sequencingAnalysis(); component(a, '62374-4').valueCodeableConcept.coding[0].code = 'LA14029-5'; return a; }, ['ANA-02']],
  ['no sequencing platform for WES', () => { const a = fx.sequencingAnalysis(); a.component = a.component.filter((c: any) => c.code.coding[0].code !== 'sequencing-platform'); return a; }, ['ANA-03']],
  ['pipeline twice', () => { const a = fx.sequencingAnalysis(); a.component.push({ ...component(a, 'pipeline') }); return a; }, ['ANA-04']],
  ['pipeline version as a number', () => { const a = fx.sequencingAnalysis(); const c = component(a, 'pipeline-version'); delete c.valueString; c.valueInteger = 3; return a; }, ['ANA-05']],
  ['no target regions for WES', () => { const a = fx.sequencingAnalysis(); a.component = a.component.filter((c: any) => c.code.coding[0].code !== 'target-regions'); return a; }, ['ANA-06']],
  ['derived from a specimen', () => ({ ...fx.sequencingAnalysis(), derivedFrom: [{ reference: 'Specimen/1', type: 'Specimen' }] }), ['ANA-08']],
  ['QC without specimen', () => { const q = fx.sequencingQc(); delete q.specimen; return q; }, ['QC-00']],
  ['coverage in per cent', () => { const q = fx.sequencingQc(); component(q, 'mean-coverage').valueQuantity.code = '%'; return q; }, ['QC-00']],
  ['mean coverage twice', () => { const q = fx.sequencingQc(); q.component.push({ ...component(q, 'mean-coverage') }); return q; }, ['QC-01']],
  ['sex check outside its value set', () => { const q = fx.sequencingQc(); component(q, 'sex-check').valueCodeableConcept = { coding: [{ system: LOINC, code: 'LA6683-2' }] }; return q; }, ['QC-05']],
  ['variant without specimen', () => { const v = fx.variant(); delete v.specimen; return v; }, ['VAR-00']],
  ['variant with another value', () => ({ ...fx.variant(), valueCodeableConcept: { coding: [{ system: LOINC, code: 'LA9663-1' }] } }), ['VAR-00']],
  ['SNV without gene', () => { const v = fx.variant(); v.component = v.component.filter((c: any) => c.code.coding[0].code !== '48018-6'); return v; }, ['VAR-01']],
  ['no g.HGVS', () => { const v = fx.variant(); v.component = v.component.filter((c: any) => c.code.coding[0].code !== '81290-9'); return v; }, ['VAR-02']],
  ['c.HGVS without accession', () => { const v = fx.variant(); component(v, '48004-6').valueCodeableConcept.coding[0].code = 'c.181T>C'; return v; }, ['VAR-03']],
  ['transcript without version', () => { const v = fx.variant(); component(v, '51958-7').valueCodeableConcept.coding[0].code = 'NM_007294'; return v; }, ['VAR-05']],
  ['assembly GRCh37', () => { const v = fx.variant(); component(v, '62374-4').valueCodeableConcept.coding[0].code = 'LA14029-5'; return v; }, ['VAR-06']],
  ['allele with IUPAC code', () => { const v = fx.variant(); component(v, '69551-0').valueString = 'R'; return v; }, ['VAR-10']],
  ['0-based coordinates', () => { const v = fx.variant(); component(v, '92822-6').valueCodeableConcept.coding[0].code = 'LA30100-4'; return v; }, ['VAR-11']],
  ['genomic source class not a LOINC answer', () => { const v = fx.variant(); component(v, '48002-0').valueCodeableConcept = { coding: [{ system: 'http://snomed.info/sct', code: '255395001' }] }; return v; }, ['VAR-12']],
  ['germline without allelic state', () => { const v = fx.variant(); v.component = v.component.filter((c: any) => c.code.coding[0].code !== '53034-5'); return v; }, ['VAR-13']],
  ['allele frequency above 1', () => { const v = fx.variant(); v.component.push({ code: { coding: [{ system: LOINC, code: '81258-6' }] }, valueQuantity: { value: 1.5, system: 'http://unitsofmeasure.org', code: '1' } }); return v; }, ['VAR-14']],
  ['negative read depth', () => { const v = fx.variant(); component(v, '82121-5').valueQuantity.value = -3; return v; }, ['VAR-15']],
  ['change type outside the value set', () => { const v = fx.variant(); component(v, '48019-4').valueCodeableConcept.coding[0].code = 'SO:0001564'; return v; }, ['VAR-16']],
  ['variation code from COSMIC', () => { const v = fx.variant(); component(v, '81252-9').valueCodeableConcept.coding[0].system = 'http://cancer.sanger.ac.uk/cosmic'; return v; }, ['VAR-17']],
  ['implication with a value', () => ({ ...fx.diagnosticImplication(), valueString: 'pathogenic' }), ['DIM-00']],
  ['implication with another code', () => ({ ...fx.diagnosticImplication(), code: { coding: [{ system: LOINC, code: '69548-6' }] } }), ['DIM-00']],
  ['implication derived from nothing', () => { const d = fx.diagnosticImplication(); delete d.derivedFrom; return d; }, ['DIM-01']],
  ['no clinical significance', () => { const d = fx.diagnosticImplication(); d.component = d.component.filter((c: any) => c.code.coding[0].code !== '53037-8'); return d; }, ['DIM-02']],
  ['significance outside ACMG classes', () => { const d = fx.diagnosticImplication(); component(d, '53037-8').valueCodeableConcept.coding[0].code = 'LA6682-4'; return d; }, ['DIM-02']],
  ['phenotype in SNOMED CT', () => { const d = fx.diagnosticImplication(); component(d, '81259-4').valueCodeableConcept.coding[0].system = 'http://snomed.info/sct'; return d; }, ['DIM-03']],
  ['ACMG criterion that does not exist', () => { const d = fx.diagnosticImplication(); component(d, 'acmg-criteria').valueCodeableConcept.coding[0].code = 'PM7'; return d; }, ['DIM-04']],
  ['superseded file', () => ({ ...fx.dataFile(), status: 'superseded' }), ['FIL-01']],
  ['two contents', () => { const f = fx.dataFile(); f.content.push(f.content[0]); return f; }, ['FIL-01']],
  ['BCF format', () => { const f = fx.dataFile(); f.content[0].format = { system: 'http://example.org/formats', code: 'bcf' }; return f; }, ['FIL-02']],
  ['no storage URL', () => { const f = fx.dataFile(); delete f.content[0].attachment.url; return f; }, ['FIL-03']],
  ['no SHA-256', () => { const f = fx.dataFile(); f.content[0].attachment.extension.shift(); return f; }, ['FIL-04']],
  ['size different from ngc-file-size', () => { const f = fx.dataFile(); f.content[0].attachment.extension[1].valueDecimal = 2048; f.content[0].attachment.size = 1024; return f; }, ['FIL-04']],
];

describe('violations are reported with the rule the profile names', () => {
  test.each(violations)('%s → %s', (_what, make, expected) => {
    const found = errors(make());
    expect(found.length).toBeGreaterThan(0);
    // The engine's check that a code exists in its (complete) code system reports at the Coding and
    // carries no rule yet; the binding issue on the same defect carries the profile's rule.
    const tagged = found.filter((i) => i.rule || i.messageId !== 'CODE_UNKNOWN');
    expect(ruleIds(tagged)).toEqual(expected);
    for (const issue of tagged) expect(issue.rule?.textDa).toMatch(/[a-zæøå]/);
  });
});

describe('warning-only rules of the profiles', () => {
  const warnings = (resource: unknown) => validator.validate(resource).filter((i) => i.severity === 'warning' && i.rule);

  test('PAT-05: name, telecom, address or photo gives a warning, not an error', () => {
    const patient = { ...fx.patient(), name: [{ family: 'Jensen' }], address: [{ city: 'Aarhus' }] };
    expect(errors(patient)).toEqual([]);
    expect(ruleIds(warnings(patient))).toEqual(['PAT-05']);
  });

  test('DIM-03: a pathogenic implication without phenotype gives a warning, not an error', () => {
    const implication = fx.diagnosticImplication();
    implication.component = implication.component.filter((c: any) => c.code.coding[0].code !== '81259-4');
    expect(errors(implication)).toEqual([]);
    expect(ruleIds(warnings(implication))).toEqual(['DIM-03']);
  });
});

describe('the guide\'s valid example Bundles pass the profiles', () => {
  const dir = path.resolve(__dirname, '../../implementation-guide/examples');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    examples: { file: string; verdict: string; format: string; expectedRules: string[] }[];
  };
  // Examples accepted with warnings (TERM-01 needs the rules' normalisation first) are left to the
  // submission tests; these are the ones with no finding at all.
  const valid = manifest.examples
    .filter((e) => e.verdict === 'accepted' && e.format === 'json' && e.expectedRules.length === 0)
    .map((e) => e.file);

  test('there is a valid example for every analysis type family', () => {
    expect(valid.length).toBeGreaterThanOrEqual(5);
  });

  test.each(valid)('%s', (file) => {
    const bundle = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    expect(errors(bundle)).toEqual([]);
  });
});

describe('the guide\'s broken examples of rules that live entirely in the profiles are caught by the profiles', () => {
  // Rules whose every part is said by the profiles (the others also have a part in src/rules:
  // orderings, cross-resource checks, CPR dates, HGVS, thresholds).
  const PROFILE_ONLY = new Set([
    'PAT-01', 'PAT-05', 'ORG-01', 'ORG-02', 'SRQ-01', 'SRQ-02', 'SRQ-03', 'SRQ-05', 'SPC-01', 'SPC-02', 'SPC-04',
    'REP-01', 'REP-02', 'REP-03', 'REP-04', 'REP-05', 'REP-09', 'ANA-02', 'ANA-03', 'ANA-04', 'ANA-05', 'ANA-06',
    'ANA-07', 'ANA-08', 'VAR-00', 'VAR-01', 'VAR-02', 'VAR-03', 'VAR-06', 'VAR-11', 'VAR-12', 'VAR-13', 'VAR-14',
    'VAR-15', 'VAR-17', 'DIM-00', 'DIM-02', 'DIM-03', 'DIM-04', 'FIL-01', 'FIL-02', 'FIL-03', 'FIL-04',
  ]);
  const dir = path.resolve(__dirname, '../../implementation-guide/examples');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    examples: { file: string; verdict: string; format: string; context?: string; expectedRules: string[] }[];
  };
  const broken = manifest.examples.filter(
    (e) => e.verdict !== 'accepted' && e.format === 'json' && (e.context ?? 'bundle') === 'bundle' &&
      e.expectedRules.length > 0 && e.expectedRules.every((r) => PROFILE_ONLY.has(r)),
  );

  test('there are such examples', () => {
    expect(broken.length).toBeGreaterThan(20);
  });

  test.each(broken.map((e) => [e.file, e.expectedRules] as const))('%s → %s', (file, expected) => {
    const bundle = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const found = new Set(validator.validate(bundle).map((i) => i.rule?.id));
    for (const rule of expected) expect(found).toContain(rule);
  });
});
