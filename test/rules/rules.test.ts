/** Each rule of src/rules on the examples: the exact rule, severity, issue type and expression. */
import type { ValidationIssue } from '../../src/validation/issue';
import { example, NOW, rules, run } from './helpers';

function only(issues: ValidationIssue[]): ValidationIssue {
  expect(issues).toHaveLength(1);
  return issues[0];
}

function expectIssue(name: string, rule: string, expression: string, code: string, severity = 'error'): ValidationIssue {
  const issue = only(run(example(name)));
  expect(issue).toMatchObject({ severity, code, expression, rule: { id: rule } });
  return issue;
}

describe('valid examples pass every rule', () => {
  test.each(['wgs-germline-positive', 'wgs-tumour-somatic', 'wes-negative', 'panel-somatic', 'acgh-cnv', 'snp-array-cnv', 'rnaseq-negative', 'lrs-germline-positive'])('%s', (name) => {
    expect(run(example(`valid/${name}`))).toEqual([]);
  });
});

describe('issues carry the catalogue texts', () => {
  test('Danish text from validation-rules.json, English diagnostics', () => {
    const catalogue: { id: string; da: string }[] = require('../../profiles/data/validation-rules.json');
    const issue = only(run(example('invalid/VAR-07')));
    expect(issue.rule?.textDa).toBe(catalogue.find((r) => r.id === 'VAR-07')?.da);
    expect(issue.diagnostics).toContain('NC_000017.10');
    expect(issue.diagnostics).toContain('NC_000017.11');
  });
});

describe('SUB: the submission', () => {
  test('SUB-01 type', () => void expectIssue('invalid/SUB-01', 'SUB-01', 'Bundle.type', 'value'));
  test('SUB-01 not a Bundle at all: one issue, nothing else judged', () => {
    const issues = rules.check({ resourceType: 'Patient' } as never, { now: NOW });
    expect(issues).toEqual([expect.objectContaining({ rule: expect.objectContaining({ id: 'SUB-01' }), expression: 'Bundle', code: 'structure' })]);
  });
  test('SUB-02 identifier', () => void expectIssue('invalid/SUB-02', 'SUB-02', 'Bundle', 'required'));
  test('SUB-02 identifier without system', () => {
    const b = example('valid/wes-negative');
    delete b.identifier.system;
    expect(only(run(b))).toMatchObject({ rule: { id: 'SUB-02' }, expression: 'Bundle.identifier' });
  });
  test('SUB-03 future timestamp; 5 minutes of skew are allowed', () => {
    expectIssue('invalid/SUB-03', 'SUB-03', 'Bundle.timestamp', 'business-rule');
    const b = example('valid/wes-negative');
    b.timestamp = new Date(NOW.getTime() + 4 * 60_000).toISOString();
    expect(run(b)).toEqual([]);
    b.timestamp = new Date(NOW.getTime() + 6 * 60_000).toISOString();
    expect(only(run(b)).rule?.id).toBe('SUB-03');
  });
  test('SUB-04 method and url', () => {
    expectIssue('invalid/SUB-04', 'SUB-04', 'Bundle.entry[1].request.method', 'value');
    expectIssue('invalid/SUB-04-2', 'SUB-04', 'Bundle.entry[4].request.url', 'value');
  });
  test('SUB-04 fullUrl form and uniqueness', () => {
    const b = example('valid/wes-negative');
    b.entry[2].fullUrl = b.entry[3].fullUrl;
    const issues = run(b).filter((i) => i.rule?.id === 'SUB-04');
    expect(issues).toEqual([expect.objectContaining({ code: 'duplicate', expression: 'Bundle.entry[3].fullUrl' })]);
    const c = example('valid/wes-negative');
    c.entry[2].fullUrl = 'http://example.org/Organization/1';
    expect(run(c).filter((i) => i.rule?.id === 'SUB-04')).toEqual([expect.objectContaining({ expression: 'Bundle.entry[2].fullUrl' })]);
  });
  test('SUB-05 reference outside the Bundle', () => void expectIssue('invalid/SUB-05', 'SUB-05', 'Bundle.entry[5].resource.subject.reference', 'not-found'));
  test('SUB-05 reference to a resource of a type the element does not allow', () => {
    const b = example('valid/wes-negative');
    b.entry[5].resource.subject = { reference: b.entry[2].fullUrl }; // Specimen.subject → Organization
    expect(only(run(b))).toMatchObject({ rule: { id: 'SUB-05' }, expression: 'Bundle.entry[5].resource.subject.reference', code: 'business-rule' });
  });
  test('SUB-06 foreign profile', () => void expectIssue('invalid/SUB-06', 'SUB-06', 'Bundle.entry[3].resource.meta.profile[0]', 'value'));
  test('SUB-06 resource type without an NGC profile, and two profiles', () => {
    const b = example('valid/wes-negative');
    b.entry.push({ fullUrl: 'urn:uuid:0b6d3c8e-7f1a-4c2b-9d0e-1a2b3c4d5e6f', resource: { resourceType: 'Practitioner' }, request: { method: 'POST', url: 'Practitioner' } });
    b.entry[2].resource.meta.profile.push('http://ngc.dk/fhir/genomics/StructureDefinition/ngc-organization|1.0.0');
    const issues = run(b).filter((i) => i.rule?.id === 'SUB-06');
    expect(issues.map((i) => [i.code, i.expression])).toEqual([
      ['business-rule', 'Bundle.entry[2].resource.meta.profile'],
      ['not-supported', `Bundle.entry[${b.entry.length - 1}].resource`],
    ]);
  });
  test('SUB-06 accepts the versioned profile URL', () => {
    const b = example('valid/wes-negative');
    for (const e of b.entry) e.resource.meta.profile = [`${e.resource.meta.profile[0]}|1.0.0`];
    expect(run(b)).toEqual([]);
  });
  test('SUB-07 a second QC', () => void expectIssue('invalid/SUB-07', 'SUB-07', 'Bundle.entry[12].resource', 'business-rule'));
  test('SUB-07 a missing QC', () => {
    const b = example('valid/wes-negative');
    const qc = b.entry[7].fullUrl;
    b.entry.splice(7, 1);
    b.entry[0].resource.result = b.entry[0].resource.result.filter((r: { reference: string }) => r.reference !== qc);
    expect(only(run(b))).toMatchObject({ rule: { id: 'SUB-07' }, code: 'required', expression: 'Bundle.entry' });
  });
  test('SUB-08 orphan', () => void expectIssue('invalid/SUB-08', 'SUB-08', 'Bundle.entry[12].resource', 'business-rule'));
  test('SUB-09 subject of another patient', () => {
    const issues = run(example('invalid/SUB-09'));
    expect(issues.find((i) => i.rule?.id === 'SUB-09')).toMatchObject({ expression: 'Bundle.entry[8].resource.subject' });
  });
});

describe('PAT: the CPR number', () => {
  test('PAT-02 29 February 1900', () => void expectIssue('invalid/PAT-02', 'PAT-02', 'Bundle.entry[1].resource.identifier[0].value', 'value'));
  test('PAT-02 leaves the form to the profile (no knock-on PAT-03/PAT-04)', () => {
    const b = example('invalid/PAT-02-2');
    b.entry[1].resource.birthDate = '1991-01-01';
    expect(run(b)).toEqual([]);
  });
  test('PAT-03 parity is a warning', () => void expectIssue('invalid/PAT-03', 'PAT-03', 'Bundle.entry[1].resource.gender', 'business-rule', 'warning'));
  test('PAT-04 birthDate', () => void expectIssue('invalid/PAT-04', 'PAT-04', 'Bundle.entry[1].resource.birthDate', 'business-rule'));
  test('PAT-04 a matching birthDate is fine', () => {
    const b = example('valid/wgs-germline-positive');
    b.entry[1].resource.birthDate = '1991-03-12';
    expect(run(b)).toEqual([]);
  });
});

describe('dates across resources', () => {
  test('SRQ-04 authoredOn after issued', () => void expectIssue('invalid/SRQ-04', 'SRQ-04', 'Bundle.entry[4].resource.authoredOn', 'business-rule'));
  test('SRQ-04 requester not an organization', () => void expectIssue('invalid/SRQ-04-2', 'SRQ-04', 'Bundle.entry[3].resource.requester.reference', 'business-rule'));
  test('SPC-03 collected after effective', () => void expectIssue('invalid/SPC-03', 'SPC-03', 'Bundle.entry[5].resource.collection.collectedDateTime', 'business-rule'));
  test('REP-06 issued before effective', () => void expectIssue('invalid/REP-06', 'REP-06', 'Bundle.entry[0].resource.issued', 'business-rule'));
  test('REP-06 effective in the future', () => {
    const b = example('valid/wes-negative');
    b.entry[0].resource.effectiveDateTime = '2026-02-01';
    b.entry[0].resource.issued = '2026-01-15T12:00:00Z';
    const issues = run(b);
    expect(issues.map((i) => [i.rule?.id, i.expression])).toEqual([
      ['REP-06', 'Bundle.entry[0].resource.effectiveDateTime'],
      ['REP-06', 'Bundle.entry[0].resource.issued'],
    ]);
  });
  test('a date without time is compared generously (same day is not "after")', () => {
    const b = example('valid/wes-negative');
    b.entry[5].resource.collection.collectedDateTime = '2025-06-17';
    expect(run(b)).toEqual([]);
  });
});

describe('REP: the report', () => {
  test('REP-07 variant left out of result', () => void expectIssue('invalid/REP-07', 'REP-07', 'Bundle.entry[0].resource.result', 'business-rule'));
  test('REP-08 Negative with a pathogenic finding', () => void expectIssue('invalid/REP-08', 'REP-08', 'Bundle.entry[0].resource.conclusionCode[0]', 'business-rule'));
  test('REP-08 Positive without one', () => void expectIssue('invalid/REP-08-2', 'REP-08', 'Bundle.entry[0].resource.conclusionCode[0]', 'business-rule'));
  test('REP-08 is not judged when a classification is invalid (DIM-02 is)', () => {
    expect(run(example('invalid/DIM-02'))).toEqual([]);
  });
  test('REP-08 Positive with a Likely pathogenic finding is fine', () => {
    const b = example('valid/wgs-germline-positive');
    b.entry[9].resource.component[0].valueCodeableConcept.coding[0].code = 'LA26332-9';
    expect(run(b)).toEqual([]);
  });
});

describe('ANA and QC', () => {
  test('ANA-00 specimen not of the report', () => void expectIssue('invalid/ANA-00-2', 'ANA-00', 'Bundle.entry[6].resource.specimen.reference', 'business-rule'));
  test('QC-00 specimen not of the report', () => {
    const b = example('invalid/ANA-00-2');
    b.entry[7].resource.specimen = b.entry[6].resource.specimen;
    b.entry[6].resource.specimen = { reference: b.entry[5].fullUrl };
    expect(only(run(b))).toMatchObject({ rule: { id: 'QC-00' }, expression: 'Bundle.entry[7].resource.specimen.reference' });
  });
  test('ANA-01 analysis type differs from the order', () => void expectIssue('invalid/ANA-01', 'ANA-01', 'Bundle.entry[6].resource.component[0].valueCodeableConcept', 'business-rule'));
  test('ANA-08 derivedFrom an Observation', () => void expectIssue('invalid/ANA-08', 'ANA-08', 'Bundle.entry[6].resource.derivedFrom[2].reference', 'business-rule'));
  test('QC-01 WGS germline below 30x', () => {
    const issue = expectIssue('invalid/QC-01', 'QC-01', 'Bundle.entry[7].resource.component[0].valueQuantity.value', 'business-rule');
    expect(issue.diagnostics).toMatch(/24.*WGS \(germline\).*>= 30/);
  });
  test('QC-01 tumour column applies to somatic variants', () => {
    const issue = expectIssue('invalid/QC-01-2', 'QC-01', 'Bundle.entry[7].resource.component[0].valueQuantity.value', 'business-rule');
    expect(issue.diagnostics).toMatch(/WGS \(tumour\).*>= 90/);
    // the same 60x with a germline variant passes
    const b = example('invalid/QC-01-2');
    const source = b.entry[8].resource.component.find((c: { code: { coding: { code: string }[] } }) => c.code.coding[0].code === '48002-0');
    source.valueCodeableConcept.coding[0].code = 'LA6683-2';
    expect(run(b)).toEqual([]);
  });
  test('QC-01 required for WES', () => void expectIssue('invalid/QC-01-3', 'QC-01', 'Bundle.entry[7].resource.component', 'required'));
  test('QC-02, QC-03, QC-04 thresholds', () => {
    expectIssue('invalid/QC-02', 'QC-02', 'Bundle.entry[7].resource.component[1].valueQuantity.value', 'business-rule');
    expectIssue('invalid/QC-03', 'QC-03', 'Bundle.entry[7].resource.component[2].valueQuantity.value', 'business-rule');
    expectIssue('invalid/QC-04', 'QC-04', 'Bundle.entry[7].resource.component[3].valueQuantity.value', 'business-rule');
  });
  test('thresholds are inclusive', () => {
    const b = example('valid/wgs-germline-positive');
    const qc = b.entry[7].resource.component;
    qc[0].valueQuantity.value = 30;
    qc[1].valueQuantity.value = 90;
    qc[2].valueQuantity.value = 80;
    qc[3].valueQuantity.value = 2;
    expect(run(b)).toEqual([]);
  });
  test('QC-05 discordant sex check', () => void expectIssue('invalid/QC-05', 'QC-05', 'Bundle.entry[7].resource.component[4].valueCodeableConcept', 'business-rule'));
  test('no QC thresholds for arrays, RNA-seq and long reads', () => {
    for (const name of ['acgh-cnv', 'snp-array-cnv', 'rnaseq-negative', 'lrs-germline-positive']) {
      const b = example(`valid/${name}`);
      const qc = b.entry.find((e: { resource: { code?: { coding: { code: string }[] } } }) => e.resource.code?.coding[0].code === 'sequencing-qc').resource;
      qc.component = [{ code: { coding: [{ system: 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-observation-code', code: 'mean-coverage' }] }, valueQuantity: { value: 1, unit: '1', system: 'http://unitsofmeasure.org', code: '1' } }];
      expect(run(b)).toEqual([]);
    }
  });
  test('thresholds are not guessed when analysis type and order disagree', () => {
    const b = example('invalid/ANA-01');
    b.entry[7].resource.component[0].valueQuantity.value = 1;
    expect(run(b).map((i) => i.rule?.id)).toEqual(['ANA-01']);
  });
});

describe('VAR: HGVS consistency', () => {
  const g = 'Bundle.entry[8].resource.component[1].valueCodeableConcept.coding[0].code';
  test('VAR-04 1-letter amino acids', () => void expectIssue('invalid/VAR-04', 'VAR-04', 'Bundle.entry[8].resource.component[3].valueCodeableConcept.coding[0].code', 'value'));
  test('VAR-05 transcript differs from c.HGVS', () => void expectIssue('invalid/VAR-05', 'VAR-05', 'Bundle.entry[8].resource.component[4].valueCodeableConcept.coding[0].code', 'business-rule'));
  test('VAR-07 GRCh37 accession', () => void expectIssue('invalid/VAR-07', 'VAR-07', g, 'value'));
  test('VAR-07 a non-chromosome accession', () => {
    const b = example('valid/wgs-germline-positive');
    b.entry[8].resource.component[1].valueCodeableConcept.coding[0].code = 'NG_005905.2:g.4191_4192del';
    b.entry[8].resource.component[6].valueRange = { low: { value: 4191 }, high: { value: 4192 } };
    const issue = only(run(b));
    expect(issue).toMatchObject({ rule: { id: 'VAR-07' }, expression: g });
    expect(issue.diagnostics).toContain('not a GRCh38 chromosome accession');
  });
  test('VAR-08 unparsable g. and c.', () => {
    const issue = expectIssue('invalid/VAR-08', 'VAR-08', g, 'value');
    expect(issue.diagnostics).toContain('not valid HGVS');
    expectIssue('invalid/VAR-08-2', 'VAR-08', 'Bundle.entry[8].resource.component[2].valueCodeableConcept.coding[0].code', 'value');
  });
  test('VAR-09 start-end differs from g.HGVS', () => void expectIssue('invalid/VAR-09', 'VAR-09', 'Bundle.entry[8].resource.component[6].valueRange', 'business-rule'));
  test('VAR-09 beyond the chromosome', () => void expectIssue('invalid/VAR-09-2', 'VAR-09', 'Bundle.entry[8].resource.component[6].valueRange.high', 'value'));
  test('VAR-09 insertion range is the two flanking positions', () => {
    const b = example('valid/wgs-germline-positive');
    b.entry[8].resource.component[1].valueCodeableConcept.coding[0].code = 'NC_000017.11:g.43124027_43124028insT';
    b.entry[8].resource.component[11].valueCodeableConcept.coding[0].code = 'SO:0000667';
    expect(run(b)).toEqual([]);
  });
  test('VAR-10 alleles disagree with the substitution', () => void expectIssue('invalid/VAR-10', 'VAR-10', 'Bundle.entry[8].resource.component[8].valueString', 'business-rule'));
  test('VAR-16 change type disagrees', () => void expectIssue('invalid/VAR-16', 'VAR-16', 'Bundle.entry[8].resource.component[11].valueCodeableConcept.coding[0]', 'business-rule'));
  test('an unparsable g.HGVS is reported once (no VAR-07/09/10/16 knock-on)', () => {
    const b = example('valid/wgs-tumour-somatic');
    b.entry[8].resource.component[1].valueCodeableConcept.coding[0].code = 'NC_000017.10:g.7675088C>';
    b.entry[8].resource.component[8].valueString = 'G';
    expect(run(b).map((i) => i.rule?.id)).toEqual(['VAR-08']);
  });
});

describe('DIM and TERM', () => {
  test('DIM-01 derivedFrom not a variant', () => void expectIssue('invalid/DIM-01', 'DIM-01', 'Bundle.entry[9].resource.derivedFrom[0].reference', 'business-rule'));
  test('TERM-01 rewrites the HGNC URI in place, with a warning', () => {
    const b = example('invalid/TERM-01');
    const issues = rules.normalizeTerminology(b);
    expect(issues).toEqual([
      expect.objectContaining({ severity: 'warning', rule: expect.objectContaining({ id: 'TERM-01' }), expression: 'Bundle.entry[8].resource.component[0].valueCodeableConcept.coding[0].system' }),
    ]);
    expect(b.entry[8].resource.component[0].valueCodeableConcept.coding[0].system).toBe('http://www.genenames.org');
    expect(rules.check(b, { now: NOW })).toEqual([]);
    expect(rules.normalizeTerminology(b)).toEqual([]);
  });
  test('TERM-01 Sequence Ontology URI, then VAR-16 judges the normalised coding', () => {
    const b = example('invalid/TERM-01-2');
    expect(rules.normalizeTerminology(b).map((i) => i.rule?.id)).toEqual(['TERM-01']);
    b.entry[8].resource.component[11].valueCodeableConcept.coding[0].code = 'SO:1000035';
    expect(rules.check(b, { now: NOW }).map((i) => i.rule?.id)).toEqual(['VAR-16']);
  });
  test('TERM-02 HGNC symbol instead of id', () => void expectIssue('invalid/TERM-02', 'TERM-02', 'Bundle.entry[8].resource.component[0].valueCodeableConcept.coding[0].code', 'code-invalid'));
  test('TERM-02 HPO of the wrong length', () => void expectIssue('invalid/TERM-02-2', 'TERM-02', 'Bundle.entry[9].resource.component[1].valueCodeableConcept.coding[0].code', 'code-invalid'));
  test('TERM-02 OMIM, Orphanet and ClinVar forms', () => {
    const b = example('valid/wgs-germline-positive');
    b.entry[9].resource.component[2].valueCodeableConcept.coding[0].code = 'OMIM:604370';
    b.entry[8].resource.component[12].valueCodeableConcept.coding[0].code = 'VCV000017662';
    const issues = run(b);
    expect(issues.map((i) => [i.rule?.id, i.expression])).toEqual([
      ['TERM-02', 'Bundle.entry[8].resource.component[12].valueCodeableConcept.coding[0].code'],
      ['TERM-02', 'Bundle.entry[9].resource.component[2].valueCodeableConcept.coding[0].code'],
    ]);
    const p = example('valid/panel-somatic');
    p.entry[9].resource.component[1].valueCodeableConcept.coding[0].code = 'Orphanet_1333';
    expect(only(run(p)).rule?.id).toBe('TERM-02');
  });
});

describe('robustness', () => {
  test.each([
    ['entry not an array', { resourceType: 'Bundle', type: 'transaction', entry: 'x' }],
    ['entries that are not objects', { resourceType: 'Bundle', type: 'transaction', entry: [null, 1, 'x', { resource: 'y' }] }],
    ['empty Bundle', { resourceType: 'Bundle' }],
  ])('%s: issues, no crash', (_name, bundle) => {
    const issues = run(bundle as never);
    expect(Array.isArray(issues)).toBe(true);
    expect(issues.every((i) => i.rule)).toBe(true);
  });
  test('garbage inside resources does not crash any rule', () => {
    const b = example('valid/wgs-germline-positive');
    for (const e of b.entry) {
      for (const key of Object.keys(e.resource)) if (key !== 'resourceType' && key !== 'meta') e.resource[key] = key === 'component' ? [null, 5, { code: 'x' }] : { reference: 7 };
    }
    expect(() => run(b)).not.toThrow();
  });
});
