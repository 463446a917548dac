/**
 * Slicing: assigns each item of a sliced element to a slice by its discriminators (value, pattern,
 * type, profile, exists), then checks closed/openAtEnd/ordered and each slice's cardinality, and
 * validates every item against its slice.
 */
import type { ValidationIssue } from '../issue';
import type { Discriminator, ElementNode, TypeRef } from '../compile/model';
import { PRIMITIVE_TYPES } from '../compile/compiler';
import { deepEqual, matchesPattern } from './match';
import { indexSuffix, isObject, isUpperAt, report, type Json, type ResourceEnv } from './context';
import { resolveReference } from './references';
import type { Engine, Run } from './engine';
import { conceptSlot, newConceptSlot, wholeItems, type ConceptSlot, type SlotTally } from './concept-memo';

type Expectation =
  | { kind: 'fixed' | 'pattern'; value: unknown }
  | { kind: 'type'; codes: string[] }
  | { kind: 'profile'; urls: string[] }
  | { kind: 'exists'; exists: boolean };

/**
 * A value found at a discriminator path. Its path (for issues and memo keys) is built only when read:
 * most discriminator values are compared and dropped.
 */
class Located {
  private built?: string;
  constructor(
    readonly value: unknown,
    readonly type: string | undefined,
    private readonly base: Located | string,
    private readonly seg = '',
    private readonly index = -1,
  ) {}

  get path(): string {
    if (this.built === undefined) {
      if (typeof this.base === 'string') this.built = this.base;
      else this.built = this.index >= 0 ? `${this.base.path}.${this.seg}[${this.index}]` : `${this.base.path}.${this.seg}`;
    }
    return this.built;
  }
}

const expectations = new WeakMap<ElementNode, (Expectation | null)[]>();
const paths = new WeakMap<ElementNode, Step[][]>();

/** One segment of a discriminator path, parsed once (the segments were matched by regexes per item). */
type Step = { kind: 'this' | 'resolve' | 'name'; arg: string } | { kind: 'extension' | 'ofType'; arg: string };

function parseSteps(segs: string[]): Step[] {
  return segs.map((seg): Step => {
    if (seg === '$this') return { kind: 'this', arg: seg };
    if (seg === 'resolve()') return { kind: 'resolve', arg: seg };
    const ext = EXT_FN.exec(seg);
    if (ext) return { kind: 'extension', arg: ext[1] };
    const of = OFTYPE_FN.exec(seg);
    if (of) return { kind: 'ofType', arg: of[1] };
    return { kind: 'name', arg: seg };
  });
}

function discPaths(slicing: ElementNode): Step[][] {
  let list = paths.get(slicing);
  if (!list) {
    list = slicing.slicing!.discriminators.map((d) => parseSteps(splitPath(d.path)));
    paths.set(slicing, list);
  }
  return list;
}

function splitPath(path: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of path) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

const EXT_FN = /^extension\(\s*['"](.+)['"]\s*\)$/;
const OFTYPE_FN = /^ofType\(\s*([A-Za-z]+)\s*\)$/;

function decap(s: string): string {
  const lower = s.charAt(0).toLowerCase() + s.slice(1);
  return PRIMITIVE_TYPES.has(lower) ? lower : s;
}

function instanceValues(engine: Engine, item: unknown, itemType: string | undefined, itemPath: string, steps: Step[], env: ResourceEnv): Located[] {
  let current: Located[] = [new Located(item, itemType, itemPath)];
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s];
    if (step.kind === 'this') continue;
    const seg = step.arg;
    const next: Located[] = [];
    for (let c = 0; c < current.length; c++) {
      const loc = current[c];
      const v = loc.value;
      if (step.kind === 'resolve') {
        engine.noteContextRead();
        if (isObject(v) && typeof v.reference === 'string') {
          const r = resolveReference(v.reference, env);
          if (r) next.push(new Located(r.resource, r.resource.resourceType as string, r.path));
        }
        continue;
      }
      if (step.kind === 'extension') {
        if (isObject(v) && Array.isArray(v.extension)) {
          const list = v.extension;
          for (let i = 0; i < list.length; i++) {
            const e = list[i];
            if (isObject(e) && e.url === seg) next.push(new Located(e, 'Extension', loc, 'extension', i));
          }
        }
        continue;
      }
      if (step.kind === 'ofType') {
        if (typeOf(loc) === seg) next.push(loc);
        continue;
      }
      if (!isObject(v)) continue;
      const direct = v[seg];
      if (direct !== undefined) {
        if (Array.isArray(direct)) {
          for (let i = 0; i < direct.length; i++) next.push(new Located(direct[i], undefined, loc, seg, i));
        } else {
          const type = isObject(direct) && typeof direct.resourceType === 'string' ? (direct.resourceType as string) : undefined;
          next.push(new Located(direct, type, loc, seg));
        }
        continue;
      }
      for (const key in v) {
        if (key.length > seg.length && key.startsWith(seg) && isUpperAt(key, seg.length)) {
          next.push(new Located(v[key], decap(key.slice(seg.length)), loc, key));
        }
      }
    }
    current = next;
  }
  return current;
}

function typeOf(loc: Located): string | undefined {
  if (loc.type) return loc.type;
  if (isObject(loc.value) && typeof loc.value.resourceType === 'string') return loc.value.resourceType;
  return undefined;
}

function extensionSliceUrl(engine: Engine, slice: ElementNode): string | undefined {
  const t = slice.types[0];
  if (t?.code === 'Extension' && t.profiles.length) return t.profiles[0];
  const urlChild = slice.children.find((c) => c.name === 'url');
  if (urlChild && typeof urlChild.fixed === 'string') return urlChild.fixed;
  void engine;
  return undefined;
}

function childNamed(engine: Engine, node: ElementNode, name: string): ElementNode | undefined {
  const source = engine.compiler.childSource(node, node.types[0]);
  return source?.children.find((c) => c.name === name);
}

function getPath(value: unknown, segs: string[]): unknown {
  let cur: unknown = value;
  for (const s of segs) {
    if (Array.isArray(cur)) cur = cur.map((c) => (isObject(c) ? c[s] : undefined)).filter((c) => c !== undefined);
    else if (isObject(cur)) cur = cur[s];
    else return undefined;
  }
  return cur;
}

function expectationFor(engine: Engine, slice: ElementNode, d: Discriminator): Expectation | null {
  const segs = splitPath(d.path);
  let cur = slice;
  let before: ElementNode | undefined;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if ((d.type === 'value' || d.type === 'pattern') && (cur.fixed !== undefined || cur.pattern !== undefined) && seg !== '$this') {
      const fixed = cur.fixed !== undefined;
      const v = getPath(fixed ? cur.fixed : cur.pattern, segs.slice(i));
      return v === undefined ? null : { kind: fixed ? 'fixed' : 'pattern', value: v };
    }
    if (seg === '$this') continue;
    if (seg === 'resolve()') {
      before = cur;
      const target = cur.types.flatMap((t) => t.targetProfiles)[0];
      const p = target ? engine.compiler.profile(target) : undefined;
      if (!p) return d.type === 'profile' || d.type === 'type' ? expectationFromResolve(engine, cur, d) : null;
      cur = p.root;
      continue;
    }
    const ext = EXT_FN.exec(seg);
    if (ext) {
      const extNode = childNamed(engine, cur, 'extension');
      const match = extNode?.slices.find((s) => extensionSliceUrl(engine, s) === ext[1]);
      const p = match ?? engine.compiler.profile(ext[1])?.root;
      if (!p) return null;
      cur = p;
      continue;
    }
    if (OFTYPE_FN.test(seg)) continue;
    if (seg === 'url' && cur.types[0]?.code === 'Extension' && cur.types[0].profiles.length && i === segs.length - 1) {
      return { kind: 'fixed', value: cur.types[0].profiles[0] };
    }
    const child = childNamed(engine, cur, seg);
    if (!child) return null;
    before = cur;
    cur = child;
  }
  switch (d.type) {
    case 'value':
    case 'pattern':
      if (cur.fixed !== undefined) return { kind: 'fixed', value: cur.fixed };
      if (cur.pattern !== undefined) return { kind: 'pattern', value: cur.pattern };
      return null;
    case 'type':
      if (segs[segs.length - 1] === 'resolve()' && before) return expectationFromResolve(engine, before, d);
      return cur.types.length ? { kind: 'type', codes: cur.types.map((t) => t.code) } : null;
    case 'profile': {
      if (segs[segs.length - 1] === 'resolve()' && before) return expectationFromResolve(engine, before, d);
      const urls = cur.types.flatMap((t) => t.profiles);
      return urls.length ? { kind: 'profile', urls } : null;
    }
    case 'exists':
      if (cur.min >= 1) return { kind: 'exists', exists: true };
      if (cur.max === 0) return { kind: 'exists', exists: false };
      return null;
    default:
      return null;
  }
}

function expectationFromResolve(engine: Engine, refNode: ElementNode, d: Discriminator): Expectation | null {
  const targets = refNode.types.flatMap((t) => t.targetProfiles);
  if (!targets.length) return null;
  if (d.type === 'profile') return { kind: 'profile', urls: targets };
  const codes = targets.map((t) => engine.compiler.profile(t)?.type).filter((c): c is string => !!c);
  return codes.length ? { kind: 'type', codes } : null;
}

function expectationsOf(engine: Engine, slicing: ElementNode, slice: ElementNode): (Expectation | null)[] {
  let list = expectations.get(slice);
  if (!list) {
    list = slicing.slicing!.discriminators.map((d) => expectationFor(engine, slice, d));
    expectations.set(slice, list);
  }
  return list;
}

/** The values of an item at each discriminator path, computed once per item and shared by all candidate slices. */
type ItemValues = (Located[] | undefined)[];

function matchesSlice(engine: Engine, run: Run, item: unknown, ext: Json | undefined, slicing: ElementNode, slice: ElementNode, type: TypeRef, itemPath: string, env: ResourceEnv, cache: ItemValues): boolean {
  const discs = slicing.slicing!.discriminators;
  const exps = expectationsOf(engine, slicing, slice);
  if (!discs.length || exps.includes(null)) {
    // no usable discriminator: the item belongs to the slice when it validates against it
    const scratch: ValidationIssue[] = [];
    engine.checkValue(run, item, ext, slice, slice.types[0] ?? type, itemPath, env, scratch);
    return !scratch.some((i) => i.severity === 'error' || i.severity === 'fatal');
  }
  const itemType = isObject(item) && typeof item.resourceType === 'string' ? item.resourceType : type.code;
  for (let i = 0; i < discs.length; i++) {
    const exp = exps[i]!;
    const values = (cache[i] ??= instanceValues(engine, item, itemType, itemPath, discPaths(slicing)[i], env));
    let ok = false;
    switch (exp.kind) {
      case 'fixed':
        for (let k = 0; k < values.length && !ok; k++) ok = deepEqual(exp.value, values[k].value) || (Array.isArray(exp.value) && matchesPattern(exp.value, values[k].value));
        break;
      case 'pattern':
        for (let k = 0; k < values.length && !ok; k++) ok = matchesPattern(exp.value, values[k].value);
        break;
      case 'type':
        for (let k = 0; k < values.length && !ok; k++) {
          const t = typeOf(values[k]);
          ok = t === undefined ? exp.codes.length === 1 : exp.codes.includes(t);
        }
        break;
      case 'exists':
        ok = (values.length > 0) === exp.exists;
        break;
      case 'profile':
        // loops, not some() with a closure: a closure over the loop variable is a context object per item
        for (let k = 0; k < values.length && !ok; k++) for (let u = 0; u < exp.urls.length && !ok; u++) ok = conformsValue(engine, run, values[k], exp.urls[u], env);
        break;
    }
    if (!ok) return false;
  }
  return true;
}

function conformsValue(engine: Engine, run: Run, loc: Located, url: string, env: ResourceEnv): boolean {
  engine.noteContextRead();
  const v = loc.value;
  if (!isObject(v)) return false;
  if (typeof v.resourceType === 'string') return engine.conformsTo(run, v, url, loc.path, env, undefined);
  if (typeof v.url === 'string' && loc.type === 'Extension') return v.url === url.split('|')[0];
  const p = engine.compiler.profile(url);
  if (!p) return false;
  const scratch: ValidationIssue[] = [];
  engine.checkValue(run, v, undefined, p.root, engine.bareType(p.type), loc.path, env, scratch);
  return !scratch.some((i) => i.severity === 'error' || i.severity === 'fatal');
}

interface SliceIndex {
  disc: number;
  steps: Step[];
  /** Candidate slices by key, in two parts (see keyParts): no key string is built per item. */
  byKey: Map<string, Map<string, number[]>>;
  unindexed: number[];
  /** Keys come from the code of the (resolved) resource, for profile discriminators. */
  viaCode: boolean;
  /** Sorted candidates (unindexed slices and those of the key) per single key, filled on use. */
  merged: Map<string, Map<string, number[]>>;
  mergedCount: number;
}

const indexes = new WeakMap<ElementNode, SliceIndex | null>();

/** First key part of a primitive value (a coding's first part is its system, '' when absent). */
const PRIMITIVE_KEY = '\u0000primitive';

/** Keys found on one item; a single scratch list, consumed before anything can call back into slicing. */
const found = { first: [] as string[], second: [] as string[], n: 0 };

function addKey(first: string, second: string): void {
  found.first[found.n] = first;
  found.second[found.n] = second;
  found.n++;
}

/** A necessary key of a fixed/pattern value: the value itself for primitives, system and code of its (first) coding. */
function signature(v: unknown): [string, string] | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return [PRIMITIVE_KEY, String(v)];
  if (!isObject(v)) return undefined;
  if (Array.isArray(v.coding) && isObject(v.coding[0]) && typeof v.coding[0].code === 'string') return [systemPart(v.coding[0].system), v.coding[0].code];
  if (typeof v.code === 'string') return [systemPart(v.system), v.code];
  return undefined;
}

function systemPart(system: unknown): string {
  return typeof system === 'string' ? system : system === undefined || system === null ? '' : String(system);
}

function instanceKeys(v: unknown): void {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') addKey(PRIMITIVE_KEY, String(v));
  else if (isObject(v)) {
    if (Array.isArray(v.coding)) {
      for (let i = 0; i < v.coding.length; i++) {
        const c = v.coding[i];
        if (isObject(c) && typeof c.code === 'string') addKey(systemPart(c.system), c.code);
      }
    }
    if (typeof v.code === 'string') addKey(systemPart(v.system), v.code);
  }
}

function get2<T>(map: Map<string, Map<string, T>>, first: string, second: string): T | undefined {
  return map.get(first)?.get(second);
}

function set2<T>(map: Map<string, Map<string, T>>, first: string, second: string, value: T): void {
  let inner = map.get(first);
  if (!inner) {
    inner = new Map();
    map.set(first, inner);
  }
  inner.set(second, value);
}

function addCandidate(byKey: Map<string, Map<string, number[]>>, key: [string, string], slice: number): void {
  const list = get2(byKey, key[0], key[1]);
  if (list) list.push(slice);
  else set2(byKey, key[0], key[1], [slice]);
}

/**
 * Slices told apart by a fixed/pattern discriminator (a code, a url) are indexed by that value, so
 * that an item is tried only against the slices whose key it carries instead of against every slice.
 */
function sliceIndex(engine: Engine, child: ElementNode): SliceIndex | null {
  let index = indexes.get(child);
  if (index !== undefined) return index;
  index = null;
  const discs = child.slicing!.discriminators;
  const d = discs.findIndex((x) => x.type === 'value' || x.type === 'pattern');
  if (d >= 0) {
    const byKey = new Map<string, Map<string, number[]>>();
    const unindexed: number[] = [];
    child.slices.forEach((slice, i) => {
      const exp = expectationsOf(engine, child, slice)[d];
      const key = exp && (exp.kind === 'fixed' || exp.kind === 'pattern') ? signature(exp.value) : undefined;
      if (key === undefined) unindexed.push(i);
      else addCandidate(byKey, key, i);
    });
    if (byKey.size) index = { disc: d, steps: discPaths(child)[d], byKey, unindexed, viaCode: false, merged: new Map(), mergedCount: 0 };
  }
  const pd = discs.findIndex((x) => x.type === 'profile');
  if (!index && pd >= 0) {
    // profiles told apart by the code they fix (Observation profiles, typically): index by that code
    const byKey = new Map<string, Map<string, number[]>>();
    const unindexed: number[] = [];
    child.slices.forEach((slice, i) => {
      const exp = expectationsOf(engine, child, slice)[pd];
      const keys = exp?.kind === 'profile' ? exp.urls.map((u) => profileCodeKey(engine, u)) : [undefined];
      if (keys.some((k) => k === undefined)) unindexed.push(i);
      else {
        const distinct = new Map((keys as [string, string][]).map((k) => [k.join('\u0000'), k]));
        for (const key of distinct.values()) addCandidate(byKey, key, i);
      }
    });
    if (byKey.size) index = { disc: pd, steps: discPaths(child)[pd], byKey, unindexed, viaCode: true, merged: new Map(), mergedCount: 0 };
  }
  indexes.set(child, index);
  return index;
}

function profileCodeKey(engine: Engine, url: string): [string, string] | undefined {
  const root = engine.compiler.profile(url)?.root;
  const code = root?.children.find((c) => c.name === 'code');
  return code ? signature(code.fixed ?? code.pattern) : undefined;
}

const NO_CANDIDATES: number[] = [];

const everySlice = new WeakMap<ElementNode, number[]>();

/** Every slice's index, as one shared array per sliced element (iterating an array allocates nothing). */
function allSlices(child: ElementNode): number[] {
  let list = everySlice.get(child);
  if (!list) {
    list = child.slices.map((_, i) => i);
    everySlice.set(child, list);
  }
  return list;
}

function candidateSlices(engine: Engine, child: ElementNode, item: unknown, type: TypeRef, itemPath: string, env: ResourceEnv, cache: ItemValues): readonly number[] {
  const index = sliceIndex(engine, child);
  if (!index) return allSlices(child);
  const itemType = isObject(item) && typeof item.resourceType === 'string' ? item.resourceType : type.code;
  const values = (cache[index.disc] ??= instanceValues(engine, item, itemType, itemPath, index.steps, env));
  found.n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i].value;
    instanceKeys(index.viaCode ? (isObject(v) ? v.code : undefined) : v);
  }
  const n = found.n;
  if (!index.unindexed.length && n === 1) return get2(index.byKey, found.first[0], found.second[0]) ?? NO_CANDIDATES;
  if (n === 0) return index.unindexed;
  if (n === 1) {
    // the same few keys recur on every item (one per slice code): merge their candidates once
    const first = found.first[0];
    const second = found.second[0];
    let merged = get2(index.merged, first, second);
    if (!merged) {
      merged = [...new Set([...index.unindexed, ...(get2(index.byKey, first, second) ?? [])])].sort((a, b) => a - b);
      if (index.mergedCount < 1000) {
        set2(index.merged, first, second, merged);
        index.mergedCount++;
      }
    }
    return merged;
  }
  const out = new Set<number>(index.unindexed);
  for (let k = 0; k < n; k++) for (const i of get2(index.byKey, found.first[k], found.second[k]) ?? []) out.add(i);
  return [...out].sort((a, b) => a - b);
}

const byCodeOnly = new WeakMap<ElementNode, string | null>();

/**
 * The property whose value alone selects the slice, when the slicing has a single value/pattern
 * discriminator on a plain property (`code`) and every slice expects a fixed or pattern value there.
 */
function discriminatingProperty(engine: Engine, child: ElementNode): string | null {
  let name = byCodeOnly.get(child);
  if (name !== undefined) return name;
  name = null;
  const discs = child.slicing!.discriminators;
  const steps = discPaths(child)[0];
  if (discs.length === 1 && (discs[0].type === 'value' || discs[0].type === 'pattern') && steps.length === 1 && steps[0].kind === 'name') {
    const usable = child.slices.every((slice) => {
      const exp = expectationsOf(engine, child, slice)[0];
      return exp !== null && (exp.kind === 'fixed' || exp.kind === 'pattern');
    });
    if (usable) name = steps[0].arg;
  }
  byCodeOnly.set(child, name);
  return name;
}

/**
 * The run's memo slot of an item's slice choice, when that choice depends only on a plain
 * CodeableConcept at the discriminator (the component codes of a variant recur on every variant),
 * or when the item is itself a plain CodeableConcept (a category sliced by its `coding`): keyed then
 * by the whole item, under a branch of its own so that the two kinds of key never meet.
 */
function choiceSlot(tally: SlotTally, root: ConceptSlot | undefined, name: string | null, item: unknown): ConceptSlot | undefined {
  if (root === undefined || name === null || !isObject(item)) return undefined;
  const value = item[name];
  if (isObject(value)) return conceptSlot(tally, root, value);
  return Array.isArray(value) ? conceptSlot(tally, wholeItems(tally, root), item) : undefined;
}

/** The run's root of the slice choices of a sliced element (see choiceSlot), looked up once per element rather than per item. */
function choicesOf(run: Run, child: ElementNode, name: string | null): ConceptSlot | undefined {
  if (name === null) return undefined;
  let root = run.memos.sliceChoices.get(child);
  if (!root) {
    root = newConceptSlot(run.memos);
    run.memos.sliceChoices.set(child, root);
  }
  return root;
}

/** For a choice element sliced by type (value[x]:valueQuantity), the slice for the type used. */
export function pickTypeSlice(child: ElementNode, type: TypeRef): ElementNode | undefined {
  const name = child.name + type.code.charAt(0).toUpperCase() + type.code.slice(1);
  return child.slices.find((s) => s.sliceName === name || (s.types.length === 1 && s.types[0].code === type.code));
}

/**
 * Per-slice counts, one array per nesting level of checkSlicing (an item may hold sliced elements of
 * its own): a fresh array per sliced element present was a steady source of garbage.
 */
const countsByDepth: number[][] = [];
let slicingDepth = 0;

export function checkSlicing(engine: Engine, run: Run, items: readonly unknown[], exts: readonly unknown[], child: ElementNode, key: string, path: string, env: ResourceEnv, sink: ValidationIssue[], parent?: Json): void {
  const counts = (countsByDepth[slicingDepth] ??= []);
  for (let j = 0; j < child.slices.length; j++) counts[j] = 0;
  slicingDepth++;
  try {
    countSlices(engine, run, items, exts, child, key, path, env, sink, parent, counts);
  } finally {
    slicingDepth--;
  }
}

function countSlices(engine: Engine, run: Run, items: readonly unknown[], exts: readonly unknown[], child: ElementNode, key: string, path: string, env: ResourceEnv, sink: ValidationIssue[], parent: Json | undefined, counts: number[]): void {
  const slicing = child.slicing!;
  const slices = child.slices;
  const type = child.types[0] ?? { code: 'BackboneElement', profiles: [], targetProfiles: [] };
  let last = -1;
  let unmatchedSeen = false;
  const rule = child.rule;
  const prefix = `${path}.${key}`;
  const discriminator = discriminatingProperty(engine, child);
  const choices = items.length ? choicesOf(run, child, discriminator) : undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || item === undefined) continue;
    const ext = isObject(exts[i]) ? (exts[i] as Json) : undefined;
    const itemPath = child.isArray ? prefix + indexSuffix(i) : prefix;
    let idx = -1;
    const choice = choiceSlot(run.memos, choices, discriminator, item);
    if (choice && choice.slice !== undefined) idx = choice.slice;
    else {
      const cache: ItemValues = [];
      const candidates = candidateSlices(engine, child, item, type, itemPath, env, cache);
      for (let c = 0; c < candidates.length; c++) {
        const s = candidates[c];
        if (matchesSlice(engine, run, item, ext, child, slices[s], type, itemPath, env, cache)) {
          idx = s;
          break;
        }
      }
      if (choice) choice.slice = idx;
    }
    if (idx < 0) {
      unmatchedSeen = true;
      engine.checkValue(run, item, ext, child, type, itemPath, env, sink, parent);
      if (slicing.rules === 'closed') {
        report(sink, 'error', 'structure', 'SLICE_CLOSED', `This element does not match any known slice defined in the profile ${child.profile.url} and slicing is CLOSED (${child.id})`, itemPath, rule);
      }
      continue;
    }
    if (slicing.rules === 'openAtEnd' && unmatchedSeen) {
      report(sink, 'error', 'structure', 'SLICE_OPEN_AT_END', `The slice '${slices[idx].sliceName}' appears after an element that matches no slice, but slicing of ${child.id} is openAtEnd`, itemPath, rule);
    }
    if (slicing.ordered && idx < last) {
      report(sink, 'error', 'structure', 'SLICE_ORDER', `As specified by profile ${child.profile.url}, element '${child.id}' is out of order: slice '${slices[idx].sliceName}' must come before slice '${slices[last].sliceName}'`, itemPath, rule);
    }
    last = Math.max(last, idx);
    counts[idx]++;
    const slice = slices[idx];
    if (choice && ext === undefined && engine.checkRecurringItem(run, choice, item as Json, discriminator!, slice, slice.types[0] ?? type, itemPath, env, sink, parent)) continue;
    engine.checkValue(run, item, ext, slice, slice.types[0] ?? type, itemPath, env, sink, parent);
  }
  for (let j = 0; j < slices.length; j++) {
    const slice = slices[j];
    // the path is built only for an issue: this runs for every sliced element
    if (counts[j] < slice.min) {
      const where = items.length ? prefix : path;
      report(sink, 'error', 'required', 'CARDINALITY_MIN', `Slice '${slice.id}': a matching slice is required, but not found (minimum required = ${slice.min}, found ${counts[j]}) (from ${child.profile.url})`, where, slice.rule);
    }
    if (counts[j] > slice.max) {
      const where = items.length ? prefix : path;
      report(sink, 'error', 'structure', 'CARDINALITY_MAX', `Slice '${slice.id}': max allowed = ${slice.max}, but found ${counts[j]} (from ${child.profile.url})`, where, slice.rule);
    }
  }
}
