/**
 * Snapshot generation for StructureDefinitions that carry only a differential: the differential is
 * merged, element by element, onto a copy of the base definition's snapshot (bases first,
 * recursively). Covers what profiles in practice use: constraints on existing elements, new slices
 * (inserted after the sliced element's family), choice renames (`valueQuantity` becomes the type
 * slice `value[x]:valueQuantity`, as the HL7 IG publisher does), and constraints below a complex
 * element, whose children are then taken from the datatype's (or type profile's) snapshot.
 */
import type { ElementDefinition, StructureDefinition } from 'fhir/r4';
import type { CanonicalIndex } from './canonical-index';
import { CORE_SD_PREFIX } from './r4-names';

export class SnapshotError extends Error {}

type Resolver = (url: string) => StructureDefinition | undefined;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** `a.b:s.c` → ['a', 'b:s', 'c'] (slice names may contain dots only in theory; not supported). */
function segments(id: string): string[] {
  return id.split('.');
}

function stripSlice(segment: string): string {
  const colon = segment.indexOf(':');
  return colon === -1 ? segment : segment.slice(0, colon);
}

/** Rebuilds an element id from its path and slice names (differentials of older tools carry no ids). */
function assignIds(diff: ElementDefinition[]): ElementDefinition[] {
  const currentSlice = new Map<string, string>();
  return diff.map((element) => {
    if (element.id) return element;
    const parts = element.path.split('.');
    const idParts: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join('.');
      const last = i === parts.length - 1;
      if (last) {
        if (element.sliceName) currentSlice.set(prefix, element.sliceName);
        else currentSlice.delete(prefix);
        idParts.push(element.sliceName ? `${parts[i]}:${element.sliceName}` : parts[i]);
      } else {
        const slice = currentSlice.get(prefix);
        idParts.push(slice ? `${parts[i]}:${slice}` : parts[i]);
      }
    }
    return { ...element, id: idParts.join('.') };
  });
}

const LIST_PROPERTIES = new Set(['constraint', 'condition', 'mapping', 'alias', 'code', 'example']);
const NEVER_MERGED = new Set(['id', 'path', 'base', 'extension']);

function mergeElement(target: ElementDefinition, diff: ElementDefinition): void {
  const t = target as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(diff)) {
    if (NEVER_MERGED.has(key) || value === undefined) continue;
    if (key === 'constraint') {
      const existing = (target.constraint ?? []).slice();
      for (const c of value as NonNullable<ElementDefinition['constraint']>) {
        const same = existing.findIndex((e) => e.key === c.key);
        if (same === -1) existing.push(clone(c));
        else existing[same] = clone(c);
      }
      target.constraint = existing;
    } else if (LIST_PROPERTIES.has(key) && Array.isArray(t[key])) {
      const merged = (t[key] as unknown[]).slice();
      for (const v of value as unknown[]) if (!merged.some((m) => JSON.stringify(m) === JSON.stringify(v))) merged.push(clone(v));
      t[key] = merged;
    } else if (key === 'slicing' && target.slicing) {
      target.slicing = { ...target.slicing, ...clone(value as ElementDefinition['slicing']) };
    } else if (key === 'binding' && target.binding) {
      target.binding = { ...target.binding, ...clone(value as ElementDefinition['binding']) };
    } else {
      if (/^(fixed|pattern)/.test(key)) {
        // A fixed or pattern value replaces any other fixed/pattern of the base.
        for (const k of Object.keys(t)) if (/^(fixed|pattern)/.test(k)) delete t[k];
      }
      t[key] = clone(value);
    }
  }
  if (diff.extension) {
    target.extension = [...(target.extension ?? []), ...clone(diff.extension)];
  }
}

/** Index just past the family (children and slices, recursively) of the element at `index`. */
function familyEnd(elements: ElementDefinition[], index: number): number {
  const id = elements[index].id!;
  let end = index + 1;
  while (end < elements.length) {
    const other = elements[end].id!;
    if (other.startsWith(id + '.') || other.startsWith(id + ':')) end++;
    else break;
  }
  return end;
}

function rerootedChildren(source: ElementDefinition[], root: ElementDefinition): ElementDefinition[] {
  const sourceRootId = source[0].id ?? source[0].path;
  const sourceRootPath = source[0].path;
  return source.slice(1).map((e) => {
    const copy = clone(e);
    copy.id = root.id + (e.id ?? e.path).slice(sourceRootId.length);
    copy.path = root.path + e.path.slice(sourceRootPath.length);
    return copy;
  });
}

class SnapshotBuilder {
  constructor(
    private readonly elements: ElementDefinition[],
    private readonly resolve: Resolver,
    private readonly snapshotOf: (sd: StructureDefinition) => ElementDefinition[],
    private readonly profileUrl: string,
  ) {}

  private indexOf(id: string): number {
    return this.elements.findIndex((e) => e.id === id);
  }

  /** Children of a complex element, from its type profile's or datatype's snapshot (or contentReference). */
  private expand(index: number): boolean {
    const element = this.elements[index];
    if (this.elements[index + 1]?.id?.startsWith(element.id + '.')) return false; // already has children
    let source: ElementDefinition[] | undefined;
    if (element.contentReference) {
      const refId = element.contentReference.slice(element.contentReference.indexOf('#') + 1);
      const at = this.elements.findIndex((e) => e.id === refId || e.path === refId);
      if (at !== -1) {
        source = this.elements.slice(at, familyEnd(this.elements, at)).filter((e) => !e.id!.slice(this.elements[at].id!.length).includes(':'));
      }
    } else {
      const types = element.type ?? [];
      if (types.length !== 1) return false;
      const type = types[0];
      const sd = (type.profile?.length === 1 ? this.resolve(type.profile[0]) : undefined) ?? this.resolve(CORE_SD_PREFIX + type.code);
      if (sd) source = this.snapshotOf(sd);
    }
    if (!source || source.length < 2) return false;
    const children = rerootedChildren(source, element);
    this.elements.splice(index + 1, 0, ...children);
    return true;
  }

  /** Finds (creating slices, type slices and expansions as needed) the snapshot element for a differential id. */
  private locate(id: string): number {
    const found = this.indexOf(id);
    if (found !== -1) return found;
    const parts = segments(id);
    if (parts.length === 1) throw new SnapshotError(`${this.profileUrl}: differential root '${id}' does not match the base`);
    const parentIndex = this.locate(parts.slice(0, -1).join('.'));
    const parentId = this.elements[parentIndex].id!;
    const last = parts[parts.length - 1];
    const name = stripSlice(last);
    const sliceName = last.length > name.length ? last.slice(name.length + 1) : undefined;
    const childId = `${parentId}.${name}`;
    let index = this.indexOf(childId);
    if (index === -1 && this.expand(parentIndex)) index = this.indexOf(childId);
    if (index === -1) {
      // A choice element named by one of its types (`valueQuantity` for `value[x]`) is the type
      // slice `value[x]:valueQuantity`, as the IG publisher writes it.
      const choice = this.elements.findIndex((e) => {
        const eid = e.id!;
        if (!eid.startsWith(parentId + '.') || !eid.endsWith('[x]')) return false;
        const stem = eid.slice(parentId.length + 1, -3);
        return !stem.includes('.') && !stem.includes(':') && name.startsWith(stem) && name.length > stem.length;
      });
      if (choice === -1) throw new SnapshotError(`${this.profileUrl}: differential element '${id}' matches nothing in the base`);
      const existing = this.indexOf(`${this.elements[choice].id}:${name}`);
      if (existing !== -1) return existing;
      const typeName = name.slice(this.elements[choice].id!.length - parentId.length - 4);
      const type = (this.elements[choice].type ?? []).find((t) => t.code.toLowerCase() === typeName.toLowerCase());
      const slice = this.addSlice(choice, name);
      if (type) this.elements[slice].type = [clone(type)];
      return slice;
    }
    if (!sliceName) return index;
    const existing = this.indexOf(`${childId}:${sliceName}`);
    return existing !== -1 ? existing : this.addSlice(index, sliceName);
  }

  private addSlice(slicedIndex: number, sliceName: string): number {
    const sliced = this.elements[slicedIndex];
    if (!sliced.slicing && sliced.path.endsWith('[x]')) {
      sliced.slicing = { discriminator: [{ type: 'type', path: '$this' }], ordered: false, rules: 'open' };
    }
    // The slice starts as a copy of the unsliced element and its children.
    const family = this.elements.slice(slicedIndex, familyEnd(this.elements, slicedIndex)).filter((e, i) => i === 0 || !e.id!.slice(sliced.id!.length).includes(':'));
    const copies = family.map((e) => {
      const copy = clone(e);
      copy.id = `${sliced.id}:${sliceName}` + e.id!.slice(sliced.id!.length);
      return copy;
    });
    copies[0].sliceName = sliceName;
    delete copies[0].slicing;
    const at = familyEnd(this.elements, slicedIndex);
    this.elements.splice(at, 0, ...copies);
    return at;
  }

  apply(diff: ElementDefinition[]): void {
    for (const d of assignIds(diff)) {
      const index = this.locate(d.id!);
      mergeElement(this.elements[index], d);
      if (d.sliceName) this.elements[index].sliceName = d.sliceName;
    }
  }
}

function ownSnapshotIsUsable(sd: StructureDefinition): boolean {
  return !!sd.snapshot?.element?.length;
}

/** The snapshot of `sd` generated from its base (which is generated first when it needs one). */
export function generateSnapshot(sd: StructureDefinition, resolve: Resolver, inProgress = new Set<string>()): ElementDefinition[] {
  if (ownSnapshotIsUsable(sd)) return sd.snapshot!.element;
  const url = sd.url;
  if (inProgress.has(url)) throw new SnapshotError(`${url}: circular baseDefinition or type profile`);
  if (!sd.baseDefinition) throw new SnapshotError(`${url}: no snapshot and no baseDefinition to generate one from`);
  const base = resolve(sd.baseDefinition);
  if (!base) throw new SnapshotError(`${url}: base definition ${sd.baseDefinition} is not loaded`);
  inProgress.add(url);
  try {
    const snapshotOf = (other: StructureDefinition): ElementDefinition[] => {
      if (ownSnapshotIsUsable(other)) return other.snapshot!.element;
      const generated = generateSnapshot(other, resolve, inProgress);
      other.snapshot = { element: generated };
      return generated;
    };
    const elements = clone(snapshotOf(base));
    const builder = new SnapshotBuilder(elements, resolve, snapshotOf, url);
    builder.apply(sd.differential?.element ?? []);
    return elements;
  } finally {
    inProgress.delete(url);
  }
}

export interface SnapshotProblem {
  url: string;
  message: string;
}

/**
 * Gives every StructureDefinition of the index a snapshot. Definitions are replaced by copies (never
 * mutated), since parsed packages are shared between stores. A definition whose snapshot cannot be
 * generated keeps its differential only and the problem is returned (the compiler reports it when
 * the profile is used).
 */
export function generateMissingSnapshots(index: CanonicalIndex<StructureDefinition>): SnapshotProblem[] {
  const problems: SnapshotProblem[] = [];
  const pending = index.all().filter((sd) => !ownSnapshotIsUsable(sd) && sd.differential?.element?.length);
  if (!pending.length) return problems;
  const copies = new Map<StructureDefinition, StructureDefinition>();
  for (const sd of pending) {
    const copy = { ...sd };
    copies.set(sd, copy);
    index.replace(sd, copy);
  }
  const resolve: Resolver = (url) => index.get(url);
  for (const copy of copies.values()) {
    if (ownSnapshotIsUsable(copy)) continue;
    try {
      copy.snapshot = { element: generateSnapshot(copy, resolve) };
    } catch (err) {
      problems.push({ url: copy.url, message: (err as Error).message });
    }
  }
  return problems;
}
