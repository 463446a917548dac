/**
 * Reads FHIR packages: a folder in the FHIR package cache layout (`<dir>/package/package.json`),
 * a bare package folder (`<dir>/package.json`) or a published `.tgz`. Only the conformance resources
 * the engine uses are kept (StructureDefinition, ValueSet, CodeSystem); examples are never read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeSystem, StructureDefinition, ValueSet } from 'fhir/r4';
import type { PackageInfo } from './types';
import { cached, withoutNarrative } from './cache';
import { readTar } from './tar';

export interface PackageContents {
  info: PackageInfo;
  structureDefinitions: StructureDefinition[];
  valueSets: ValueSet[];
  codeSystems: CodeSystem[];
}

export class PackageLoadError extends Error {}

const WANTED = new Set(['StructureDefinition', 'ValueSet', 'CodeSystem']);
/** Files in a package root that are never conformance resources. */
const SKIPPED_FILES = new Set(['package.json', '.index.json', 'ig-r4.json']);

interface IndexFile {
  files?: { filename?: string; resourceType?: string }[];
}

/**
 * Files the package's .index.json lists as other resource types (examples of Patient, SearchParameter,
 * ...), which need not be parsed. Only a hint: a file the index does not list is read anyway, so a
 * stale index can never hide a definition.
 */
function skippedByIndex(index: IndexFile | undefined): Set<string> {
  return new Set((index?.files ?? []).filter((f) => f.filename && f.resourceType && !WANTED.has(f.resourceType)).map((f) => f.filename!));
}

function collect(out: PackageContents, text: string, where: string): void {
  let resource: { resourceType?: string };
  try {
    resource = JSON.parse(text);
  } catch (err) {
    throw new PackageLoadError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  switch (resource?.resourceType) {
    case 'StructureDefinition':
      out.structureDefinitions.push(withoutNarrative(resource as StructureDefinition));
      break;
    case 'ValueSet':
      out.valueSets.push(withoutNarrative(resource as ValueSet));
      break;
    case 'CodeSystem':
      out.codeSystems.push(withoutNarrative(resource as CodeSystem));
      break;
  }
}

function parseManifest(text: string, where: string): { name: string; version: string } {
  try {
    const manifest = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string') {
      throw new Error('no name or version');
    }
    return { name: manifest.name, version: manifest.version };
  } catch (err) {
    throw new PackageLoadError(`${where}: not a FHIR package manifest (${(err as Error).message})`);
  }
}

function readFolder(dir: string): PackageContents {
  const root = fs.existsSync(path.join(dir, 'package', 'package.json')) ? path.join(dir, 'package') : dir;
  const manifestPath = path.join(root, 'package.json');
  if (!fs.existsSync(manifestPath)) {
    throw new PackageLoadError(`${dir}: no package/package.json or package.json, so not a FHIR package folder`);
  }
  const manifest = parseManifest(fs.readFileSync(manifestPath, 'utf8'), manifestPath);
  const out: PackageContents = { info: { ...manifest, source: dir }, structureDefinitions: [], valueSets: [], codeSystems: [] };
  let index: IndexFile | undefined;
  try {
    index = JSON.parse(fs.readFileSync(path.join(root, '.index.json'), 'utf8'));
  } catch {
    index = undefined;
  }
  const skipped = skippedByIndex(index);
  // Sorted so that the load order (and so which definition wins) never depends on the file system.
  const files = fs.readdirSync(root).filter((f) => f.endsWith('.json') && !SKIPPED_FILES.has(f)).sort();
  for (const file of files) {
    if (skipped.has(file)) continue;
    const full = path.join(root, file);
    if (!fs.statSync(full).isFile()) continue;
    collect(out, fs.readFileSync(full, 'utf8'), full);
  }
  return out;
}

function readTgz(file: string): PackageContents {
  let entries;
  try {
    entries = readTar(fs.readFileSync(file));
  } catch (err) {
    throw new PackageLoadError(`${file}: cannot read the package archive (${(err as Error).message})`);
  }
  // Files directly under package/ only: example/, other/, xml/ and openapi/ are not definitions.
  const top = entries.filter((e) => /^package\/[^/]+$/.test(e.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest = top.find((e) => e.path === 'package/package.json');
  if (!manifest) throw new PackageLoadError(`${file}: no package/package.json inside, so not a FHIR package`);
  const info = parseManifest(manifest.data.toString('utf8'), `${file}!package/package.json`);
  const out: PackageContents = { info: { ...info, source: file }, structureDefinitions: [], valueSets: [], codeSystems: [] };
  const indexEntry = top.find((e) => e.path === 'package/.index.json');
  let index: IndexFile | undefined;
  try {
    index = indexEntry ? JSON.parse(indexEntry.data.toString('utf8')) : undefined;
  } catch {
    index = undefined;
  }
  const skipped = skippedByIndex(index);
  for (const entry of top) {
    const name = entry.path.slice('package/'.length);
    if (!name.endsWith('.json') || SKIPPED_FILES.has(name) || skipped.has(name)) continue;
    collect(out, entry.data.toString('utf8'), `${file}!${entry.path}`);
  }
  return out;
}

const cache = new Map<string, { stamp: string; contents: PackageContents }>();

/** Reads a package folder or .tgz. Parsed packages are cached per process while the files are unchanged. */
export function readPackage(location: string): PackageContents {
  const full = path.resolve(location);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    throw new PackageLoadError(`${location}: no such file or folder`);
  }
  const stamp = `${stat.mtimeMs}:${stat.size}`;
  const hit = cache.get(full);
  if (hit && hit.stamp === stamp && stat.isFile()) return hit.contents;
  // Published archives never change: their trimmed contents are cached on disk (see cache.ts).
  const contents = stat.isDirectory() ? readFolder(location) : cached(`package-${path.basename(full)}`, [full], () => readTgz(location));
  if (stat.isFile()) cache.set(full, { stamp, contents });
  return contents;
}
