/**
 * The guide generator over the real NGC package, rule catalogue and examples: every artifact gets
 * its page, the profile tables carry what the snapshot says, and the output is reproducible.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConformancePackage } from '../../src/ig';
import { buildSite, createLinker, snapshotTable, type BuildSiteResult } from '../../src/ig/site';
import { createSubmissionValidator } from '../../src/submission';

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_DIR = path.join(ROOT, 'profiles', 'package');
const RULES = JSON.parse(fs.readFileSync(path.join(ROOT, 'profiles', 'data', 'validation-rules.json'), 'utf8')) as Array<{ id: string; en: string; da: string }>;
const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'implementation-guide', 'examples', 'manifest.json'), 'utf8')) as { examples: Array<{ file: string; rule?: string }> };

let tmp: string;
let out: string;
let result: BuildSiteResult;
const read = (name: string): string => fs.readFileSync(path.join(out, name), 'utf8');

/** The table row of one element (rows carry the element id as their HTML id). */
function row(htmlText: string, elementId: string): string {
  const start = htmlText.indexOf(`<tr id="${elementId}"`);
  expect(start).toBeGreaterThan(-1);
  return htmlText.slice(start, htmlText.indexOf('</tr>', start));
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-ig-'));
  out = path.join(tmp, 'site');
  result = buildSite({ outDir: out });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('every StructureDefinition, ValueSet and CodeSystem of the package gets its page', () => {
  const pkg = loadConformancePackage(PACKAGE_DIR);
  expect(pkg.structureDefinitions.length).toBeGreaterThanOrEqual(10);
  for (const r of pkg.resources) {
    const page = read(`${r.resourceType}-${r.id}.html`);
    expect(page).toContain(`<code>${r.url}</code>`);
  }
  const index = read('artifacts.html');
  for (const r of pkg.resources) expect(index).toContain(`href="${r.resourceType}-${r.id}.html"`);
  expect(result.profiles + 3).toBe(pkg.structureDefinitions.length);
});

test('the variant profile table shows cardinality, binding, fixed values, must-support and rule links', () => {
  const page = read('StructureDefinition-ngc-variant.html');
  // Alignment statement from the description.
  expect(page).toContain('Genomics Reporting STU3');
  const code = row(page, 'Observation.code');
  expect(code).toContain('<td class="card">1..1</td>');
  expect(code).toMatch(/<span class="label">(pattern|fixed)<\/span> <code>http:\/\/loinc.org#69548-6/);
  expect(code).toContain('<span title="must support">S</span>');
  expect(code).toContain('href="rules.html#VAR-00"');
  const value = row(page, 'Observation.value[x]');
  expect(value).toMatch(/strength-required">required<\/span> <a href="ValueSet-ngc-variant-presence.html"/);
  const gene = row(page, 'Observation.component:gene-studied');
  expect(gene).toContain('href="rules.html#VAR-01"');
  expect(gene).toContain('slice');
  const subject = row(page, 'Observation.subject');
  expect(subject).toContain('<code>Reference</code> → <a href="StructureDefinition-ngc-patient.html"');
});

test('the patient profile shows the fixed CPR system and its invariants', () => {
  const page = read('StructureDefinition-ngc-patient.html');
  expect(row(page, 'Patient.identifier:cpr.system')).toContain('<span class="label">fixed</span> <code>urn:oid:1.2.208.176.1.2</code>');
  expect(row(page, 'Patient.identifier')).toContain('<td class="card">1..1</td>');
  expect(page).toContain('DK Core');
  expect(page).toContain('id="invariants"');
});

test('value set and code system pages list codes and displays', () => {
  const vs = read('ValueSet-ngc-specimen-type.html');
  expect(vs).toContain('<code>119297000</code></td><td>Blood specimen</td>');
  expect(vs).toContain('http://snomed.info/sct');
  const cs = read('CodeSystem-ngc-analysis-type.html');
  expect(cs).toContain('<code>WGS</code></td><td>Whole genome sequencing</td>');
});

test('the rule catalogue has every rule in English and Danish, with a breaking example and the fix', () => {
  const page = read('rules.html');
  for (const r of RULES) {
    expect(page).toContain(`<section class="rule" id="${r.id}"`);
  }
  const section = page.slice(page.indexOf('id="VAR-07"'), page.indexOf('</section>', page.indexOf('id="VAR-07"')));
  expect(section).toContain('GRCh38-kromosomaccession');
  expect(section).toContain('href="example-invalid-VAR-07.html"');
  expect(section).toContain('How to fix');
  // VAR-07 is a business rule; VAR-01 is also said in the profile, and the catalogue says where.
  const var01 = page.slice(page.indexOf('id="VAR-01"'), page.indexOf('</section>', page.indexOf('id="VAR-01"')));
  expect(var01).toContain('Where in the profiles');
  expect(var01).toContain('StructureDefinition-ngc-variant.html');
  // Every rule that has a breaking example in the manifest links to it.
  for (const e of MANIFEST.examples.filter((x) => x.rule)) {
    const s = page.slice(page.indexOf(`id="${e.rule}"`), page.indexOf('</section>', page.indexOf(`id="${e.rule}"`)));
    expect(s).toContain(e.file);
  }
});

test('every example has a page with pretty-printed JSON and its verdict', () => {
  for (const e of MANIFEST.examples) {
    const name = `example-${e.file.replace(/\.json$/, '').replace(/[^A-Za-z0-9-]+/g, '-')}.html`;
    const page = read(name);
    expect(page).toMatch(/verdict-(accepted|rejected)/);
    expect(fs.existsSync(path.join(out, 'examples', e.file))).toBe(true);
  }
  const valid = read('example-valid-wgs-germline-positive.html');
  expect(valid).toContain('&quot;resourceType&quot;: &quot;Bundle&quot;');
  expect(valid).toContain('verdict-accepted');
});

test('Markdown pages are rendered with the menu, and HTML in data is escaped', () => {
  for (const f of ['index.html', 'submitting.html', 'validator.html', 'changes.html', 'validate.html']) {
    const page = read(f);
    expect(page).toContain('<nav aria-label="Guide">');
    expect(page).toContain(`href="${f}" aria-current="page"`);
  }
  const submitting = read('submitting.html');
  for (const code of ['202', '200', '400', '401', '403', '409', '413', '415', '422', '429']) expect(submitting).toMatch(new RegExp(`<h3 id="${code}-`));
  expect(read('validate.html')).toContain('Test data only');
  expect(read('validate.html')).toContain('<script src="validate.js"></script>');
  // No page carries an unescaped script other than the site's own.
  for (const f of result.files.filter((n) => n.endsWith('.html'))) {
    const page = read(f);
    expect(page.match(/<script\b/g)?.length ?? 0).toBeLessThanOrEqual(1);
  }
});

test('package.tgz unpacks to package/package.json and every package file', () => {
  const unpack = path.join(tmp, 'unpacked');
  fs.mkdirSync(unpack);
  execFileSync('tar', ['-xzf', path.join(out, 'package.tgz'), '-C', unpack]);
  const manifest = JSON.parse(fs.readFileSync(path.join(unpack, 'package', 'package.json'), 'utf8'));
  expect(manifest.name).toBe('dk.ngc.fhir.genomics');
  for (const f of fs.readdirSync(PACKAGE_DIR)) {
    expect(fs.readFileSync(path.join(unpack, 'package', f)).equals(fs.readFileSync(path.join(PACKAGE_DIR, f)))).toBe(true);
  }
  const index = JSON.parse(fs.readFileSync(path.join(unpack, 'package', '.index.json'), 'utf8'));
  expect(index.files.find((x: { id: string }) => x.id === 'ngc-variant').url).toBe('http://ngc.dk/fhir/genomics/StructureDefinition/ngc-variant');
});

test('the output is deterministic: a second build writes identical bytes', () => {
  const again = path.join(tmp, 'again');
  const second = buildSite({ outDir: again });
  expect(second.files).toEqual(result.files);
  for (const f of result.files) expect(fs.readFileSync(path.join(again, f)).equals(fs.readFileSync(path.join(out, f)))).toBe(true);
});

test('the table renderer also works on a third-party package (Genomics Reporting STU2)', () => {
  const stu2 = loadConformancePackage('/work/shared/fhir-packages/hl7.fhir.uv.genomics-reporting#2.0.0/package');
  const variant = stu2.structureDefinitions.find((sd) => sd.id === 'variant')!;
  const table = snapshotTable(variant, createLinker(stu2.resources)).html;
  expect(table).toContain('<tr id="Observation.code"');
  expect(table).toMatch(/<tr id="Observation.component:gene-studied"/);
  expect(table).toContain('href="ValueSet-');
});

test('with the real validator, example pages show its answer and it agrees with the manifest', () => {
  const validator = createSubmissionValidator();
  const judged = path.join(tmp, 'judged');
  const r = buildSite({ outDir: judged, judge: (body, now) => validator.validateBytes(body, now) });
  expect(r.verdictMismatches).toEqual([]);
  const broken = fs.readFileSync(path.join(judged, 'example-invalid-VAR-07.html'), 'utf8');
  const section = broken.slice(broken.indexOf('id="outcome"'), broken.indexOf('id="bundle"'));
  expect(section).toContain('<a class="rule" href="rules.html#VAR-07">VAR-07</a>');
  expect(section).toContain('NC_000017.10');
  const valid = fs.readFileSync(path.join(judged, 'example-valid-wes-negative.html'), 'utf8');
  expect(valid).toMatch(/when this guide was built:\s+0 error\(s\)/);
}, 120_000);
