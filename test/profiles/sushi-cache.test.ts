/**
 * The offline FHIR package cache SUSHI builds from: FHIR 4.0.1 only (none of Medplum's own
 * definitions), plus the pinned stand-ins for the packages SUSHI loads automatically.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STUB_PACKAGES, prepareSushiCache } from '../../scripts/prepare-sushi-cache';
import { PROFILES_DIR } from '../../scripts/build-profiles';

jest.setTimeout(120_000);

let home: string;
let packages: string;
beforeAll(() => {
  home = prepareSushiCache(fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-fhir-home-')));
  packages = path.join(home, '.fhir', 'packages');
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

test('hl7.fhir.r4.core#4.0.1 holds the FHIR 4.0.1 definitions and nothing of Medplum', () => {
  const dir = path.join(packages, 'hl7.fhir.r4.core#4.0.1', 'package');
  expect(readJson(path.join(dir, 'package.json'))).toMatchObject({ name: 'hl7.fhir.r4.core', version: '4.0.1', fhirVersions: ['4.0.1'] });
  const files = fs.readdirSync(dir);
  for (const expected of ['StructureDefinition-Observation.json', 'StructureDefinition-Quantity.json', 'ValueSet-observation-status.json', 'CodeSystem-v2-0074.json']) {
    expect(files).toContain(expected);
  }
  // Medplum's own resource types and the R4B SubscriptionStatus it adds must not leak into R4.
  for (const absent of ['StructureDefinition-Bot.json', 'StructureDefinition-Project.json', 'StructureDefinition-SubscriptionStatus.json']) {
    expect(files).not.toContain(absent);
  }
  for (const file of files.filter((f) => f.startsWith('StructureDefinition-'))) {
    const sd = readJson(path.join(dir, file));
    expect([sd.fhirVersion, sd.url.startsWith('http://hl7.org/fhir/')]).toEqual(['4.0.1', true]);
  }
  const leaking = files.filter((f) => f !== 'package.json' && f.endsWith('.json') && fs.readFileSync(path.join(dir, f), 'utf8').includes('medplum.com'));
  expect(leaking).toEqual([]);
  // AuditEvent.source.observer keeps exactly R4's targets once Medplum's additions are removed.
  const auditEvent = readJson(path.join(dir, 'StructureDefinition-AuditEvent.json'));
  const observer = auditEvent.snapshot.element.find((e: { id: string }) => e.id === 'AuditEvent.source.observer');
  expect(observer.type[0].targetProfile.map((u: string) => u.split('/').pop())).toEqual(['PractitionerRole', 'Practitioner', 'Organization', 'Device', 'Patient', 'RelatedPerson']);
});

test('the stand-in packages are empty and pinned in sushi-config.yaml', () => {
  const config = fs.readFileSync(path.join(PROFILES_DIR, 'sushi-config.yaml'), 'utf8');
  for (const stub of STUB_PACKAGES) {
    const dir = path.join(packages, `${stub.name}#${stub.version}`, 'package');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual(['package.json']);
    expect(config).toContain(`  ${stub.name}: ${stub.version}\n`);
  }
});

test('preparing again reuses the cache', () => {
  const marker = path.join(packages, 'hl7.fhir.r4.core#4.0.1', 'package', 'package.json');
  const before = fs.statSync(marker).mtimeMs;
  prepareSushiCache(home);
  expect(fs.statSync(marker).mtimeMs).toBe(before);
});
