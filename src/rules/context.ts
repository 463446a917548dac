/**
 * What every rule sees: the parsed Bundle with its entries indexed by fullUrl and by NGC profile,
 * the "now" of the submission, the catalogue and the reference data.
 */
import type { Bundle } from 'fhir/r4';
import type { ValidationIssue } from '../validation/issue';
import { RuleCatalogue, ruleIssue, type RuleIssueInput } from './catalogue';
import type { RuleData } from './data';
import { formatTrail } from './walk';

export type Json = Record<string, unknown>;

export interface Entry {
  index: number;
  /** `Bundle.entry[3].resource` */
  path: string;
  fullUrl?: string;
  resource: Json & { resourceType: string };
  /** NGC profile id (`ngc-variant`) when meta.profile names exactly one known NGC profile of the right type (SUB-06). */
  profile?: string;
}

export class ReferenceSite {
  constructor(
    /** The Reference object. */
    readonly ref: Json,
    /** Element path inside the resource without indices, e.g. `derivedFrom`, `collection.collector`. */
    readonly element: string,
    private readonly entry: Entry,
    private readonly trail: (string | number)[],
  ) {}

  /** FHIRPath of the Reference, e.g. `Bundle.entry[2].resource.derivedFrom[0]`: spelled out only for a reported one. */
  get path(): string {
    return formatTrail(this.entry.path, this.trail);
  }
}

export class BundleContext {
  readonly entries: Entry[] = [];
  readonly byFullUrl = new Map<string, Entry>();
  // Rules ask the same questions of the same entries; answering each once keeps a 20,000-entry Bundle linear and fast.
  private readonly byProfile = new Map<string, Entry[]>();
  // Per entry, by its index in Bundle.entry (arrays rather than Maps: no hashing, less garbage).
  private readonly referenceCache: (ReferenceSite[] | undefined)[] = [];
  private readonly componentCache: (Map<string, Map<string, ComponentRef[]>> | undefined)[] = [];
  private readonly memos = new Map<string, Map<Entry, unknown>>();
  readonly now: Date;
  readonly catalogue: RuleCatalogue;

  constructor(
    readonly bundle: Bundle,
    now: Date,
    readonly data: RuleData,
  ) {
    this.now = now;
    this.catalogue = catalogueOf(data);
    const list = Array.isArray(bundle.entry) ? bundle.entry : [];
    list.forEach((entry, index) => {
      if (!isObject(entry) || !isObject(entry.resource) || typeof entry.resource.resourceType !== 'string') return;
      const resource = entry.resource as unknown as Json & { resourceType: string };
      const e: Entry = { index, path: `Bundle.entry[${index}].resource`, resource };
      if (typeof entry.fullUrl === 'string') e.fullUrl = entry.fullUrl;
      e.profile = this.profileOf(resource);
      this.entries.push(e);
      if (e.profile) {
        const list = this.byProfile.get(e.profile);
        if (list) list.push(e);
        else this.byProfile.set(e.profile, [e]);
      }
      // The first entry with a fullUrl wins; duplicates are SUB-04's business.
      if (e.fullUrl && !this.byFullUrl.has(e.fullUrl)) this.byFullUrl.set(e.fullUrl, e);
    });
  }

  issue(id: string, input: RuleIssueInput): ValidationIssue {
    return ruleIssue(this.catalogue, id, input);
  }

  /** The NGC profile id a resource declares, if it declares exactly one that fits its type. */
  profileOf(resource: Json & { resourceType: string }): string | undefined {
    const meta = resource.meta;
    if (!isObject(meta) || !Array.isArray(meta.profile) || meta.profile.length !== 1) return undefined;
    const id = this.ngcProfileId(meta.profile[0]);
    if (!id || this.data.profiles.profiles[id].type !== resource.resourceType) return undefined;
    return id;
  }

  /** `http://ngc.dk/fhir/genomics/StructureDefinition/ngc-variant|1.0.0` → `ngc-variant`. */
  ngcProfileId(url: unknown): string | undefined {
    return typeof url === 'string' ? compiledProfiles(this.data.profiles).idByUrl.get(url) : undefined;
  }

  /** The resource types an NGC profile's reference element may point at (of the profiles it allows); undefined when it may point at none. */
  targetTypes(profile: string, element: string): ReadonlySet<string> | undefined {
    return compiledProfiles(this.data.profiles).targetTypes(profile, element);
  }

  /** The resource types some NGC profile profiles. */
  profiledTypes(): ReadonlySet<string> {
    return compiledProfiles(this.data.profiles).profiledTypes;
  }

  withProfile(profile: string): Entry[] {
    return this.byProfile.get(profile) ?? [];
  }

  /** Computes a fact about an entry once per Bundle (e.g. a variant's parsed HGVS). */
  memo<T>(name: string, entry: Entry, compute: () => T): T {
    let cache = this.memos.get(name);
    if (!cache) this.memos.set(name, (cache = new Map()));
    if (cache.has(entry)) return cache.get(entry) as T;
    const value = compute();
    cache.set(entry, value);
    return value;
  }

  /** The components of an Observation entry whose code carries (system, code). */
  components(entry: Entry, system: string, code: string): ComponentRef[] {
    // Indexed by system, then code: looked up many times per entry, and no key string is built per coding.
    let index = this.componentCache[entry.index];
    if (!index) {
      index = new Map();
      const components = asArray(entry.resource.component);
      for (let i = 0; i < components.length; i++) {
        const component = components[i];
        if (!isObject(component) || !isObject(component.code) || !Array.isArray(component.code.coding)) continue;
        const ref = new ComponentRef(component, entry, i);
        for (const coding of component.code.coding) {
          if (!isObject(coding)) continue;
          const bySystem = String(coding.system);
          let codes = index.get(bySystem);
          if (!codes) index.set(bySystem, (codes = new Map()));
          const byCode = String(coding.code);
          const list = codes.get(byCode);
          // the same code twice in one component lists the component once
          if (!list) codes.set(byCode, [ref]);
          else if (list[list.length - 1] !== ref) list.push(ref);
        }
      }
      this.componentCache[entry.index] = index;
    }
    return index.get(system)?.get(code) ?? NO_COMPONENTS;
  }

  /** The one entry of a profile that SUB-07 requires exactly once; undefined when missing or repeated. */
  single(profile: string): Entry | undefined {
    const found = this.withProfile(profile);
    return found.length === 1 ? found[0] : undefined;
  }

  /** The entry a Reference points at, by fullUrl. */
  resolve(ref: unknown): Entry | undefined {
    if (!isObject(ref) || typeof ref.reference !== 'string') return undefined;
    return this.byFullUrl.get(ref.reference);
  }

  /** Every Reference inside a resource (not descending into contained resources). */
  references(entry: Entry): ReferenceSite[] {
    let out = this.referenceCache[entry.index];
    if (!out) this.referenceCache[entry.index] = out = referencesIn(entry);
    return out;
  }
}

/**
 * Every Reference inside an entry's resource. Contained resources and narrative are not the entry's
 * own references, and extensions never point at entries, so none of them is searched. A walk of its
 * own (not walkObjects): it runs for every entry of every submission, with no callbacks per object.
 */
function referencesIn(entry: Entry): ReferenceSite[] {
  const out: ReferenceSite[] = [];
  const steps: (string | number)[] = [];
  const keys: string[] = [];
  const inObject = (obj: Json): void => {
    if (typeof obj.reference === 'string' && keys.length > 0) out.push(new ReferenceSite(obj, keys.join('.'), entry, steps.slice()));
    for (const key in obj) {
      const value = obj[key];
      if (typeof value !== 'object' || value === null) continue;
      if (key === 'extension' || key === 'modifierExtension' || ((key === 'contained' || key === 'text') && keys.length === 0)) continue;
      steps.push(key);
      keys.push(key);
      if (Array.isArray(value)) inArray(value);
      else inObject(value as Json);
      keys.pop();
      steps.pop();
    }
  };
  const inArray = (list: unknown[]): void => {
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (typeof item !== 'object' || item === null) continue;
      steps.push(i);
      if (Array.isArray(item)) inArray(item);
      else inObject(item as Json);
      steps.pop();
    }
  };
  inObject(entry.resource);
  return out;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Codings of a CodeableConcept with their index. */
export function codings(cc: unknown): { coding: Json; index: number }[] {
  if (!isObject(cc) || !Array.isArray(cc.coding)) return [];
  const out: { coding: Json; index: number }[] = [];
  const list = cc.coding;
  for (let index = 0; index < list.length; index++) {
    const coding = list[index];
    if (isObject(coding)) out.push({ coding, index });
  }
  return out;
}

interface CompiledProfiles {
  /** Each profile's canonical URL, bare and with `|version`, to its id. */
  idByUrl: ReadonlyMap<string, string>;
  profiledTypes: ReadonlySet<string>;
  targetTypes(profile: string, element: string): ReadonlySet<string> | undefined;
}

const compiledProfileData = new WeakMap<RuleData['profiles'], CompiledProfiles>();

/** Sets derived from the profile table, built once per rule data rather than per reference per submission. */
function compiledProfiles(table: RuleData['profiles']): CompiledProfiles {
  let c = compiledProfileData.get(table);
  if (c) return c;
  const byElement = new Map<string, Map<string, ReadonlySet<string>>>();
  const idByUrl = new Map<string, string>();
  for (const id of Object.keys(table.profiles)) {
    idByUrl.set(`${table.canonicalBase}${id}`, id);
    idByUrl.set(`${table.canonicalBase}${id}|${table.version}`, id);
  }
  c = {
    idByUrl,
    profiledTypes: new Set(Object.values(table.profiles).map((p) => p.type)),
    targetTypes(profile, element) {
      let elements = byElement.get(profile);
      if (!elements) byElement.set(profile, (elements = new Map()));
      let types = elements.get(element);
      if (!types) {
        const allowed = table.profiles[profile].references[element];
        if (!allowed) return undefined;
        elements.set(element, (types = new Set(allowed.map((p) => table.profiles[p].type))));
      }
      return types;
    },
  };
  compiledProfileData.set(table, c);
  return c;
}

const catalogues = new WeakMap<RuleData, RuleCatalogue>();

/** One catalogue per rule data (a BundleContext is made per submission; the catalogue need not be). */
function catalogueOf(data: RuleData): RuleCatalogue {
  let catalogue = catalogues.get(data);
  if (!catalogue) catalogues.set(data, (catalogue = new RuleCatalogue(data.rules)));
  return catalogue;
}

const NO_COMPONENTS: ComponentRef[] = [];

export class ComponentRef {
  constructor(
    readonly component: Json,
    private readonly entry: Entry,
    private readonly index: number,
  ) {}

  /** `Bundle.entry[4].resource.component[1]`: spelled out only for the rare component a rule reports. */
  get path(): string {
    return `${this.entry.path}.component[${this.index}]`;
  }
}
