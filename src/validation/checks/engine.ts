/**
 * The instance walker: validates a JSON resource against compiled profiles, reporting every issue.
 * One Engine per validator; one Run per validate() call (memoised profile results, recursion guard).
 */
import type { ConformanceStore } from '../definitions/types';
import type { Terminology } from '../terminology/types';
import type { ValidationIssue } from '../issue';
import type { RuleCatalog } from '../rules';
import { Compiler, PRIMITIVE_TYPES } from '../compile/compiler';
import type { ChildEntry, CompiledInvariant, CompiledProfile, ElementNode, TypeRef } from '../compile/model';
import { NATIVE_INVARIANTS, compiledInvariant, invariantHolds } from '../compile/fhirpath';
import { NATIVE_EXPRESSIONS } from '../compile/native-invariants';
import { RESOLVE_ENV_VAR } from '../compile/fhirpath-resolve';
import { BAIL, compileNative, startWhereMemo } from '../compile/fhirpath-native';
import { checkPrimitiveFormat, jsonKindOf } from './primitives';
import { checkNarrativeXhtml } from './xhtml';
import { deepEqual, describe, matchesPattern } from './match';
import { indexSuffix, isObject, isUpperAt, jsonTypeName, report, type Json, type ResourceEnv } from './context';
import { BundleIndex, checkUniqueFullUrls } from './bundle';
import { checkBinding, checkCodingInSystem } from './binding';
import { checkReference } from './references';
import { checkSlicing, pickTypeSlice } from './slicing';
import { checkExtension } from './extensions';
import { conceptSlot, itemSlot, newConceptSlot, type ConceptSlot, type SlotTally } from './concept-memo';
import { checkCapabilityStatement } from './capability-statement';
import { checkCanonicalUrl } from './canonical-url';
import { ExtensionPolicy } from './extension-policy';
import { checkElementId } from './ids';
import { checkSearchSet } from './searchset';
import { checkAttachment } from './attachment';
import { checkMissingRequiredCode } from './missing-code';

const RESOURCE_ABSTRACT = new Set(['Resource', 'DomainResource']);
/** Shared stand-in for an absent array (read only): the walk would otherwise allocate one per property. */
const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/** One memoised walk of a resource; a resource is nearly always walked against one profile at one path. */
interface MemoEntry {
  profileUrl: string;
  path: string;
  /** null while being computed (a cycle: assume conformance inside it). */
  issues: ValidationIssue[] | null;
  next: MemoEntry | undefined;
}

/**
 * A CodeableConcept made only of codings (system, code, display, version, userSelected) and text gets
 * the same issues wherever it stands, relative to its path: the same codes recur on every variant
 * and in every report (LOINC panel codes, categories, HGNC genes), so each distinct one is checked
 * once while the engine keeps its memos (see ConceptMemos). null: not reusable (an invariant was
 * evaluated, which may read the resource around it, or an issue points outside it).
 */
interface ConceptMemo {
  type: TypeRef;
  root: ConceptSlot;
}

/**
 * What the engine learns of plain concepts, kept from one validation to the next: it depends only on
 * the concept and the element (the compiled definitions do not change), never on the resource around
 * it, which is what reusable() and the slice choice's own conditions ensure.
 */
export interface ConceptMemos extends SlotTally {
  /** Issues of the plain CodeableConcepts checked so far, per element node (see Engine.checkConcept). */
  readonly concepts: Map<ElementNode, ConceptMemo>;
  /** Per sliced element whose slices are told apart by a code: the slice each distinct code selects (see slicing.ts). */
  readonly sliceChoices: Map<ElementNode, ConceptSlot>;
}

/**
 * Slots the kept memos may hold before they are started afresh: bounds their memory when content
 * rarely recurs (free text, wrong displays). Measured with every display of a typical report made
 * distinct: about 650 bytes of heap per slot with the issues it keeps, so at most some 13 MB per
 * engine; a typical report keys about 700 slots the first time and none once its codes are known.
 */
const DEFAULT_CONCEPT_MEMO_SLOTS = 20_000;

const noConceptMemos = (): ConceptMemos => ({ concepts: new Map(), sliceChoices: new Map(), slots: 0 });

export class Run {
  /** Set when a walk may report an issue twice (several profiles on one resource): validate() then de-duplicates. */
  mayDuplicate = false;
  /**
   * Issues per resource, profile url and path, as a short list per resource: a joined key string
   * (or a map per resource) would be built at every lookup or for every resource.
   */
  private readonly memo = new Map<object, MemoEntry>();
  constructor(readonly memos: ConceptMemos) {}

  private entry(resource: Json, profileUrl: string, path: string): MemoEntry | undefined {
    for (let e = this.memo.get(resource); e; e = e.next) if (e.profileUrl === profileUrl && e.path === path) return e;
    return undefined;
  }

  /** The memoised issues (null: being computed), or undefined when not computed yet. */
  known(resource: Json, profileUrl: string, path: string): ValidationIssue[] | null | undefined {
    return this.entry(resource, profileUrl, path)?.issues;
  }

  memoised(resource: Json, profileUrl: string, path: string, compute: () => ValidationIssue[]): ValidationIssue[] | undefined {
    const hit = this.entry(resource, profileUrl, path);
    if (hit) return hit.issues ?? undefined;
    const head = this.memo.get(resource);
    const entry: MemoEntry = { profileUrl, path, issues: null, next: head };
    this.memo.set(resource, entry);
    try {
      const issues = compute();
      entry.issues = issues;
      return issues;
    } catch (e) {
      this.unlink(resource, entry);
      throw e;
    }
  }

  private unlink(resource: Json, entry: MemoEntry): void {
    const head = this.memo.get(resource);
    if (head === entry) {
      if (entry.next) this.memo.set(resource, entry.next);
      else this.memo.delete(resource);
      return;
    }
    for (let e = head; e; e = e.next) {
      if (e.next === entry) {
        e.next = entry.next;
        return;
      }
    }
  }
}

export interface EngineOptions {
  store: ConformanceStore;
  terminology: Terminology;
  rules: RuleCatalog;
  extensionPolicy?: ExtensionPolicy;
  /** How many slots the concept memos kept between validations may hold before they are started afresh (0: every validation starts afresh). */
  conceptMemoSlots?: number;
}

interface WalkFrame {
  nodes: ElementNode[];
  keys: string[];
  counts: number[];
  n: number;
}

export class Engine {
  readonly store: ConformanceStore;
  readonly compiler: Compiler;
  readonly terminology: Terminology;
  readonly rules: RuleCatalog;
  readonly extensionPolicy: ExtensionPolicy;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.extensionPolicy = options.extensionPolicy ?? new ExtensionPolicy();
    this.terminology = options.terminology;
    this.rules = options.rules;
    this.compiler = new Compiler(options.store, options.rules);
    this.conceptMemoSlots = options.conceptMemoSlots ?? DEFAULT_CONCEPT_MEMO_SLOTS;
  }

  private readonly conceptMemoSlots: number;
  /** The concept memos runs share. */
  private memos = noConceptMemos();

  /** The state of one validation; it shares the engine's concept memos, started afresh once they hold more than conceptMemoSlots slots. */
  newRun(): Run {
    if (this.memos.slots > this.conceptMemoSlots) this.memos = noConceptMemos();
    startWhereMemo();
    return new Run(this.memos);
  }

  /** Slots in the concept memos kept now (for the tests of their bound). */
  get conceptMemoSize(): number {
    return this.memos.slots;
  }

  private readonly bareTypes = new Map<string, TypeRef>();

  /**
   * The type reference without profiles for a type code, one per code: the walker caches what it
   * learns about a type on its reference (root, source, isResource), and a fresh reference per
   * resource or profiled value would relearn it every time.
   */
  bareType(code: string): TypeRef {
    let type = this.bareTypes.get(code);
    if (!type) {
      type = { code, profiles: [], targetProfiles: [] };
      this.bareTypes.set(code, type);
    }
    return type;
  }

  isResourceTypeCode(code: string): boolean {
    return RESOURCE_ABSTRACT.has(code) || this.store.isResourceType(code);
  }

  /** Entry point for one resource (top level, contained, or in a Bundle). */
  validateResource(run: Run, value: Json, path: string, parent: ResourceEnv | undefined, sink: ValidationIssue[], extraProfiles: readonly string[], fullUrl?: string, contained = false): void {
    const rt = value.resourceType;
    if (typeof rt !== 'string') {
      report(sink, 'error', 'structure', 'RESOURCE_TYPE_MISSING', 'Unable to find resourceType property: a resource must name its type in "resourceType"', path);
      return;
    }
    if (!this.store.isResourceType(rt) || !this.compiler.typeRoot(rt)) {
      report(sink, 'error', 'structure', 'RESOURCE_TYPE_UNKNOWN', `Unknown resource type '${rt}'`, path);
      return;
    }
    const env = this.resourceEnv(value, path, parent, fullUrl, contained);
    if (rt === 'Bundle') {
      checkUniqueFullUrls(value, path, sink);
      checkSearchSet(value, path, sink, (t) => this.store.isResourceType(t));
    }
    if (rt === 'CapabilityStatement') checkCapabilityStatement(value, path, sink);
    checkCanonicalUrl(value, path, contained, sink);

    // plain loops and a short list instead of a Set, filter() and a closure: this runs for every resource
    const meta = isObject(value.meta) ? value.meta : undefined;
    const declared = Array.isArray(meta?.profile) ? meta.profile : NO_ITEMS;
    const applicable: CompiledProfile[] = [];
    const seen: string[] = [];
    for (let i = 0, n = 0; i < declared.length + extraProfiles.length; i++) {
      const isDeclared = i < declared.length;
      const url = isDeclared ? declared[i] : extraProfiles[i - declared.length];
      if (typeof url !== 'string') continue;
      // declared profiles are numbered by their place in meta.profile, extra ones among themselves
      const index = isDeclared ? n++ : i - declared.length;
      const bar = url.indexOf('|');
      const bare = bar < 0 ? url : url.slice(0, bar);
      if (seen.includes(bare)) continue;
      seen.push(bare);
      const profile = this.compiler.profile(url);
      if (!profile) {
        report(sink, 'warning', 'not-found', 'PROFILE_NOT_FOUND', `Profile reference '${url}' has not been checked because it is unknown`, isDeclared ? `${path}.meta.profile[${index}]` : path);
        continue;
      }
      if (profile.type !== rt && !(profile.type === 'Resource' || profile.type === 'DomainResource')) {
        report(sink, 'error', 'invalid', 'PROFILE_WRONG_TYPE', `The profile '${url}' is for the type ${profile.type}, but this resource is a ${rt}`, isDeclared ? `${path}.meta.profile[${index}]` : path);
        continue;
      }
      applicable.push(profile);
    }

    // a profile's snapshot carries every base constraint, so the base walk is only needed without one
    const targets = applicable.length ? applicable : [this.compiler.typeRoot(rt)!.profile];
    if (targets.length > 1) run.mayDuplicate = true;
    for (let t = 0; t < targets.length; t++) {
      const issues = this.profileIssues(run, value, targets[t], env);
      if (issues) for (let i = 0; i < issues.length; i++) sink.push(issues[i]);
    }
  }

  resourceEnv(value: Json, path: string, parent: ResourceEnv | undefined, fullUrl: string | undefined, contained: boolean): ResourceEnv {
    let containedIndex = parent && contained ? parent.contained : undefined;
    if (!contained && Array.isArray(value.contained)) {
      containedIndex = new Map();
      value.contained.forEach((c, i) => {
        if (isObject(c) && typeof c.id === 'string') containedIndex!.set(c.id, { resource: c, path: `${path}.contained[${i}]` });
      });
    }
    const bundle = value.resourceType === 'Bundle' ? new BundleIndex(value, path) : parent?.bundle;
    return {
      resource: value,
      rootResource: contained && parent ? parent.rootResource : value,
      path,
      bundle,
      fullUrl: fullUrl ?? (contained ? parent?.fullUrl : undefined),
      contained: containedIndex,
      isContained: contained,
    };
  }

  /** All issues of a resource against one profile (memoised per run; undefined inside a cycle). */
  profileIssues(run: Run, value: Json, profile: CompiledProfile, env: ResourceEnv): ValidationIssue[] | undefined {
    return run.memoised(value, profile.url, env.path, () => {
      const sink: ValidationIssue[] = [];
      const type = this.bareType(value.resourceType as string);
      this.walkObject(run, value, profile.root, type, env.path, env, sink, true);
      if (Array.isArray(value.contained) && value.contained.length) checkContainedReferenced(value, env.path, sink);
      this.checkInvariants(run, value, profile.root, env.path, env, sink);
      const base = this.compiler.typeRoot(type.code);
      if (base && base !== profile.root) this.checkInvariants(run, value, base, env.path, env, sink, profile.root);
      return sink;
    });
  }

  /** Whether a resource conforms to a profile (no error), for targetProfile and profile discriminators. */
  conformsTo(run: Run, value: Json, profileUrl: string, path: string, parent: ResourceEnv | undefined, fullUrl?: string, contained = false): boolean {
    const profile = this.compiler.profile(profileUrl);
    if (!profile) return false;
    if (profile.type !== value.resourceType && profile.kind === 'resource' && profile.type !== 'Resource') return false;
    if (!this.quickMatch(profile.root, value)) return false;
    // a resource already judged against the profile (typically: where it stands in the Bundle) needs no env
    const known = run.known(value, profile.url, path);
    const issues = known !== undefined ? known : this.profileIssues(run, value, profile, this.resourceEnv(value, path, parent, fullUrl, contained));
    return !issues || !issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
  }

  /**
   * A cheap necessary condition for conformance, tried before a full walk when a slice discriminator
   * or targetProfile asks "does this resource conform?": the profile's required top-level elements are
   * present and its top-level fixed/pattern values match. Most candidate profiles fail here.
   */
  private quickMatch(root: ElementNode, value: Json): boolean {
    // indexed loops and no closure: this runs per candidate profile of every resource a slice or
    // targetProfile asks about, much of it before the function is optimised
    const children = root.children;
    for (let c = 0; c < children.length; c++) {
      const child = children[c];
      const constrained = child.fixed !== undefined || child.pattern !== undefined;
      if (child.min === 0 && !constrained) continue;
      let v: unknown;
      if (child.choice) {
        for (const key in value) if (key.startsWith(child.name) && key.length > child.name.length && isUpperAt(key, child.name.length)) v = value[key];
      } else v = value[child.name];
      if (v === undefined) {
        if (child.min > 0) return false;
        continue;
      }
      if (child.fixed !== undefined && !fixedMatches(child.fixed, v)) return false;
      if (child.pattern !== undefined && !matchesPattern(child.pattern, v)) return false;
    }
    return true;
  }

  /** Validates the properties of a complex value against the children of `node` (or of its type). */
  walkObject(run: Run, obj: Json, node: ElementNode, type: TypeRef, path: string, env: ResourceEnv, sink: ValidationIssue[], isResourceRoot = false): void {
    let source: ElementNode | undefined;
    if (node.children.length) source = node;
    else if (node.contentReference) source = this.compiler.childSource(node, type);
    else {
      // without children of its own, the element's content depends on its type only: looked up once per type
      if (type.source === undefined) type.source = this.compiler.childSource(node, type) ?? null;
      source = type.source ?? undefined;
    }
    const map = source ? (source.childMap ?? this.compiler.childMap(source, type)) : undefined;
    if (!source || !map) return;
    if (!isResourceRoot && typeof obj.id === 'string') {
      this.contextReads++;
      checkElementId(env, obj.id, obj, path, sink);
    }
    // one pass over the properties present; absent children only matter when required or sliced.
    // Parallel arrays rather than a Map: objects have few properties and this runs for every element.
    // the per-object bookkeeping lives in frames reused by depth: this runs for every complex value,
    // and fresh arrays per call were the walk's largest source of garbage
    const frame = (this.frames[this.depth] ??= { nodes: [], keys: [], counts: [], n: 0 });
    frame.n = 0;
    this.depth++;
    try {
      this.walkProperties(run, obj, map, source, path, env, sink, isResourceRoot, frame);
      this.checkAbsent(run, obj, source, path, env, sink, frame);
    } finally {
      this.depth--;
    }
  }

  /** The base definition's root of a type (cached on the type reference). */
  private rootOf(type: TypeRef): ElementNode | undefined {
    if (type.root === undefined) type.root = this.compiler.typeRoot(type.code) ?? null;
    return type.root ?? undefined;
  }

  private readonly frames: WalkFrame[] = [];
  private depth = 0;

  private walkProperties(run: Run, obj: Json, map: Map<string, ChildEntry>, source: ElementNode, path: string, env: ResourceEnv, sink: ValidationIssue[], isResourceRoot: boolean, frame: WalkFrame): void {
    const seenNodes = frame.nodes;
    const seenKeys = frame.keys;
    const seenCounts = frame.counts;
    // `_x` twins are rare: look them up only when the object has any (building '_'+name for every
    // property and probing for it was the walker's single biggest cost)
    const hasTwins = hasUnderscoreKey(obj);
    for (const key in obj) {
      if ((isResourceRoot && key === 'resourceType') || obj[key] === undefined) continue;
      const isExt = key.charCodeAt(0) === 95; /* _ */
      const bare = isExt ? key.slice(1) : key;
      const entry = map.get(bare);
      if (!entry) {
        this.reportUnknown(source, key, bare, path, sink);
        continue;
      }
      if (isExt) {
        if (!isPrimitiveType(entry.type)) {
          report(sink, 'error', 'structure', 'UNKNOWN_ELEMENT', `Unrecognized property '${key}'`, path);
          continue;
        }
        if (obj[bare] !== undefined) continue; // handled with its value
      }
      const child = entry.node;
      let prior = -1;
      for (let j = 0; j < frame.n; j++) {
        if (seenNodes[j] === child) {
          prior = j;
          break;
        }
      }
      if (prior >= 0 && child.choice) {
        report(sink, 'error', 'structure', 'CHOICE_MULTIPLE', `Only one of the choices of ${child.path} may be present, found '${seenKeys[prior]}' and '${bare}'`, `${path}.${bare}`);
      }
      const count = this.checkProperty(run, obj, bare, hasTwins ? obj['_' + bare] : undefined, child, entry.type, path, entry.dotName, env, sink);
      if (prior >= 0) seenCounts[prior] += count;
      else {
        const n = frame.n++;
        seenNodes[n] = child;
        seenKeys[n] = bare;
        seenCounts[n] = count;
      }
    }
    for (let i = 0; i < frame.n; i++) {
      const child = seenNodes[i];
      if (seenCounts[i] > child.max) {
        report(sink, 'error', 'structure', 'CARDINALITY_MAX', `${child.path}: max allowed = ${child.max}, but found ${seenCounts[i]} (from ${child.profile.url})`, `${path}.${seenKeys[i]}`, child.cardNarrowed ? child.rule : undefined);
      }
    }
  }

  private checkAbsent(run: Run, obj: Json, source: ElementNode, path: string, env: ResourceEnv, sink: ValidationIssue[], frame: WalkFrame): void {
    const seenNodes = frame.nodes;
    const seenKeys = frame.keys;
    const seenCounts = frame.counts;
    const hasTwins = hasUnderscoreKey(obj);
    const must = this.compiler.mustCheck(source);
    for (let m = 0; m < must.length; m++) {
      const child = must[m];
      let at = -1;
      for (let j = 0; j < frame.n; j++) {
        if (seenNodes[j] === child) {
          at = j;
          break;
        }
      }
      const hitKey = at >= 0 ? seenKeys[at] : undefined;
      const count = at >= 0 ? seenCounts[at] : 0;
      if (count < child.min) {
        report(sink, 'error', 'required', 'CARDINALITY_MIN', `${child.path}: minimum required = ${child.min}, but only found ${count} (from ${child.profile.url})`, hitKey ? `${path}.${hitKey}` : path, child.cardNarrowed ? child.rule : undefined);
      }
      if (child.slicing && child.slices.length && !child.choice) {
        const raw = hitKey ? obj[hitKey] : undefined;
        const items = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
        const twin = hitKey && hasTwins ? obj['_' + hitKey] : undefined;
        const exts = Array.isArray(twin) ? twin : NO_ITEMS;
        checkSlicing(this, run, items, exts, child, hitKey ?? child.name, path, env, sink, obj);
      }
    }
  }

  /**
   * A property the definition does not know is reported at the element that holds it (the HL7
   * validator's convention: the property has no element definition to point at), named in the text.
   * A choice type that the base definition allows but a profile removed is an element of the base
   * type: it keeps its own path (as in HL7), and so does one a profile rule forbids, as rule issues do.
   */
  private reportUnknown(source: ElementNode, key: string, bare: string, path: string, sink: ValidationIssue[]): void {
    const choice = source.children.find((c) => c.choice && bare.startsWith(c.name) && bare.length > c.name.length && isUpperAt(bare, c.name.length));
    if (choice && this.isKnownTypeSuffix(bare.slice(choice.name.length))) {
      const suffix = bare.slice(choice.name.length);
      const allowed = choice.types.map((t) => t.code).join(', ');
      const rule = choice.profile.isConstraint ? choice.rule : undefined;
      const where = rule || this.baseAllowsChoiceType(choice, suffix) ? `${path}.${key}` : path;
      report(sink, 'error', 'structure', 'TYPE_NOT_ALLOWED', `The type '${suffix}' of the property '${key}' is not allowed for ${choice.path} (allowed: ${allowed})`, where, rule);
      return;
    }
    report(sink, 'error', 'structure', 'UNKNOWN_ELEMENT', `Unrecognized property '${key}'`, path);
  }

  /** Whether the base definition of a profiled choice element allows the type (the profile narrowed it away). */
  private baseAllowsChoiceType(choice: ElementNode, suffix: string): boolean {
    if (!choice.profile.isConstraint) return false;
    const base = this.compiler.typeRoot(choice.profile.type)?.profile.byId.get(choice.path);
    if (!base) return true;
    const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
    return base.types.some((t) => t.code === suffix || t.code === lower);
  }

  private isKnownTypeSuffix(suffix: string): boolean {
    const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
    return PRIMITIVE_TYPES.has(lower) || this.store.typeDefinition(suffix) !== undefined;
  }

  /** Checks one JSON property (and its `_` twin). Returns the number of occurrences. */
  private checkProperty(run: Run, obj: Json, key: string, ext: unknown, child: ElementNode, type: TypeRef, path: string, dotKey: string, env: ResourceEnv, sink: ValidationIssue[]): number {
    const value = obj[key];
    const primitive = isPrimitiveType(type);
    // items of a sliced element are validated by checkSlicing, against their slice (whose snapshot
    // carries the base element's constraints) or, when they match none, against the element itself
    const deferred = !primitive && !child.choice && child.slicing !== undefined && child.slices.length > 0;
    if (child.isArray) {
      if (value !== undefined && !Array.isArray(value)) {
        report(sink, 'error', 'structure', 'JSON_NOT_ARRAY', `The property '${key}' must be a JSON Array, not ${articled(jsonTypeName(value))} (at ${child.path})`, `${path}.${key}`);
        this.checkValue(run, value, primitive && isObject(ext) ? ext : undefined, child, type, `${path}.${key}`, env, sink, obj);
        return 1;
      }
      if (ext !== undefined && primitive && !Array.isArray(ext)) {
        report(sink, 'error', 'structure', 'JSON_NOT_ARRAY', `The property '_${key}' must be a JSON Array, not ${articled(jsonTypeName(ext))}`, `${path}._${key}`);
      }
      const values = (value as unknown[] | undefined) ?? NO_ITEMS;
      const exts = primitive && Array.isArray(ext) ? ext : NO_ITEMS;
      if ((value !== undefined && values.length === 0) || (Array.isArray(ext) && ext.length === 0)) {
        report(sink, 'error', 'structure', 'JSON_EMPTY', `Array '${value !== undefined && values.length === 0 ? key : '_' + key}' cannot be empty: an empty array must be omitted`, `${path}.${value !== undefined && values.length === 0 ? key : '_' + key}`);
      }
      if (value !== undefined && exts.length && values.length !== exts.length) {
        report(sink, 'error', 'structure', 'JSON_PRIMITIVE_ALIGN', `The arrays '${key}' (${values.length} items) and '_${key}' (${exts.length} items) must have the same length`, `${path}.${key}`);
      }
      const n = Math.max(values.length, exts.length);
      const prefix = path + dotKey;
      for (let i = 0; i < n; i++) {
        const item = values[i];
        const itemExt = exts[i];
        if (item === null || item === undefined) {
          if (itemExt === null || itemExt === undefined || !primitive) {
            report(sink, 'error', 'structure', 'JSON_NULL', `Null values are not allowed in FHIR JSON (array '${key}' item ${i}), except as placeholders aligned with a value in '_${key}'`, prefix + indexSuffix(i));
            continue;
          }
        }
        // items of a sliced element get their paths in checkSlicing
        if (deferred || (primitive && itemExt === undefined && this.plainPrimitive(item, child, type))) continue;
        this.checkValue(run, item ?? undefined, itemExt ?? undefined, child, type, prefix + indexSuffix(i), env, sink, obj);
      }
      return n;
    }
    if (Array.isArray(value)) {
      report(sink, 'error', 'structure', 'JSON_ARRAY_NOT_ALLOWED', `The property '${key}' must not be a JSON Array: ${child.path} has a maximum cardinality of 1`, `${path}.${key}`);
      return value.length;
    }
    if (value === null) {
      report(sink, 'error', 'structure', 'JSON_NULL', `Null values are not allowed in FHIR JSON (property '${key}')`, `${path}.${key}`);
      return 0;
    }
    if (ext === null) {
      report(sink, 'error', 'structure', 'JSON_NULL', `Null values are not allowed in FHIR JSON (property '_${key}')`, `${path}._${key}`);
    }
    if (primitive && ext !== undefined && ext !== null && !isObject(ext)) {
      report(sink, 'error', 'structure', 'JSON_TYPE', `The property '_${key}' must be a JSON object, not ${articled(jsonTypeName(ext))}`, `${path}._${key}`);
    }
    if (deferred) return 1;
    const node = child.choice && child.slices.length ? (pickTypeSlice(child, type) ?? child) : child;
    if (primitive && ext === undefined && this.plainPrimitive(value, node, type)) return 1;
    this.checkValue(run, value, isObject(ext) ? ext : undefined, node, type, path + dotKey, env, sink, obj);
    return 1;
  }

  /**
   * Is the value a well-formed primitive of an element with nothing more to check (no fixed value,
   * pattern, binding or evaluated invariant, no extensions)? checkPrimitive would then report
   * nothing, and its path is never built: most primitives of a report are such values.
   */
  private plainPrimitive(value: unknown, node: ElementNode, type: TypeRef): boolean {
    if (node.fixed !== undefined || node.pattern !== undefined || node.binding || type.code === 'xhtml') return false;
    if ((node.evaluated ??= node.invariants.filter((i) => !NATIVE_INVARIANTS.has(i.key))).length) return false;
    if (typeof value !== jsonKindOf(type.code) || value === '') return false;
    return checkPrimitiveFormat(type.code, value) === undefined;
  }

  /** Checks one value (an array item or a single value) against an element node and a type. */
  checkValue(run: Run, value: unknown, ext: Json | undefined, node: ElementNode, type: TypeRef, path: string, env: ResourceEnv, sink: ValidationIssue[], parent?: Json, fresh = false): void {
    if (isPrimitiveType(type)) {
      this.checkPrimitive(run, value, ext, node, type, path, env, sink);
      return;
    }
    if (value === undefined) return;
    if (!isObject(value)) {
      report(sink, 'error', 'structure', 'JSON_TYPE', `The property must be a JSON object (${type.code}), not ${articled(jsonTypeName(value))}`, path);
      return;
    }
    let keyCount = 0;
    let onlyId = true;
    for (const k in value) {
      keyCount++;
      if (k !== 'id') {
        onlyId = false;
        break;
      }
    }
    if (keyCount === 0) {
      report(sink, 'error', 'structure', 'JSON_EMPTY', 'Object must have some content: an empty object must be omitted', path);
      // its required children are missing too, and the HL7 validator says so; a resource is not
      // walked (its missing resourceType is the one problem worth reporting)
      if (!(type.isResource ??= this.isResourceTypeCode(type.code))) this.walkObject(run, value, node, type, path, env, sink);
      return;
    }
    if ((type.isResource ??= this.isResourceTypeCode(type.code))) {
      this.contextReads++;
      const isContained = node.name === 'contained' && node.path.split('.').length === 2;
      const fullUrl = parent && typeof parent.fullUrl === 'string' ? parent.fullUrl : undefined;
      if (!isContained && !RESOURCE_ABSTRACT.has(type.code) && value.resourceType !== type.code && typeof value.resourceType === 'string') {
        report(sink, 'error', 'structure', 'RESOURCE_WRONG_TYPE', `This element must be a ${type.code} resource, not ${value.resourceType}`, path, node.profile.isConstraint ? node.rule : undefined);
      }
      this.validateResource(run, value, path, env, sink, type.profiles, fullUrl, isContained);
      this.checkFixedPattern(value, node, path, sink);
      return;
    }
    if (!fresh && type.code === 'CodeableConcept' && !type.profiles.length && this.checkConcept(run, value, node, type, path, env, sink, parent)) return;
    const mark = sink.length;
    if (type.code === 'Extension') {
      this.contextReads++;
      checkExtension(this, run, value, node, type, path, env, sink, parent);
    } else {
      this.walkObject(run, value, node, type, path, env, sink);
    }
    if (onlyId) {
      report(sink, 'error', 'invariant', 'INVARIANT', `Constraint failed: ele-1: 'All FHIR elements must have a @value or children'`, path);
    }
    this.checkFixedPattern(value, node, path, sink);
    if (node.binding) checkBinding(this, value, node, type, path, sink);
    // CodeableConcept.coding items come through here as Codings
    if (type.code === 'Coding') checkCodingInSystem(this, value, path, sink);
    else if (type.code === 'Attachment') checkAttachment(value, path, sink);
    if (type.code === 'Reference') {
      this.contextReads++;
      checkReference(this, run, value, node, type, path, env, sink);
    }
    this.checkInvariants(run, value, node, path, env, sink);
    const typeRoot = this.rootOf(type);
    if (typeRoot && typeRoot !== node && typeRoot.invariants.length) this.checkInvariants(run, value, typeRoot, path, env, sink, node);
    if (type.profiles.length && type.code !== 'Extension') {
      for (let u = 0; u < type.profiles.length; u++) {
        const p = this.compiler.profile(type.profiles[u]);
        if (!p || p.root === node) continue;
        // a profiled datatype (SimpleQuantity in Range.low) repeats the base type's checks: keep only what is new
        const scratch: ValidationIssue[] = [];
        this.walkObject(run, value, p.root, this.bareType(type.code), path, env, scratch);
        this.checkInvariants(run, value, p.root, path, env, scratch);
        for (let s = 0; s < scratch.length; s++) {
          const issue = scratch[s];
          let dup = false;
          for (let k = mark; k < sink.length && !dup; k++) {
            const o = sink[k];
            dup = o.expression === issue.expression && o.messageId === issue.messageId && o.diagnostics === issue.diagnostics;
          }
          if (!dup) sink.push(issue);
        }
      }
    }
  }

  /** Checks a plain CodeableConcept through the run's memo; false when the memo cannot be used for it. */
  private checkConcept(run: Run, value: Json, node: ElementNode, type: TypeRef, path: string, env: ResourceEnv, sink: ValidationIssue[], parent: Json | undefined): boolean {
    const memos = run.memos;
    let memo = memos.concepts.get(node);
    if (!memo) {
      memo = { type, root: newConceptSlot(memos) };
      memos.concepts.set(node, memo);
    }
    if (memo.type !== type) return false;
    const slot = conceptSlot(memos, memo.root, value);
    if (!slot || slot.issues === null) return false;
    const known = slot.issues;
    if (known) {
      for (let i = 0; i < known.length; i++) sink.push(rebased(known[i], path + known[i].suffix));
      return true;
    }
    const mark = sink.length;
    const reads = this.contextReads;
    this.checkValue(run, value, undefined, node, type, path, env, sink, parent, true);
    slot.issues = this.reusable(sink, mark, path, reads);
    return true;
  }

  /**
   * Checks a slice item (an Observation.component) through the memo of the items whose discriminator
   * is the concept of `choice`: the slice, hence the node and type, follow from that concept, and the
   * rest of the content is keyed by itemSlot. Most components of a variant recur on every variant
   * (gene, genomic source, reference sequence), so each distinct one is checked once while the
   * engine keeps its memos. False when the memo cannot be used for the item (it is then checked as
   * usual).
   */
  checkRecurringItem(run: Run, choice: ConceptSlot, item: Json, discriminator: string, node: ElementNode, type: TypeRef, path: string, env: ResourceEnv, sink: ValidationIssue[], parent: Json | undefined): boolean {
    let memo = choice.items;
    if (memo === null) return false;
    if (memo === undefined) {
      memo = { root: newConceptSlot(run.memos), lookups: 0, fresh: 0 };
      choice.items = memo;
    }
    memo.lookups++;
    const slot = itemSlot(run.memos, memo.root, item, discriminator);
    if (!slot || slot.issues === null) return false;
    const known = slot.issues;
    if (known) {
      for (let i = 0; i < known.length; i++) sink.push(rebased(known[i], path + known[i].suffix));
      return true;
    }
    // content that hardly recurs would only grow the trie: give up the memo for this discriminator
    if (++memo.fresh > 64 && memo.fresh * 2 > memo.lookups) choice.items = null;
    const mark = sink.length;
    const reads = this.contextReads;
    this.checkValue(run, item, undefined, node, type, path, env, sink, parent);
    slot.issues = this.reusable(sink, mark, path, reads);
    return true;
  }

  /**
   * The issues a walk of the value at `path` added to the sink since `mark`, relative to that path,
   * or null when they cannot be reused elsewhere: the walk read beyond the value (an invariant, an
   * element id, a reference, an extension's context, a resource), an issue points outside the value,
   * or a message names the path.
   */
  private reusable(sink: ValidationIssue[], mark: number, path: string, reads: number): { issue: ValidationIssue; suffix: string; plain: boolean }[] | null {
    if (this.contextReads !== reads) return null;
    const found: { issue: ValidationIssue; suffix: string; plain: boolean }[] = [];
    for (let i = mark; i < sink.length; i++) {
      const issue = sink[i];
      const where = issue.expression;
      if (where === undefined || !within(where, path) || issue.diagnostics.includes(path)) return null;
      found.push({ issue, suffix: where.slice(path.length), plain: reportShaped(issue) });
    }
    return found;
  }

  /**
   * Counts the checks that read beyond the value they check (invariants, element ids, references,
   * extension contexts, resources, profile discriminators), so that a memo can tell whether a walk's
   * issues depend on its content alone.
   */
  private contextReads = 0;

  /** For slicing: a check read beyond the value (see contextReads). */
  noteContextRead(): void {
    this.contextReads++;
  }

  private checkPrimitive(run: Run, value: unknown, ext: Json | undefined, node: ElementNode, type: TypeRef, path: string, env: ResourceEnv, sink: ValidationIssue[]): void {
    if (value !== undefined) {
      const kind = jsonKindOf(type.code);
      if (typeof value !== kind) {
        report(sink, 'error', 'structure', 'JSON_TYPE', `The value of ${node.path} (${type.code}) must be a JSON ${kind}, not ${articled(jsonTypeName(value))}`, path);
      } else if (kind === 'string' && value === '') {
        report(sink, 'error', 'structure', 'JSON_EMPTY', '@value cannot be empty: empty strings are not allowed in FHIR JSON', path);
        // an empty string is no value, so without extensions the element is empty: ele-1 fails too (HL7 reports both)
        if (!ext) report(sink, 'error', 'invariant', 'INVARIANT', `Constraint failed: ele-1: 'All FHIR elements must have a @value or children'`, path);
      } else {
        const problem = checkPrimitiveFormat(type.code, value);
        if (type.code === 'xhtml') checkNarrativeXhtml(value as string, node, path, sink);
        if (problem) report(sink, 'error', 'value', problem.messageId, problem.message, path);
        else {
          this.checkFixedPattern(value, node, path, sink);
          if (node.binding && (type.code === 'code' || type.code === 'string' || type.code === 'uri')) checkBinding(this, value, node, type, path, sink);
        }
      }
    } else {
      if (node.fixed !== undefined || node.pattern !== undefined) this.checkFixedPattern(undefined, node, path, sink);
      if (node.binding && ext) checkMissingRequiredCode(node, type, path, sink);
    }
    if (ext) {
      let empty = true;
      let onlyId = true;
      for (const k in ext) {
        empty = false;
        if (k !== 'id') onlyId = false;
      }
      if (empty) report(sink, 'error', 'structure', 'JSON_EMPTY', 'Object must have some content: an empty object must be omitted', path);
      else {
        const root = this.rootOf(type);
        if (root) this.walkObject(run, ext, root, type, path, env, sink);
        if (onlyId && value === undefined) {
          report(sink, 'error', 'invariant', 'INVARIANT', `Constraint failed: ele-1: 'All FHIR elements must have a @value or children'`, path);
        }
      }
    }
    if (node.invariants.length && value !== undefined) this.checkInvariants(run, value, node, path, env, sink);
  }

  checkFixedPattern(value: unknown, node: ElementNode, path: string, sink: ValidationIssue[]): void {
    if (node.fixed !== undefined && !deepEqual(node.fixed, value)) {
      report(sink, 'error', 'value', 'FIXED', `Value is '${value === undefined ? '(none)' : describe(value)}' but must be '${describe(node.fixed)}' (fixed in ${node.profile.url} at ${node.id})`, path, node.rule);
    }
    if (node.pattern !== undefined && !matchesPattern(node.pattern, value)) {
      report(sink, 'error', 'value', 'PATTERN', `The value ${value === undefined ? '(none)' : describe(value)} does not match the pattern ${describe(node.pattern)} required by ${node.profile.url} at ${node.id}`, path, node.rule);
    }
  }

  /** Evaluates the node's invariants; `already` is a node whose invariants were evaluated on this value (same keys are skipped). */
  checkInvariants(run: Run, value: unknown, node: ElementNode, path: string, env: ResourceEnv, sink: ValidationIssue[], already?: ElementNode): void {
    // most elements carry only ele-1 (checked natively): keep the list of the others per node
    const list = (node.evaluated ??= node.invariants.filter((i) => !NATIVE_INVARIANTS.has(i.key)));
    for (let k = 0; k < list.length; k++) {
      const inv = list[k];
      // narrative lives in the container: the HL7 validator does not ask contained resources for it
      if (inv.key === 'dom-6' && env.isContained) continue;
      if (already && already.invariants.some((i) => i.key === inv.key)) continue;
      this.evalInvariant(inv, value, node.path, path, env, sink);
    }
    void run;
  }

  private evalInvariant(inv: CompiledInvariant, value: unknown, basePath: string, path: string, env: ResourceEnv, sink: ValidationIssue[]): void {
    this.contextReads++;
    const native = NATIVE_EXPRESSIONS[inv.key];
    let ok: boolean;
    if (native && native.expression === inv.expression) {
      ok = native.holds(value, env);
      if (!ok) report(sink, inv.severity, 'invariant', 'INVARIANT', `Constraint failed: ${inv.key}: '${inv.human}' (defined in ${inv.source})`, path, inv.tagged ? inv.rule : undefined);
      return;
    }
    if (inv.native === undefined) inv.native = compileNative(inv.expression);
    // fhirpath.js reads JSON through the R4 model (a stray `value` key on a value[x] parent is invisible
    // to it); the native evaluator reads plain JSON, so it only runs where the walker found no property
    // outside the model
    if (inv.native && !hasStrayProperty(sink, path)) {
      let result: unknown[] | undefined;
      try {
        result = inv.native(value);
      } catch (e) {
        if (e !== BAIL) throw e;
      }
      if (result) {
        if (!invariantHolds(result)) report(sink, inv.severity, 'invariant', 'INVARIANT', `Constraint failed: ${inv.key}: '${inv.human}' (defined in ${inv.source})`, path, inv.tagged ? inv.rule : undefined);
        return;
      }
    }
    const fn = compiledInvariant(inv, basePath);
    if (!fn) return;
    try {
      ok = invariantHolds(fn(value, { resource: env.resource, rootResource: env.rootResource, [RESOLVE_ENV_VAR]: env }));
    } catch (e) {
      report(sink, 'warning', 'processing', 'INVARIANT_ERROR', `Problem evaluating invariant ${inv.key} ('${inv.expression}'): ${(e as Error).message.split('\n')[0]}`, path);
      return;
    }
    if (!ok) {
      report(sink, inv.severity, 'invariant', 'INVARIANT', `Constraint failed: ${inv.key}: '${inv.human}' (defined in ${inv.source})`, path, inv.tagged ? inv.rule : undefined);
    }
  }
}

/** dom-3: each contained resource is referenced from elsewhere in the resource (or refers to its container with '#'). */
function checkContainedReferenced(resource: Json, path: string, sink: ValidationIssue[]): void {
  const refs = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.charCodeAt(0) === 35 /* # */) refs.add(v);
    } else if (Array.isArray(v)) v.forEach(collect);
    else if (isObject(v)) for (const k in v) collect(v[k]);
  };
  collect(resource);
  const unmatched: string[] = [];
  for (const c of resource.contained as unknown[]) {
    if (!isObject(c) || typeof c.id !== 'string') continue;
    if (refs.has('#' + c.id)) continue;
    const inner = new Set<string>();
    const own = (v: unknown): void => {
      if (typeof v === 'string') {
        if (v === '#') inner.add(v);
      } else if (Array.isArray(v)) v.forEach(own);
      else if (isObject(v)) for (const k in v) own(v[k]);
    };
    own(c);
    if (!inner.size) unmatched.push(c.id);
  }
  if (unmatched.length) {
    report(
      sink,
      'error',
      'invariant',
      'INVARIANT',
      `Constraint failed: dom-3: 'If the resource is contained in another resource, it SHALL be referred to from elsewhere in the resource or SHALL refer to the containing resource' (unreferenced: ${unmatched.join(', ')})`,
      path,
    );
  }
}


const STRAY = new Set(['UNKNOWN_ELEMENT', 'TYPE_NOT_ALLOWED', 'CHOICE_MULTIPLE']);

function hasStrayProperty(sink: ValidationIssue[], path: string): boolean {
  for (let i = 0; i < sink.length; i++) {
    const issue = sink[i];
    if (issue.messageId !== undefined && STRAY.has(issue.messageId) && (issue.expression === undefined || issue.expression.startsWith(path))) return true;
  }
  return false;
}

/**
 * A fixed value against a value or any item of an array. Not a some() closure in the caller's loop:
 * a loop variable captured by a closure costs a context object per iteration, taken or not.
 */
function fixedMatches(fixed: unknown, v: unknown): boolean {
  if (!Array.isArray(v)) return deepEqual(fixed, v);
  for (let i = 0; i < v.length; i++) if (deepEqual(fixed, v[i])) return true;
  return false;
}

function articled(kind: string): string {
  return kind === 'array' || kind === 'object' ? `an ${kind}` : `a ${kind}`;
}




/** A copy of an issue at another expression: as report() builds them when it has that shape, else by spreading. */
function rebased(memo: { issue: ValidationIssue; plain: boolean }, expression: string): ValidationIssue {
  const issue = memo.issue;
  if (!memo.plain) return { ...issue, expression };
  const copy: ValidationIssue = { severity: issue.severity, code: issue.code, diagnostics: issue.diagnostics, expression, messageId: issue.messageId };
  if (issue.rule) copy.rule = issue.rule;
  return copy;
}

const REPORT_KEYS = ['severity', 'code', 'diagnostics', 'expression', 'messageId', 'rule'];

/** Has the issue exactly the keys report() gives it, in its order? */
function reportShaped(issue: ValidationIssue): boolean {
  const keys = Object.keys(issue);
  return keys.length >= 5 && keys.every((k, i) => k === REPORT_KEYS[i]) && (keys.length === 5 || issue.rule !== undefined);
}

/** Is `where` the path itself or a path inside it (not a sibling sharing its prefix: component[1] and component[10])? */
function within(where: string, path: string): boolean {
  if (!where.startsWith(path)) return false;
  if (where.length === path.length) return true;
  const c = where.charCodeAt(path.length);
  return c === 46 /* . */ || c === 91 /* [ */;
}

function isPrimitiveType(type: TypeRef): boolean {
  return (type.isPrimitive ??= PRIMITIVE_TYPES.has(type.code));
}

/** Does the object have any `_x` key (a primitive's extension twin)? */
function hasUnderscoreKey(obj: Json): boolean {
  for (const key in obj) if (key.charCodeAt(0) === 95) return true;
  return false;
}
