/**
 * The NGC FHIR package as the guide and the conformance routes see it: the JSON files of a package
 * folder (profiles/package), read once. No validation here: the engine's loader does that.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const NGC_CANONICAL = 'http://ngc.dk/fhir/genomics';
export const RULE_EXTENSION_URL = `${NGC_CANONICAL}/StructureDefinition/validation-rule`;

/** Where the repository keeps things, from src/ig (or dist/ig after a build). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_PACKAGE_DIR = path.join(REPO_ROOT, 'profiles', 'package');
export const DEFAULT_SITE_DIR = path.join(REPO_ROOT, 'implementation-guide', 'site');

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface PackageFile {
  /** File name inside the package folder, e.g. `StructureDefinition-ngc-variant.json`. */
  name: string;
  bytes: Buffer;
  /** Parsed content, for .json files. */
  json?: Json;
}

export interface ConformancePackage {
  dir: string;
  manifest: Json;
  files: PackageFile[];
  structureDefinitions: Json[];
  valueSets: Json[];
  codeSystems: Json[];
  /** Every resource with a resourceType (excluding package.json), sorted by type and id. */
  resources: Json[];
}

export function loadConformancePackage(dir: string = DEFAULT_PACKAGE_DIR): ConformancePackage {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name)
    .sort();
  if (!names.includes('package.json')) throw new Error(`${dir} is not a FHIR package folder: it has no package.json`);
  const files: PackageFile[] = names.map((name) => {
    const bytes = fs.readFileSync(path.join(dir, name));
    const file: PackageFile = { name, bytes };
    if (name.endsWith('.json')) {
      try {
        file.json = JSON.parse(bytes.toString('utf8')) as Json;
      } catch (err) {
        throw new Error(`${path.join(dir, name)} is not valid JSON: ${(err as Error).message}`);
      }
    }
    return file;
  });
  const manifest = files.find((f) => f.name === 'package.json')!.json!;
  const resources = files
    .filter((f) => f.name !== 'package.json' && !f.name.startsWith('.') && typeof f.json?.resourceType === 'string')
    .map((f) => f.json!)
    .sort((a, b) => `${a.resourceType}/${a.id}`.localeCompare(`${b.resourceType}/${b.id}`));
  return {
    dir,
    manifest,
    files,
    resources,
    structureDefinitions: resources.filter((r) => r.resourceType === 'StructureDefinition'),
    valueSets: resources.filter((r) => r.resourceType === 'ValueSet'),
    codeSystems: resources.filter((r) => r.resourceType === 'CodeSystem'),
  };
}
