/**
 * The ConformanceStore: layers of definitions (base R4 first, then packages in the order given),
 * indexed lazily per kind so that a caller that only needs StructureDefinitions never pays for
 * parsing the terminology files, and vice versa.
 */
import type { CodeSystem, StructureDefinition, ValueSet } from 'fhir/r4';
import type { ConformanceStore, PackageInfo } from './types';
import { CanonicalIndex } from './canonical-index';
import { CORE_SD_PREFIX, R4_RESOURCE_TYPES } from './r4-names';
import { generateMissingSnapshots } from './snapshot';

export interface DefinitionLayer {
  info: PackageInfo;
  structureDefinitions(): readonly StructureDefinition[];
  valueSets(): readonly ValueSet[];
  codeSystems(): readonly CodeSystem[];
}

export class LayeredConformanceStore implements ConformanceStore {
  readonly packages: readonly PackageInfo[];
  private sdIndex?: CanonicalIndex<StructureDefinition>;
  private vsIndex?: CanonicalIndex<ValueSet>;
  private csIndex?: CanonicalIndex<CodeSystem>;

  constructor(private readonly layers: readonly DefinitionLayer[]) {
    this.packages = layers.map((l) => l.info);
  }

  private sds(): CanonicalIndex<StructureDefinition> {
    if (!this.sdIndex) {
      const index = new CanonicalIndex<StructureDefinition>();
      for (const layer of this.layers) for (const sd of layer.structureDefinitions()) index.add(sd);
      generateMissingSnapshots(index);
      this.sdIndex = index;
    }
    return this.sdIndex;
  }

  private vss(): CanonicalIndex<ValueSet> {
    if (!this.vsIndex) {
      const index = new CanonicalIndex<ValueSet>();
      for (const layer of this.layers) for (const vs of layer.valueSets()) index.add(vs);
      this.vsIndex = index;
    }
    return this.vsIndex;
  }

  private css(): CanonicalIndex<CodeSystem> {
    if (!this.csIndex) {
      const index = new CanonicalIndex<CodeSystem>();
      for (const layer of this.layers) for (const cs of layer.codeSystems()) index.add(cs);
      this.csIndex = index;
    }
    return this.csIndex;
  }

  structureDefinition(url: string): StructureDefinition | undefined {
    return this.sds().get(url);
  }

  typeDefinition(name: string): StructureDefinition | undefined {
    const sd = this.sds().get(CORE_SD_PREFIX + name);
    return sd && sd.derivation !== 'constraint' && sd.type === name ? sd : undefined;
  }

  isResourceType(name: string): boolean {
    return R4_RESOURCE_TYPES.has(name);
  }

  valueSet(url: string): ValueSet | undefined {
    return this.vss().get(url);
  }

  codeSystem(url: string): CodeSystem | undefined {
    return this.css().get(url);
  }

  allStructureDefinitions(): readonly StructureDefinition[] {
    return this.sds().all();
  }

  allValueSets(): readonly ValueSet[] {
    return this.vss().all();
  }

  allCodeSystems(): readonly CodeSystem[] {
    return this.css().all();
  }
}
