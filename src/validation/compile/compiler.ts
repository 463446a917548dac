/**
 * Compiles StructureDefinition snapshots into element trees (see model.ts), once per URL, lazily.
 */
import type { ElementDefinition, StructureDefinition } from 'fhir/r4';
import type { ConformanceStore } from '../definitions/types';
import type { RuleCatalog } from '../rules';
import { correctedContexts } from './extension-context-corrections';
import { correctedExpression } from './invariant-corrections';
import type { ChildEntry, CompiledInvariant, CompiledProfile, Discriminator, ElementNode, SlicingInfo, TypeRef } from './model';

const CORE = 'http://hl7.org/fhir/StructureDefinition/';
const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const SYSTEM_TYPES: Record<string, string> = {
  'http://hl7.org/fhirpath/System.String': 'string',
  'http://hl7.org/fhirpath/System.Boolean': 'boolean',
  'http://hl7.org/fhirpath/System.Integer': 'integer',
  'http://hl7.org/fhirpath/System.Decimal': 'decimal',
  'http://hl7.org/fhirpath/System.Date': 'date',
  'http://hl7.org/fhirpath/System.DateTime': 'dateTime',
  'http://hl7.org/fhirpath/System.Time': 'time',
};

export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer',
  'markdown', 'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);

function stripVersion(url: string): string {
  const bar = url.indexOf('|');
  return bar < 0 ? url : url.slice(0, bar);
}

function typeCode(t: NonNullable<ElementDefinition['type']>[number]): string {
  const ext = t.extension?.find((e) => e.url === FHIR_TYPE_EXT);
  if (ext && typeof ext.valueUrl === 'string') return ext.valueUrl;
  if (ext && typeof (ext as { valueUri?: string }).valueUri === 'string') return (ext as { valueUri: string }).valueUri;
  return SYSTEM_TYPES[t.code] ?? (t.code.startsWith(CORE) ? t.code.slice(CORE.length) : t.code);
}

function parseMax(max: string | undefined): number {
  if (max === undefined || max === '*') return Infinity;
  const n = Number(max);
  return Number.isFinite(n) ? n : Infinity;
}

function prefixedValue(ed: ElementDefinition, prefix: 'fixed' | 'pattern'): unknown {
  for (const key in ed) {
    if (key.startsWith(prefix) && key.length > prefix.length && key[prefix.length] === key[prefix.length].toUpperCase()) {
      return (ed as unknown as Record<string, unknown>)[key];
    }
  }
  return undefined;
}

export class Compiler {
  private readonly cache = new Map<string, CompiledProfile | null>();
  private readonly baseBindings = new Map<string, Map<string, string>>();

  constructor(
    readonly store: ConformanceStore,
    private readonly rules: RuleCatalog,
  ) {}

  /** The compiled profile for a canonical URL (with or without version), or undefined when not loaded. */
  profile(url: string): CompiledProfile | undefined {
    const key = stripVersion(url);
    let p = this.cache.get(key);
    if (p === undefined) {
      const sd = this.store.structureDefinition(key);
      // Unknown URLs are not remembered: submissions name them (meta.profile, extension urls), so a
      // stream of made-up ones would grow the cache for as long as the gateway runs.
      if (!sd) return undefined;
      p = sd.snapshot?.element?.length ? this.compile(sd) : null;
      this.cache.set(key, p);
    }
    return p ?? undefined;
  }

  private readonly roots = new Map<string, ElementNode | null>();

  /** The root node of the base definition of a type or resource. */
  typeRoot(code: string): ElementNode | undefined {
    let root = this.roots.get(code);
    if (root === undefined) {
      root = this.profile(code.includes('/') ? code : CORE + code)?.root ?? null;
      this.roots.set(code, root);
    }
    return root ?? undefined;
  }

  /** JSON property name → child, for the element's own children or its type's. */
  childMap(node: ElementNode, type: TypeRef | undefined): Map<string, ChildEntry> | undefined {
    const source = this.childSource(node, type);
    if (!source) return undefined;
    if (!source.childMap) source.childMap = buildChildMap(source.children);
    return source.childMap;
  }

  /** Children that must be looked at even when absent: required ones and sliced ones. */
  mustCheck(source: ElementNode): ElementNode[] {
    if (!source.mustCheck) source.mustCheck = source.children.filter((c) => c.min > 0 || (c.slicing && c.slices.length > 0));
    return source.mustCheck;
  }

  /** The node whose children describe the content of a value of this element. */
  childSource(node: ElementNode, type: TypeRef | undefined): ElementNode | undefined {
    if (node.children.length) return node;
    if (node.contentReference) {
      const target = this.resolveContentReference(node);
      if (target) return target.children.length ? target : this.childSource(target, target.types[0]);
    }
    if (!type) return undefined;
    const profiled = type.profiles.length && type.code !== 'Extension' ? this.profile(type.profiles[0]) : undefined;
    return profiled?.root ?? this.typeRoot(type.code);
  }

  resolveContentReference(node: ElementNode): ElementNode | undefined {
    const ref = node.contentReference!;
    const hash = ref.indexOf('#');
    const target = ref.slice(hash + 1);
    const own = node.profile.byId.get(target);
    if (own) return own;
    const typeName = target.split('.')[0];
    return this.typeRoot(typeName)?.profile.byId.get(target);
  }

  private compile(sd: StructureDefinition): CompiledProfile {
    const isConstraint = sd.derivation === 'constraint';
    const profile: CompiledProfile = {
      url: sd.url,
      name: sd.name ?? sd.id ?? sd.url,
      type: sd.type,
      kind: sd.kind,
      isConstraint,
      root: undefined as unknown as ElementNode,
      byId: new Map(),
      contexts: correctedContexts(
        sd.url,
        sd.context?.map((c) => ({ type: c.type, expression: c.expression })),
      ),
    };
    const baseBindings = isConstraint ? this.bindingsOfBase(sd.type) : undefined;
    const elements = sd.snapshot!.element;
    for (let i = 0; i < elements.length; i++) {
      const ed = elements[i];
      const id = ed.id ?? ed.path + (ed.sliceName ? `:${ed.sliceName}` : '');
      const node = this.makeNode(ed, id, profile, baseBindings);
      profile.byId.set(id, node);
      if (i === 0) {
        profile.root = node;
        continue;
      }
      const segs = id.split('.');
      const last = segs[segs.length - 1];
      const parentId = segs.slice(0, -1).join('.');
      const colon = last.lastIndexOf(':');
      const slash = last.lastIndexOf('/');
      if (colon > 0) {
        // a slice (or a re-slice "name:a/b") of the element named before the last separator
        const slicedId = parentId + '.' + (slash > colon ? last.slice(0, slash) : last.slice(0, colon));
        const sliced = profile.byId.get(slicedId);
        if (sliced) {
          sliced.slices.push(node);
          node.rule ??= sliced.rule ?? profile.byId.get(parentId)?.rule;
          continue;
        }
      }
      const parent = profile.byId.get(parentId);
      if (!parent) continue;
      parent.children.push(node);
      node.rule ??= parent.rule;
    }
    // an invariant a profile adds is tagged with the rule of its element (or the nearest ancestor)
    for (const node of profile.byId.values()) {
      for (const inv of node.invariants) if (inv.tagged && !inv.rule) inv.rule = node.rule;
    }
    return profile;
  }

  private makeNode(ed: ElementDefinition, id: string, profile: CompiledProfile, baseBindings?: Map<string, string>): ElementNode {
    const pathSegs = ed.path.split('.');
    const lastName = pathSegs[pathSegs.length - 1];
    const choice = lastName.endsWith('[x]');
    const max = parseMax(ed.max);
    const baseMax = parseMax(ed.base?.max ?? ed.max);
    const baseMin = ed.base?.min ?? ed.min ?? 0;
    const min = ed.min ?? 0;
    // Resource.id is typed System.String with fhir-type 'string' in the R4 snapshots, but is an id
    const resourceId = profile.kind === 'resource' && pathSegs.length === 2 && lastName === 'id';
    const types: TypeRef[] = (ed.type ?? []).map((t) => {
      const code = resourceId ? 'id' : typeCode(t);
      // every field the walker caches is present from the start: one object shape for all of them
      return { code, profiles: t.profile ?? [], targetProfiles: t.targetProfile ?? [], isResource: undefined, isPrimitive: PRIMITIVE_TYPES.has(code), root: undefined, source: undefined };
    });
    let slicing: SlicingInfo | undefined;
    if (ed.slicing) {
      slicing = {
        discriminators: (ed.slicing.discriminator ?? []).map((d) => ({ type: d.type as Discriminator['type'], path: d.path })),
        rules: (ed.slicing.rules ?? 'open') as SlicingInfo['rules'],
        ordered: ed.slicing.ordered === true,
      };
    }
    const rule = this.rules.ruleOf(ed as never);
    let binding: ElementNode['binding'];
    if (ed.binding) {
      const vs = ed.binding.valueSet ? stripVersion(ed.binding.valueSet) : undefined;
      const tagged = profile.isConstraint && (baseBindings?.get(ed.path) !== `${ed.binding.strength}|${vs}`);
      binding = { strength: ed.binding.strength, valueSet: vs, tagged };
    }
    const invariants: CompiledInvariant[] = [];
    for (const c of ed.constraint ?? []) {
      if (!c.expression) continue;
      const keyRule = this.rules.ruleForKey(c.key);
      const own = profile.isConstraint && (!c.source || !c.source.startsWith(CORE));
      invariants.push({
        key: c.key,
        severity: c.severity === 'warning' ? 'warning' : 'error',
        human: c.human ?? '',
        expression: correctedExpression(c.expression),
        source: c.source ?? profile.url,
        rule: keyRule,
        tagged: own || keyRule !== undefined,
      });
    }
    const node: ElementNode = {
      id,
      path: ed.path,
      name: choice ? lastName.slice(0, -3) : lastName,
      choice,
      min,
      max,
      isArray: baseMax > 1,
      cardNarrowed: profile.isConstraint && (min > baseMin || max < baseMax),
      types,
      children: [],
      slicing,
      slices: [],
      sliceName: ed.sliceName,
      fixed: prefixedValue(ed, 'fixed'),
      pattern: prefixedValue(ed, 'pattern'),
      binding,
      invariants,
      contentReference: ed.contentReference,
      isModifier: ed.isModifier === true,
      rule,
      profile,
    };
    return node;
  }

  /** "strength|valueSet" per path of the base definition, to tell which bindings a profile adds. */
  private bindingsOfBase(type: string): Map<string, string> {
    let map = this.baseBindings.get(type);
    if (!map) {
      map = new Map();
      const sd = this.store.typeDefinition(type);
      for (const ed of sd?.snapshot?.element ?? []) {
        if (ed.binding) map.set(ed.path, `${ed.binding.strength}|${ed.binding.valueSet ? stripVersion(ed.binding.valueSet) : undefined}`);
      }
      this.baseBindings.set(type, map);
    }
    return map;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function buildChildMap(children: ElementNode[]): Map<string, ChildEntry> {
  const map = new Map<string, ChildEntry>();
  for (const child of children) {
    if (child.choice) {
      for (const t of child.types) {
        const name = child.name + capitalize(t.code);
        map.set(name, { node: child, type: t, dotName: '.' + name });
      }
    } else {
      map.set(child.name, { node: child, type: child.types[0] ?? { code: 'BackboneElement', profiles: [], targetProfiles: [] }, dotName: '.' + child.name });
    }
  }
  return map;
}
