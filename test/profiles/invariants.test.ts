/* eslint-disable @typescript-eslint/no-explicit-any -- tests mutate plain FHIR JSON */
/**
 * The NGC invariants in the built package, evaluated with HL7's fhirpath.js on valid resources
 * and on resources that break exactly one rule: each rule's invariant holds for the valid one and
 * fails, under its own key, for the broken one.
 */
import { failedInvariants } from './package-helpers';
import * as fx from './fixtures';

const component = (resource: Record<string, any>, loincOrCode: string) =>
  resource.component.find((c: any) => c.code.coding[0].code === loincOrCode);
const withoutComponent = (resource: Record<string, any>, code: string) => {
  resource.component = resource.component.filter((c: any) => c.code.coding[0].code !== code);
  return resource;
};

describe('valid resources satisfy every NGC invariant', () => {
  for (const [profile, make] of Object.entries(fx.VALID)) {
    test(profile, () => {
      expect(failedInvariants(profile, make())).toEqual([]);
    });
  }
});

type Case = [string, string, () => Record<string, any>, string[]];

const cases: Case[] = [
  ['PAT-01', 'eCPR without a letter', () => ({ ...fx.patient(), identifier: [{ system: 'urn:oid:1.2.208.176.1.6.1.1', value: '0101901234' }] }), ['PAT-01']],
  ['PAT-01', 'eCPR with lower-case letters', () => ({ ...fx.patient(), identifier: [{ system: 'urn:oid:1.2.208.176.1.6.1.3', value: '010190abcd' }] }), ['PAT-01']],
  ['PAT-02', 'CPR with a hyphen', () => ({ ...fx.patient(), identifier: [{ use: 'official', system: 'urn:oid:1.2.208.176.1.2', value: '010190-4521' }] }), ['PAT-02']],
  ['PAT-05', 'a name is sent', () => ({ ...fx.patient(), name: [{ family: 'Jensen' }] }), ['PAT-05']],
  ['ORG-01', 'SOR code of 10 digits', () => ({ ...fx.organization(), identifier: [{ system: 'urn:oid:1.2.208.176.1.1', value: '2651610000' }] }), ['ORG-01']],
  ['SRQ-03', 'reason not from ngc-indication', () => ({ ...fx.serviceRequest(), reasonCode: [{ coding: [{ system: 'http://snomed.info/sct', code: '2092003' }] }] }), ['SRQ-03']],
  ['SRQ-03', 'an indication code outside the code system', () => ({ ...fx.serviceRequest(), reasonCode: [{ coding: [{ system: 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-indication', code: 'R11' }] }] }), ['SRQ-03']],
  ['SRQ-05', 'research purpose', () => ({ ...fx.serviceRequest(), category: [{ coding: [{ system: 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-purpose', code: 'research' }] }] }), ['SRQ-05']],
  ['ANA-03', 'WES without sequencing platform', () => withoutComponent(fx.sequencingAnalysis(), 'sequencing-platform'), ['ANA-03']],
  ['ANA-06', 'WES without target regions', () => withoutComponent(fx.sequencingAnalysis(), 'target-regions'), ['ANA-06']],
  ['VAR-01', 'SNV without gene studied', () => withoutComponent(fx.variant(), '48018-6'), ['VAR-01']],
  ['VAR-01', 'gene studied without symbol', () => { const v = fx.variant(); delete component(v, '48018-6').valueCodeableConcept.coding[0].display; return v; }, ['VAR-01']],
  ['VAR-02', 'g.HGVS given as c.', () => { const v = fx.variant(); component(v, '81290-9').valueCodeableConcept.coding[0].code = 'NC_000017.11:c.181T>C'; return v; }, ['VAR-02']],
  ['VAR-03', 'c.HGVS without accession', () => { const v = fx.variant(); component(v, '48004-6').valueCodeableConcept.coding[0].code = 'c.181T>C'; return v; }, ['VAR-03']],
  ['VAR-04', 'p.HGVS in another system', () => { const v = fx.variant(); component(v, '48005-3').valueCodeableConcept.coding[0].system = 'http://example.org'; return v; }, ['VAR-04']],
  ['VAR-05', 'c.HGVS without transcript', () => withoutComponent(fx.variant(), '51958-7'), ['VAR-05']],
  ['VAR-05', 'transcript without version', () => { const v = fx.variant(); component(v, '51958-7').valueCodeableConcept.coding[0].code = 'NM_007294'; return v; }, ['VAR-05']],
  ['VAR-09', 'SNV without start-end', () => withoutComponent(fx.variant(), '81254-5'), ['VAR-09']],
  ['VAR-09', 'low after high', () => { const v = fx.variant(); component(v, '81254-5').valueRange.low.value = 43106490; return v; }, ['VAR-09']],
  ['VAR-09', 'fractional position', () => { const v = fx.variant(); component(v, '81254-5').valueRange.low.value = 43106486.5; return v; }, ['VAR-09']],
  ['VAR-10', 'lower-case allele', () => { const v = fx.variant(); component(v, '69551-0').valueString = 'g'; return v; }, ['VAR-10']],
  ['VAR-13', 'germline without allelic state', () => withoutComponent(fx.variant(), '53034-5'), ['VAR-13']],
  ['VAR-14', 'somatic without allele frequency', () => { const v = withoutComponent(fx.variant(), '53034-5'); component(v, '48002-0').valueCodeableConcept = { coding: [{ system: 'http://loinc.org', code: 'LA6684-0' }] }; return v; }, ['VAR-14']],
  ['VAR-14', 'allele frequency given in per cent', () => { const v = fx.variant(); v.component.push({ code: { coding: [{ system: 'http://loinc.org', code: '81258-6' }] }, valueQuantity: { value: 45, system: 'http://unitsofmeasure.org', code: '1' } }); return v; }, ['VAR-14']],
  ['VAR-14', 'allele frequency of 0', () => { const v = fx.variant(); v.component.push({ code: { coding: [{ system: 'http://loinc.org', code: '81258-6' }] }, valueQuantity: { value: 0, system: 'http://unitsofmeasure.org', code: '1' } }); return v; }, ['VAR-14']],
  ['VAR-15', 'negative read depth', () => { const v = fx.variant(); component(v, '82121-5').valueQuantity.value = -1; return v; }, ['VAR-15']],
  ['VAR-15', 'fractional read depth', () => { const v = fx.variant(); component(v, '82121-5').valueQuantity.value = 12.5; return v; }, ['VAR-15']],
  ['VAR-17', 'variation code from another system', () => { const v = fx.variant(); component(v, '81252-9').valueCodeableConcept.coding[0].system = 'http://example.org/cosmic'; return v; }, ['VAR-17']],
  ['DIM-03', 'pathogenic without phenotype (warning)', () => withoutComponent(fx.diagnosticImplication(), '81259-4'), ['DIM-03']],
  ['DIM-03', 'phenotype in an unlisted system', () => { const d = fx.diagnosticImplication(); component(d, '81259-4').valueCodeableConcept.coding[0].system = 'http://snomed.info/sct'; return d; }, ['ngc-dim-phenotype-system']],
  ['FIL-04', 'upper-case SHA-256', () => { const f = fx.dataFile(); f.content[0].attachment.extension[0].valueString = 'A'.repeat(64); return f; }, ['FIL-04']],
  ['FIL-04', 'file size of 0', () => { const f = fx.dataFile(); f.content[0].attachment.extension[1].valueDecimal = 0; return f; }, ['FIL-04']],
  ['FIL-04', 'attachment.size differs from ngc-file-size', () => { const f = fx.dataFile(); f.content[0].attachment.extension[1].valueDecimal = 1024; f.content[0].attachment.size = 1000; return f; }, ['FIL-04']],
];

const profileOf: Record<string, string> = {
  PAT: 'ngc-patient', ORG: 'ngc-organization', SRQ: 'ngc-service-request', ANA: 'ngc-sequencing-analysis',
  VAR: 'ngc-variant', DIM: 'ngc-diagnostic-implication', FIL: 'ngc-data-file',
};

describe('a resource that breaks one rule fails exactly that rule\'s invariant', () => {
  test.each(cases)('%s: %s', (rule, _what, make, expected) => {
    expect(failedInvariants(profileOf[rule.slice(0, 3)], make())).toEqual(expected);
  });

  test('a copy-number variant needs neither gene studied nor start-end', () => {
    const v = withoutComponent(withoutComponent(fx.variant(), '48018-6'), '81254-5');
    component(v, '48019-4').valueCodeableConcept.coding[0].code = 'SO:0001743';
    expect(failedInvariants('ngc-variant', v)).toEqual([]);
  });

  test('attachment.size equal to ngc-file-size is accepted', () => {
    const f = fx.dataFile();
    f.content[0].attachment.extension[1].valueDecimal = 1024;
    f.content[0].attachment.size = 1024;
    expect(failedInvariants('ngc-data-file', f)).toEqual([]);
  });

  test('ACGH needs neither sequencing platform nor target regions', () => {
    const a = withoutComponent(withoutComponent(fx.sequencingAnalysis(), 'sequencing-platform'), 'target-regions');
    component(a, 'analysis-type').valueCodeableConcept.coding[0].code = 'ACGH';
    expect(failedInvariants('ngc-sequencing-analysis', a)).toEqual([]);
  });
});
