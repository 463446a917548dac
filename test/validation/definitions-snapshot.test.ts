import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ElementDefinition, StructureDefinition } from 'fhir/r4';
import { loadConformance } from '../../src/validation/definitions';
import { generateSnapshot } from '../../src/validation/definitions/snapshot';

const STU2_DIR = path.resolve(__dirname, '../../../shared/fhir-packages/hl7.fhir.uv.genomics-reporting#2.0.0/package');
const store = loadConformance({ includeNgc: false });

/** What a validator depends on in an element, without the constraint list (see below). */
function essentials(e: ElementDefinition): string {
  const out: Record<string, unknown> = {
    min: e.min,
    max: e.max,
    sliceName: e.sliceName,
    type: (e.type ?? []).map((t) => [t.code, t.profile, t.targetProfile]),
    binding: e.binding && [e.binding.strength, e.binding.valueSet],
    slicing: e.slicing && !/xtension$/.test(e.id!) ? [e.slicing.discriminator, e.slicing.rules ?? 'open'] : undefined,
  };
  for (const [k, v] of Object.entries(e)) if (/^(fixed|pattern)/.test(k)) out[k] = v;
  return JSON.stringify(out);
}

describe('snapshot generation on the STU2 profiles with their snapshots stripped', () => {
  const published: StructureDefinition[] = fs
    .readdirSync(STU2_DIR)
    .filter((f) => f.startsWith('StructureDefinition-'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(STU2_DIR, f), 'utf8')));
  const stripped = new Map(published.map((sd) => [sd.url, { ...sd, snapshot: undefined } as StructureDefinition]));
  const resolve = (url: string) => stripped.get(url.split('|')[0]) ?? store.structureDefinition(url);

  it.each(published.map((sd) => [sd.id!, sd] as const))('%s: same elements, cardinalities, types, values, bindings and slicing', (_id, sd) => {
    const generated = generateSnapshot(stripped.get(sd.url)!, resolve);
    const expected = sd.snapshot!.element;
    expect(generated.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(generated.map((e) => e.path)).toEqual(expected.map((e) => e.path));
    expect(generated.map(essentials)).toEqual(expected.map(essentials));
    // Constraint keys are not compared: the published snapshots were built on a newer base in
    // which the IG publisher copies datatype constraints onto elements (ref-1 on every Reference,
    // sqty-1 on SimpleQuantity elements) and drops ele-1 on contentReference elements
    // (component.referenceRange); our base is the R4 core snapshot as HL7 published it in 4.0.1.
    // What the differential adds must be there:
    for (const d of sd.differential!.element) {
      const last = d.id!.split('.').pop()!;
      const g = generated.find((e) => e.id === d.id || e.id!.endsWith(`[x]:${last}`));
      for (const c of d.constraint ?? []) expect(g?.constraint?.map((x) => x.key)).toContain(c.key);
    }
  });

  it('gives differential-only definitions of a loaded package a snapshot, without touching the originals', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-diffonly-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'diff.only', version: '0.0.1' }));
    for (const sd of published) fs.writeFileSync(path.join(dir, `StructureDefinition-${sd.id}.json`), JSON.stringify({ ...sd, snapshot: undefined }));
    const loaded = loadConformance({ packages: [dir], includeNgc: false, includeExtensionsPack: false });
    const variant = published.find((sd) => sd.id === 'variant')!;
    const generated = loaded.structureDefinition(variant.url);
    expect(generated?.snapshot?.element.map((e) => e.id)).toEqual(variant.snapshot!.element.map((e) => e.id));
    expect(loaded.allStructureDefinitions().every((sd) => sd.snapshot?.element.length)).toBe(true);
  });
});

describe('snapshot generation on the NGC profiles (SUSHI --snapshot output in profiles/package)', () => {
  const dir = path.resolve(__dirname, '../../profiles/package');
  const ngc: StructureDefinition[] = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('StructureDefinition-'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  const stripped = new Map(ngc.map((sd) => [sd.url, { ...sd, snapshot: undefined } as StructureDefinition]));
  const resolve = (url: string) => stripped.get(url.split('|')[0]) ?? store.structureDefinition(url);

  it('has profiles to compare', () => expect(ngc.length).toBeGreaterThan(5));

  it.each(ngc.map((sd) => [sd.id!, sd] as const))('%s: the same snapshot as SUSHI generates', (_id, sd) => {
    const generated = generateSnapshot(stripped.get(sd.url)!, resolve);
    expect(generated.map((e) => e.id)).toEqual(sd.snapshot!.element.map((e) => e.id));
    expect(generated.map(essentials)).toEqual(sd.snapshot!.element.map(essentials));
  });
});

describe('snapshot generation from hand-written differentials', () => {
  const extensionProfile: StructureDefinition = {
    resourceType: 'StructureDefinition',
    url: 'http://example.org/StructureDefinition/ext-a',
    name: 'ExtA',
    status: 'active',
    kind: 'complex-type',
    abstract: false,
    type: 'Extension',
    context: [{ type: 'element', expression: 'Observation' }],
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Extension',
    derivation: 'constraint',
    differential: {
      element: [
        { id: 'Extension', path: 'Extension', max: '1' },
        { id: 'Extension.extension', path: 'Extension.extension', max: '0' },
        { id: 'Extension.url', path: 'Extension.url', fixedUri: 'http://example.org/StructureDefinition/ext-a' },
        { id: 'Extension.value[x]', path: 'Extension.value[x]', type: [{ code: 'Coding' }], binding: { strength: 'required', valueSet: 'http://hl7.org/fhir/ValueSet/observation-status' } },
      ],
    },
  };
  const profile: StructureDefinition = {
    resourceType: 'StructureDefinition',
    url: 'http://example.org/StructureDefinition/obs',
    name: 'Obs',
    status: 'active',
    kind: 'resource',
    abstract: false,
    type: 'Observation',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Observation',
    derivation: 'constraint',
    differential: {
      // No ids, as older tools wrote differentials.
      element: [
        { path: 'Observation.extension', slicing: { discriminator: [{ type: 'value', path: 'url' }], rules: 'open' } },
        { path: 'Observation.extension', sliceName: 'a', min: 1, max: '1', type: [{ code: 'Extension', profile: ['http://example.org/StructureDefinition/ext-a'] }] },
        { path: 'Observation.extension.valueCoding', min: 1 } as ElementDefinition,
        { path: 'Observation.code.coding', min: 1, patternCoding: { system: 'http://loinc.org' } } as ElementDefinition,
        { path: 'Observation.valueQuantity', constraint: [{ key: 'obs-x', severity: 'error', human: 'a unit', expression: 'unit.exists()' }] },
        { path: 'Observation.valueQuantity.unit', min: 1 },
        { path: 'Observation.component', slicing: { discriminator: [{ type: 'pattern', path: 'code' }], rules: 'closed' } },
        { path: 'Observation.component', sliceName: 'gene', max: '1' },
        { path: 'Observation.component.code', patternCodeableConcept: { coding: [{ system: 'http://loinc.org', code: '48018-6' }] } } as ElementDefinition,
      ],
    },
  };
  const defs = new Map([extensionProfile, profile].map((sd) => [sd.url, sd]));
  const resolve = (url: string) => defs.get(url) ?? store.structureDefinition(url);
  const elements = generateSnapshot(profile, resolve);
  const byId = (id: string) => elements.find((e) => e.id === id);

  it('builds the extension profile on Extension', () => {
    const ext = generateSnapshot(extensionProfile, resolve);
    expect(ext.find((e) => e.id === 'Extension.url')?.fixedUri).toBe('http://example.org/StructureDefinition/ext-a');
    expect(ext.find((e) => e.id === 'Extension.extension')?.max).toBe('0');
    expect(ext.find((e) => e.id === 'Extension.value[x]')?.type).toEqual([{ code: 'Coding' }]);
  });

  it('inserts a slice with its own children taken from the type profile', () => {
    const slice = byId('Observation.extension:a');
    expect(slice).toMatchObject({ sliceName: 'a', min: 1, max: '1' });
    expect(slice?.slicing).toBeUndefined();
    expect(byId('Observation.extension')?.slicing?.rules).toBe('open');
    // Children of the slice come from ext-a's snapshot, re-rooted.
    expect(byId('Observation.extension:a.url')?.fixedUri).toBe('http://example.org/StructureDefinition/ext-a');
    expect(byId('Observation.extension:a.url')?.path).toBe('Observation.extension.url');
    expect(byId('Observation.extension:a.value[x]:valueCoding')?.min).toBe(1);
  });

  it('expands a datatype when the differential constrains below it', () => {
    const ids = elements.map((e) => e.id);
    const code = ids.indexOf('Observation.code');
    expect(ids.slice(code + 1, code + 4)).toEqual(['Observation.code.id', 'Observation.code.extension', 'Observation.code.coding']);
    expect(byId('Observation.code.coding')).toMatchObject({ min: 1, patternCoding: { system: 'http://loinc.org' } });
    expect(byId('Observation.code.text')?.type?.[0].code).toBe('string');
  });

  it('turns a renamed choice into a type slice with a narrowed type and appended constraints', () => {
    const slice = byId('Observation.value[x]:valueQuantity');
    expect(slice?.type?.map((t) => t.code)).toEqual(['Quantity']);
    expect(slice?.constraint?.map((c) => c.key)).toEqual(['ele-1', 'obs-x']);
    expect(byId('Observation.value[x]')?.slicing?.discriminator).toEqual([{ type: 'type', path: '$this' }]);
    expect(byId('Observation.value[x]:valueQuantity.unit')?.min).toBe(1);
  });

  it('places a new slice after the sliced element\'s children, with copies of them', () => {
    const ids = elements.map((e) => e.id!);
    const slice = ids.indexOf('Observation.component:gene');
    expect(slice).toBeGreaterThan(ids.indexOf('Observation.component.referenceRange'));
    expect(byId('Observation.component:gene.code')?.patternCodeableConcept?.coding?.[0].code).toBe('48018-6');
    expect(byId('Observation.component.code')?.patternCodeableConcept).toBeUndefined();
    expect(byId('Observation.component')?.slicing?.rules).toBe('closed');
  });

  it('refuses a differential element that matches nothing', () => {
    const bad = { ...profile, url: 'http://example.org/bad', differential: { element: [{ id: 'Observation.nonsense', path: 'Observation.nonsense' }] } };
    expect(() => generateSnapshot(bad, resolve)).toThrow(/Observation.nonsense/);
  });
});
