/** The rule data shipped with the profiles: complete and consistent with the standard. */
import { loadRuleData } from '../../src/rules';
import { RULE_IDS_CHECKED } from '../../src/rules';

const data = loadRuleData();

const STANDARD_IDS = [
  ...range('SUB', 1, 13), ...range('PAT', 1, 5), ...range('ORG', 1, 2), ...range('SRQ', 1, 5), ...range('SPC', 1, 4),
  ...range('REP', 1, 9), ...range('ANA', 0, 8), ...range('QC', 0, 5), ...range('VAR', 0, 17), ...range('DIM', 0, 4),
  ...range('FIL', 1, 4), ...range('TERM', 1, 2),
];
function range(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${String(from + i).padStart(2, '0')}`);
}

test('the catalogue has every rule id of the standard once, with English, Danish and a fix', () => {
  expect(data.rules.map((r) => r.id)).toEqual(STANDARD_IDS);
  for (const r of data.rules) {
    expect(r.en.length).toBeGreaterThan(10);
    expect(r.da.length).toBeGreaterThan(10);
    expect(r.fix.length).toBeGreaterThan(10);
    expect(r.da).not.toBe(r.en);
  }
});

test('exactly the SHOULD rules are warnings', () => {
  expect(data.rules.filter((r) => r.severity === 'warning').map((r) => r.id)).toEqual(['PAT-03', 'PAT-05', 'DIM-03', 'TERM-01']);
});

test('every rule the module reports is in the catalogue', () => {
  for (const id of RULE_IDS_CHECKED) expect(STANDARD_IDS).toContain(id);
});

test('GRCh38 table 3.1', () => {
  expect(data.grch38.chromosomes).toHaveLength(25);
  expect(data.grch38.chromosomes.find((c) => c.chromosome === '17')).toEqual({ chromosome: '17', accession: 'NC_000017.11', length: 83257441 });
  expect(data.grch38.chromosomes.find((c) => c.chromosome === 'MT')).toEqual({ chromosome: 'MT', accession: 'NC_012920.1', length: 16569 });
  expect(new Set(data.grch38.chromosomes.map((c) => c.accession)).size).toBe(25);
});

test('QC thresholds of section 2.7', () => {
  const t = (type: string, column: 'germline' | 'tumour', rule: string) => data.qc.analysisTypes[type][column].find((c) => c.rule === rule);
  expect(t('WGS', 'germline', 'QC-01')).toMatchObject({ comparator: '>=', threshold: 30, unit: '1', required: true });
  expect(t('WGS', 'tumour', 'QC-01')).toMatchObject({ threshold: 90 });
  expect(t('WES', 'germline', 'QC-01')).toMatchObject({ threshold: 100 });
  expect(t('PANEL', 'tumour', 'QC-01')).toMatchObject({ threshold: 200 });
  expect(t('WGS', 'germline', 'QC-02')).toMatchObject({ threshold: 90, unit: '%' });
  expect(t('WGS', 'tumour', 'QC-02')).toMatchObject({ threshold: 95 });
  expect(t('PANEL', 'germline', 'QC-02')).toMatchObject({ threshold: 98 });
  expect(t('WES', 'tumour', 'QC-03')).toMatchObject({ comparator: '>=', threshold: 80 });
  expect(t('PANEL', 'germline', 'QC-04')).toMatchObject({ comparator: '<=', threshold: 2 });
  expect(t('WGS', 'germline', 'QC-05')).toMatchObject({ required: true });
  expect(t('WES', 'germline', 'QC-05')).toMatchObject({ required: true });
  expect(t('PANEL', 'germline', 'QC-05')).toMatchObject({ required: false });
  for (const type of ['ACGH', 'SNP-ARRAY', 'RNASEQ', 'LRS']) {
    for (const column of ['germline', 'tumour'] as const) {
      expect(data.qc.analysisTypes[type][column].filter((c) => c.required || c.kind === 'quantity')).toEqual([]);
    }
  }
});

test('every HGVS change kind maps to SO codes the standard lists', () => {
  const listed = ['SO:0001483', 'SO:0000159', 'SO:0000667', 'SO:1000032', 'SO:1000035', 'SO:1000036', 'SO:0001019', 'SO:0001742', 'SO:0001743'];
  for (const codes of Object.values(data.changeTypes.kinds)) for (const c of codes) expect(listed).toContain(c);
  expect(data.changeTypes.kinds.substitution).toEqual(['SO:0001483']);
});

test('thresholds and tables are read from the data folder, not from code', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const path = require('node:path') as typeof import('node:path');
  const { createSubmissionRules, DEFAULT_DATA_DIR } = require('../../src/rules') as typeof import('../../src/rules');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-rule-data-'));
  try {
    for (const f of fs.readdirSync(DEFAULT_DATA_DIR)) fs.copyFileSync(path.join(DEFAULT_DATA_DIR, f), path.join(dir, f));
    const qc = JSON.parse(fs.readFileSync(path.join(dir, 'qc-thresholds.json'), 'utf8'));
    qc.analysisTypes.WGS.germline.find((c: { rule: string }) => c.rule === 'QC-01').threshold = 40;
    fs.writeFileSync(path.join(dir, 'qc-thresholds.json'), JSON.stringify(qc));
    const bundle = JSON.parse(fs.readFileSync(path.join(__dirname, '../../implementation-guide/examples/valid/wgs-germline-positive.json'), 'utf8'));
    const now = new Date('2026-01-15T12:00:00Z');
    expect(createSubmissionRules().check(bundle, { now })).toEqual([]);
    const issues = createSubmissionRules({ dataDir: dir }).check(bundle, { now });
    expect(issues.map((i) => [i.rule?.id, i.expression])).toEqual([['QC-01', 'Bundle.entry[7].resource.component[0].valueQuantity.value']]);
    expect(issues[0].diagnostics).toContain('>= 40');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
