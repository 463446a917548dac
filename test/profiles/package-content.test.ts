/**
 * The built NGC package holds every profile, extension, code system and value set the standard
 * names, with exactly the standard's codes, and every rule tag points at a rule of the catalogue.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StructureDefinition } from 'fhir/r4';
import { PACKAGE_DIR, codeSystem, isNgcKey, readPackageFile, structureDefinition, valueSet } from './package-helpers';

const CANONICAL = 'http://ngc.dk/fhir/genomics';
const RULE_SYSTEM = `${CANONICAL}/CodeSystem/ngc-validation-rule`;
const RULE_EXTENSION = `${CANONICAL}/StructureDefinition/validation-rule`;
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';

const range = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i)}`);
const ids = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${String(from + i).padStart(2, '0')}`);

/** Every rule id of the NGC Genomic Reporting Standard 1.0. */
const STANDARD_RULES = [
  ...ids('SUB', 1, 13), ...ids('PAT', 1, 5), ...ids('ORG', 1, 2), ...ids('SRQ', 1, 5), ...ids('SPC', 1, 4),
  ...ids('REP', 1, 9), ...ids('ANA', 0, 8), ...ids('QC', 0, 5), ...ids('VAR', 0, 17), ...ids('DIM', 0, 4),
  ...ids('FIL', 1, 4), ...ids('TERM', 1, 2),
];

const PROFILES: Record<string, { type: string; aligns: string[] }> = {
  'ngc-patient': { type: 'Patient', aligns: ['http://hl7.dk/fhir/core/StructureDefinition/dk-core-patient'] },
  'ngc-organization': { type: 'Organization', aligns: ['http://hl7.dk/fhir/core/StructureDefinition/dk-core-organization'] },
  'ngc-service-request': { type: 'ServiceRequest', aligns: [] },
  'ngc-specimen': { type: 'Specimen', aligns: [] },
  'ngc-genomic-report': { type: 'DiagnosticReport', aligns: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-report'] },
  'ngc-sequencing-analysis': { type: 'Observation', aligns: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-base'] },
  'ngc-sequencing-qc': { type: 'Observation', aligns: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-base'] },
  'ngc-variant': { type: 'Observation', aligns: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/variant'] },
  'ngc-diagnostic-implication': { type: 'Observation', aligns: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/diagnostic-implication'] },
  'ngc-data-file': { type: 'DocumentReference', aligns: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-data-file'] },
};

/** NGC code systems and their codes, as section 4 of the standard lists them. */
const CODE_SYSTEMS: Record<string, string[]> = {
  'ngc-analysis-type': ['WGS', 'WES', 'PANEL', 'ACGH', 'SNP-ARRAY', 'RNASEQ', 'LRS'],
  'ngc-indication': range('R0', 1, 9).concat('R10'),
  'ngc-observation-code': [
    'sequencing-analysis', 'analysis-type', 'sequencing-platform', 'pipeline', 'pipeline-version', 'target-regions',
    'library-prep', 'sequencing-qc', 'mean-coverage', 'pct-bases-20x', 'pct-q30', 'contamination', 'sex-check',
    'concordant', 'discordant', 'acmg-criteria',
  ],
  'ngc-purpose': ['diagnostic', 'research'],
  'ngc-file-format': ['vcf-4.2', 'vcf-4.3', 'gvcf', 'cram-3.0', 'cram-3.1', 'bam', 'fastq'],
  'ngc-acmg-criteria': [
    'PVS1', ...range('PS', 1, 4), ...range('PM', 1, 6), ...range('PP', 1, 5), 'BA1', ...range('BS', 1, 4), ...range('BP', 1, 7),
  ],
};

/** Value sets over external code systems: exactly the codes the standard names. */
const ENUMERATED_VALUE_SETS: Record<string, [string, string[]]> = {
  'ngc-specimen-type': [SNOMED, ['119297000', '258580003', '119342007', '119376003', '441652008', '119361006', '258450006', '119373006']],
  'ngc-overall-interpretation': [LOINC, ['LA6576-8', 'LA6577-6', 'LA9663-1']],
  'ngc-acmg-classification': [LOINC, ['LA6668-3', 'LA26332-9', 'LA26333-7', 'LA26334-5', 'LA6675-8']],
  'ngc-genomic-source-class': [LOINC, ['LA6683-2', 'LA6684-0']],
  'ngc-allelic-state': [LOINC, ['LA6706-1', 'LA6705-3', 'LA6707-9', 'LA6703-8', 'LA6704-6']],
  'ngc-variant-presence': [LOINC, ['LA9633-4', 'LA9634-2']],
  'ngc-reference-assembly': [LOINC, ['LA26806-2']],
  'ngc-dna-change-type': ['http://www.sequenceontology.org', ['SO:0001483', 'SO:0000159', 'SO:0000667', 'SO:1000032', 'SO:1000035', 'SO:1000036', 'SO:0001019', 'SO:0001742', 'SO:0001743']],
  'ngc-service-request-status': ['http://hl7.org/fhir/request-status', ['active', 'completed']],
  'ngc-report-status': ['http://hl7.org/fhir/diagnostic-report-status', ['final', 'amended', 'corrected', 'appended']],
  'ngc-result-status': ['http://hl7.org/fhir/observation-status', ['final', 'amended', 'corrected']],
  'ngc-sex-check': [`${CANONICAL}/CodeSystem/ngc-observation-code`, ['concordant', 'discordant']],
};

const allStructureDefinitions = (): StructureDefinition[] =>
  fs
    .readdirSync(PACKAGE_DIR)
    .filter((f) => f.startsWith('StructureDefinition-'))
    .map((f) => readPackageFile<StructureDefinition>(f));

test('the package manifest names dk.ngc.fhir.genomics 1.0.0 for FHIR 4.0.1', () => {
  const manifest = readPackageFile<Record<string, unknown>>('package.json');
  expect(manifest).toMatchObject({ name: 'dk.ngc.fhir.genomics', version: '1.0.0', fhirVersions: ['4.0.1'], canonical: CANONICAL });
  const index = readPackageFile<{ files: { filename: string }[] }>('.index.json');
  const onDisk = fs.readdirSync(PACKAGE_DIR).filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'));
  expect(index.files.map((f) => f.filename).sort()).toEqual(onDisk.sort());
});

describe('profiles', () => {
  test.each(Object.entries(PROFILES))('%s', (id, { type, aligns }) => {
    const sd = structureDefinition(id);
    expect(sd.url).toBe(`${CANONICAL}/StructureDefinition/${id}`);
    expect(sd.type).toBe(type);
    expect(sd.derivation).toBe('constraint');
    expect(sd.fhirVersion).toBe('4.0.1');
    expect(sd.snapshot?.element.length).toBeGreaterThan(10);
    for (const url of aligns) expect(sd.description).toContain(url);
    // Every profile names the Genomics Reporting STU3 or DK Core profile it follows.
    expect(sd.description).toMatch(/genomics-reporting|dk-core/);
  });

  test('the package holds nothing but the standard\'s profiles, extensions and conformance resources', () => {
    const profiles = allStructureDefinitions().filter((sd) => sd.type !== 'Extension').map((sd) => sd.id).sort();
    expect(profiles).toEqual(Object.keys(PROFILES).sort());
  });
});

describe('extensions', () => {
  const attachment = ['Attachment', 'DocumentReference.content.attachment'];
  test.each([
    ['ngc-sha256', attachment, 'string'],
    ['ngc-file-size', attachment, 'decimal'],
    ['validation-rule', ['ElementDefinition'], 'Coding'],
  ])('%s on %s holds a %s', (id, contexts, valueType) => {
    const sd = structureDefinition(id);
    expect(sd.type).toBe('Extension');
    expect(sd.context).toEqual(contexts.map((expression) => ({ type: 'element', expression })));
    const value = sd.snapshot?.element.find((e) => e.path === 'Extension.value[x]');
    expect(value?.type?.map((t) => t.code)).toEqual([valueType]);
    expect(value?.min).toBe(1);
  });

  test('ngc-data-file requires both on content.attachment', () => {
    const sd = structureDefinition('ngc-data-file');
    for (const [slice, url] of [['sha256', 'ngc-sha256'], ['fileSize', 'ngc-file-size']]) {
      const element = sd.snapshot?.element.find((e) => e.id === `DocumentReference.content.attachment.extension:${slice}`);
      expect(element).toMatchObject({ min: 1, max: '1' });
      expect(element?.type?.[0].profile).toEqual([`${CANONICAL}/StructureDefinition/${url}`]);
    }
  });
});

describe('code systems', () => {
  test.each(Object.entries(CODE_SYSTEMS))('%s is complete with exactly the standard\'s codes', (id, codes) => {
    const cs = codeSystem(id);
    expect(cs.url).toBe(`${CANONICAL}/CodeSystem/${id}`);
    expect(cs.content).toBe('complete');
    expect(cs.concept?.map((c) => c.code).sort()).toEqual([...codes].sort());
    expect(cs.concept?.every((c) => c.display)).toBe(true);
    // Each NGC code system has a value set of the same id holding all of it.
    expect(valueSet(id).compose?.include).toEqual([{ system: cs.url }]);
  });

  test('ngc-validation-rule lists every rule of the standard, in English with a Danish designation', () => {
    const cs = codeSystem('ngc-validation-rule');
    expect(cs.content).toBe('complete');
    const catalogue = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../profiles/data/validation-rules.json'), 'utf8')) as { id: string; en: string; da: string; severity: string }[];
    expect(cs.concept?.map((c) => c.code)).toEqual(catalogue.map((r) => r.id));
    expect(cs.concept?.map((c) => c.code)).toEqual(expect.arrayContaining(STANDARD_RULES));
    for (const rule of catalogue) {
      const concept = cs.concept?.find((c) => c.code === rule.id);
      expect(concept?.display).toBe(rule.en.replace(/\s+/g, ' ').trim());
      expect(concept?.designation).toEqual([{ language: 'da', value: rule.da.replace(/\s+/g, ' ').trim() }]);
      expect(concept?.property).toEqual(expect.arrayContaining([{ code: 'severity', valueCode: rule.severity }]));
    }
    expect(valueSet('ngc-validation-rule').compose?.include).toEqual([{ system: RULE_SYSTEM }]);
  });
});

describe('value sets', () => {
  test.each(Object.entries(ENUMERATED_VALUE_SETS))('%s holds exactly the standard\'s codes', (id, [system, codes]) => {
    const vs = valueSet(id);
    expect(vs.url).toBe(`${CANONICAL}/ValueSet/${id}`);
    expect(vs.compose?.include).toHaveLength(1);
    expect(vs.compose?.include[0].system).toBe(system);
    expect(vs.compose?.include[0].concept?.map((c) => c.code)).toEqual(codes);
  });

  test('every required binding of an NGC profile points at a value set of the package or of FHIR', () => {
    const ours = new Set(fs.readdirSync(PACKAGE_DIR).filter((f) => f.startsWith('ValueSet-')).map((f) => `${CANONICAL}/ValueSet/${f.slice(9, -5)}`));
    for (const sd of allStructureDefinitions()) {
      for (const element of sd.differential?.element ?? []) {
        const vs = element.binding?.valueSet?.split('|')[0];
        if (vs?.startsWith(CANONICAL)) expect(ours).toContain(vs);
      }
    }
  });
});

describe('rule tags', () => {
  const rules = new Set(codeSystem('ngc-validation-rule').concept?.map((c) => c.code));

  test('every validation-rule extension and every rule-named invariant names a rule of the catalogue', () => {
    let tags = 0;
    for (const sd of allStructureDefinitions()) {
      for (const element of sd.snapshot?.element ?? []) {
        for (const ext of element.extension ?? []) {
          if (ext.url !== RULE_EXTENSION) continue;
          tags += 1;
          expect(ext.valueCoding?.system).toBe(RULE_SYSTEM);
          expect(rules).toContain(ext.valueCoding?.code);
        }
        for (const constraint of element.constraint ?? []) {
          if (/^[A-Z]+-\d{2}$/.test(constraint.key)) expect(rules).toContain(constraint.key);
          if (isNgcKey(constraint.key)) expect(constraint.source).toBe(sd.url);
        }
      }
    }
    expect(tags).toBeGreaterThan(60);
  });

  test('the warning-only rules are warning invariants', () => {
    const severity = (profile: string, key: string) =>
      structureDefinition(profile).snapshot?.element.flatMap((e) => e.constraint ?? []).find((c) => c.key === key)?.severity;
    expect(severity('ngc-patient', 'PAT-05')).toBe('warning');
    expect(severity('ngc-diagnostic-implication', 'DIM-03')).toBe('warning');
    expect(severity('ngc-patient', 'PAT-01')).toBe('error');
  });

  test.each([
    ['ngc-patient', 'Patient.gender', 'PAT-03'],
    ['ngc-organization', 'Organization.name', 'ORG-02'],
    ['ngc-service-request', 'ServiceRequest.intent', 'SRQ-01'],
    ['ngc-specimen', 'Specimen.type', 'SPC-02'],
    ['ngc-genomic-report', 'DiagnosticReport.conclusionCode', 'REP-08'],
    ['ngc-sequencing-analysis', 'Observation.component:analysis-type', 'ANA-01'],
    ['ngc-sequencing-qc', 'Observation.component:mean-coverage', 'QC-01'],
    ['ngc-sequencing-qc', 'Observation.component:mean-coverage.value[x]', 'QC-00'],
    ['ngc-variant', 'Observation.component:genomic-source-class', 'VAR-12'],
    ['ngc-diagnostic-implication', 'Observation.derivedFrom', 'DIM-01'],
    ['ngc-data-file', 'DocumentReference.content.attachment.url', 'FIL-03'],
  ])('%s %s is tagged %s', (profile, elementId, rule) => {
    const element = structureDefinition(profile).snapshot?.element.find((e) => e.id === elementId);
    expect(element?.extension?.find((e) => e.url === RULE_EXTENSION)?.valueCoding?.code).toBe(rule);
  });
});

describe('code lists inside invariants agree with the code systems', () => {
  const invariant = (profile: string, key: string): string =>
    structureDefinition(profile).snapshot?.element.flatMap((e) => e.constraint ?? []).find((c) => c.key === key)?.expression ?? '';
  const quoted = (expression: string, pattern: RegExp): string[] => [...expression.matchAll(pattern)].map((m) => m[1]);

  test('SRQ-03 accepts exactly the codes of ngc-indication', () => {
    const codes = quoted(invariant('ngc-service-request', 'SRQ-03'), /'(R\d\d)'/g);
    expect(codes.sort()).toEqual(codeSystem('ngc-indication').concept?.map((c) => c.code).sort());
  });

  test('ANA-03 and ANA-06 name analysis types that exist', () => {
    const types = new Set(codeSystem('ngc-analysis-type').concept?.map((c) => c.code));
    for (const key of ['ANA-03', 'ANA-06']) {
      const named = quoted(invariant('ngc-sequencing-analysis', key), /'([A-Z][A-Z-]+)'/g);
      expect(named.length).toBeGreaterThan(1);
      for (const code of named) expect(types).toContain(code);
    }
  });

  test('VAR-01 and VAR-09 treat exactly the copy-number change types of ngc-dna-change-type as copy-number variants', () => {
    const changeTypes = valueSet('ngc-dna-change-type').compose?.include[0].concept ?? [];
    const copyNumber = changeTypes.filter((c) => /copy number/.test(c.display ?? '')).map((c) => c.code).sort();
    for (const key of ['VAR-01', 'VAR-09']) {
      expect(quoted(invariant('ngc-variant', key), /'(SO:\d{7})'/g).sort()).toEqual(copyNumber);
    }
  });
});
