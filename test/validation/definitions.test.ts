import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConformance, PackageLoadError } from '../../src/validation/definitions';

const STU2 = path.resolve(__dirname, '../../../shared/fhir-packages/hl7.fhir.uv.genomics-reporting#2.0.0');
const GENOMICS = 'http://hl7.org/fhir/uv/genomics-reporting';

function tmpPackage(name: string, version: string, resources: object[], layout: 'cache' | 'bare' | 'tgz'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-pkg-'));
  const root = layout === 'bare' ? dir : path.join(dir, 'package');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name, version, fhirVersions: ['4.0.1'] }));
  resources.forEach((r, i) => fs.writeFileSync(path.join(root, `R-${i}.json`), JSON.stringify(r)));
  fs.mkdirSync(path.join(root, 'example'));
  fs.writeFileSync(path.join(root, 'example', 'ValueSet-ex.json'), JSON.stringify({ resourceType: 'ValueSet', url: 'http://example.org/ValueSet/example-only' }));
  if (layout !== 'tgz') return dir;
  const tgz = path.join(dir, `${name}-${version}.tgz`);
  execFileSync('tar', ['czf', tgz, '-C', dir, 'package']);
  return tgz;
}

describe('base R4 definitions', () => {
  const store = loadConformance({ includeExtensionsPack: false, includeNgc: false });

  it('knows the FHIR 4.0.1 resource types and none of Medplum\'s own', () => {
    expect(store.isResourceType('Observation')).toBe(true);
    expect(store.isResourceType('Bundle')).toBe(true);
    for (const medplum of ['Project', 'Bot', 'ClientApplication', 'ProjectMembership', 'User', 'SubscriptionStatus']) {
      expect(store.isResourceType(medplum)).toBe(false);
      expect(store.typeDefinition(medplum)).toBeUndefined();
    }
    expect(store.isResourceType('Resource')).toBe(false);
    expect(store.allStructureDefinitions().every((sd) => sd.fhirVersion === '4.0.1')).toBe(true);
    expect(store.allStructureDefinitions().some((sd) => /medplum/i.test(sd.url))).toBe(false);
  });

  it('gives base types and resources by name, with snapshots', () => {
    const obs = store.typeDefinition('Observation');
    expect(obs?.url).toBe('http://hl7.org/fhir/StructureDefinition/Observation');
    expect(obs?.snapshot?.element[0].path).toBe('Observation');
    expect(store.typeDefinition('CodeableConcept')?.kind).toBe('complex-type');
    expect(store.typeDefinition('dateTime')?.kind).toBe('primitive-type');
    expect(store.typeDefinition('Resource')?.abstract).toBe(true);
    // A constraint profile is not a type.
    expect(store.typeDefinition('SimpleQuantity')).toBeUndefined();
    expect(store.structureDefinition('http://hl7.org/fhir/StructureDefinition/SimpleQuantity')?.derivation).toBe('constraint');
    expect(store.structureDefinition('http://hl7.org/fhir/StructureDefinition/vitalsigns')).toBeDefined();
  });

  it('indexes value sets and code systems, with or without a version', () => {
    expect(store.valueSet('http://hl7.org/fhir/ValueSet/observation-status')?.version).toBe('4.0.1');
    expect(store.valueSet('http://hl7.org/fhir/ValueSet/observation-status|4.0.1')).toBeDefined();
    expect(store.codeSystem('http://terminology.hl7.org/CodeSystem/v3-ActCode')).toBeDefined();
    expect(store.codeSystem('http://terminology.hl7.org/CodeSystem/v2-0203')).toBeDefined();
    expect(store.valueSet('http://hl7.org/fhir/ValueSet/no-such-thing')).toBeUndefined();
    // Medplum slips R5 terminology into its R4 files; 4.0.1 never had a 5.0.0 value set.
    expect(store.allValueSets().some((vs) => vs.version === '5.0.0')).toBe(false);
    expect(store.allValueSets().some((vs) => /medplum/i.test(vs.url ?? ''))).toBe(false);
  });
});

describe('FHIR packages', () => {
  it('loads the Extensions Pack by default and the STU2 package folder', () => {
    const store = loadConformance({ packages: [STU2], includeNgc: false });
    expect(store.packages.map((p) => `${p.name}#${p.version}`)).toEqual([
      'hl7.fhir.r4.core#4.0.1',
      'hl7.fhir.uv.extensions.r4#5.2.0',
      'hl7.fhir.uv.genomics-reporting#2.0.0',
    ]);
    const variant = store.structureDefinition(`${GENOMICS}/StructureDefinition/variant`);
    expect(variant?.type).toBe('Observation');
    expect(variant?.snapshot?.element.length).toBeGreaterThan(100);
    expect(store.valueSet(`${GENOMICS}/ValueSet/dna-change-type-vs`)).toBeDefined();
    expect(store.codeSystem(`${GENOMICS}/CodeSystem/tbd-codes-cs`)).toBeDefined();
    // Extensions Pack only (not in the R4 core files).
    expect(store.structureDefinition('http://hl7.org/fhir/StructureDefinition/artifact-author')?.type).toBe('Extension');
    // Examples are never loaded as definitions.
    expect(store.allStructureDefinitions().some((sd) => sd.url?.includes('/example'))).toBe(false);
  });

  it('does not load the Extensions Pack when asked not to', () => {
    const store = loadConformance({ includeExtensionsPack: false, includeNgc: false });
    expect(store.structureDefinition('http://hl7.org/fhir/StructureDefinition/artifact-author')).toBeUndefined();
  });

  it.each(['cache', 'bare', 'tgz'] as const)('reads the %s layout and skips example/', (layout) => {
    const vs = { resourceType: 'ValueSet', url: 'http://example.org/ValueSet/x', version: '1.0.0', status: 'active', compose: { include: [{ system: 'http://example.org/cs', concept: [{ code: 'a' }] }] } };
    const loc = tmpPackage('example.pkg', '1.0.0', [vs, { resourceType: 'Patient', id: 'not-a-definition' }], layout);
    const store = loadConformance({ packages: [loc], includeExtensionsPack: false, includeNgc: false });
    expect(store.packages[1]).toEqual({ name: 'example.pkg', version: '1.0.0', source: loc });
    expect(store.valueSet('http://example.org/ValueSet/x|1.0.0')?.status).toBe('active');
    expect(store.valueSet('http://example.org/ValueSet/example-only')).toBeUndefined();
  });

  it('reads definitions a stale .index.json does not list, and skips what it lists as other types', () => {
    const vs = { resourceType: 'ValueSet', url: 'http://example.org/ValueSet/unlisted', status: 'active' };
    const dir = tmpPackage('indexed', '1.0.0', [vs, { resourceType: 'ValueSet', url: 'http://example.org/ValueSet/listed-as-patient' }], 'bare');
    fs.writeFileSync(path.join(dir, '.index.json'), JSON.stringify({ 'index-version': 2, files: [{ filename: 'R-1.json', resourceType: 'Patient' }] }));
    const store = loadConformance({ packages: [dir], includeExtensionsPack: false, includeNgc: false });
    expect(store.valueSet('http://example.org/ValueSet/unlisted')).toBeDefined();
    expect(store.valueSet('http://example.org/ValueSet/listed-as-patient')).toBeUndefined();
  });

  it('overrides only the same url and version; otherwise the first one loaded answers', () => {
    const v1 = { resourceType: 'ValueSet', url: 'http://example.org/ValueSet/v', version: '1', title: 'first' };
    const v1b = { ...v1, title: 'replacement' };
    const v2 = { ...v1, version: '2', title: 'second version' };
    const a = tmpPackage('a', '1.0.0', [v1], 'bare');
    const b = tmpPackage('b', '1.0.0', [v2, v1b], 'bare');
    const store = loadConformance({ packages: [a, b], includeExtensionsPack: false, includeNgc: false });
    expect(store.valueSet('http://example.org/ValueSet/v')?.title).toBe('replacement');
    expect(store.valueSet('http://example.org/ValueSet/v|1')?.title).toBe('replacement');
    expect(store.valueSet('http://example.org/ValueSet/v|2')?.title).toBe('second version');
    expect(store.allValueSets().filter((x) => x.url === 'http://example.org/ValueSet/v')).toHaveLength(2);
  });

  it('refuses what is not a package, with a reason', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-notpkg-'));
    expect(() => loadConformance({ packages: [empty] })).toThrow(PackageLoadError);
    expect(() => loadConformance({ packages: [path.join(empty, 'missing')] })).toThrow(/no such file or folder/);
    const junk = path.join(empty, 'junk.tgz');
    fs.writeFileSync(junk, 'not an archive');
    expect(() => loadConformance({ packages: [junk] })).toThrow(/not a FHIR package|cannot read/);
  });
});

describe('definitions cache', () => {
  it('reads back the same definitions as parsing the sources, and works without a cache', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-defcache-'));
    const script = `
      const { loadConformance } = require('./src/validation/definitions');
      const s = loadConformance({ includeNgc: false });
      const obs = s.typeDefinition('Observation');
      console.log(JSON.stringify([s.allStructureDefinitions().length, s.allValueSets().length, obs.snapshot.element.length, obs.text === undefined]));`;
    const run = (cache: string) =>
      execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, NGC_DEFINITIONS_CACHE: cache },
        encoding: 'utf8',
      }).trim();
    const fresh = run('off');
    const building = run(dir);
    expect(fs.readdirSync(dir).sort()).toEqual(['package-hl7.fhir.uv.extensions.r4-5.2.0.tgz.json', 'r4-structure-definitions.json', 'r4-terminology.json']);
    // ASCII only (non-ASCII escaped): read back as one-byte strings, half the memory of two-byte ones
    for (const f of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, f)).every((byte) => byte < 0x80)).toBe(true);
    const fromCache = run(dir);
    expect(building).toBe(fresh);
    expect(fromCache).toBe(fresh);
    expect(JSON.parse(fresh)[3]).toBe(true);
    // A corrupt cache file is ignored, not fatal.
    fs.writeFileSync(path.join(dir, 'r4-structure-definitions.json'), 'garbage');
    expect(run(dir)).toBe(fresh);
  }, 120_000);
});
