/**
 * Loaded CodeSystems, compiled once each into a code index with hierarchy and properties, so that
 * membership and filters (`is-a`, `descendent-of`, `=`, `regex`, ...) are set look-ups.
 */
import type { CodeSystem, CodeSystemConcept } from 'fhir/r4';

export interface ConceptInfo {
  code: string;
  display?: string;
  /** Display and designations, for the display check. */
  displays: string[];
  properties: Map<string, string[]>;
  parents: Set<string>;
  children: Set<string>;
}

export interface CompiledCodeSystem {
  url: string;
  version?: string;
  /** complete: every code is here; otherwise (fragment, example, not-present) absence proves nothing. */
  complete: boolean;
  caseSensitive: boolean;
  concepts: Map<string, ConceptInfo>;
  /** Lower-cased code → concept, when the system is not case sensitive. */
  folded?: Map<string, ConceptInfo>;
  lookup(code: string): ConceptInfo | undefined;
  /** The code and all its descendants (`is-a`), or undefined when the code is unknown. */
  descendantsOrSelf(code: string): Set<string>;
}

function propertyValue(p: NonNullable<CodeSystemConcept['property']>[number]): string | undefined {
  const v = p.valueCode ?? p.valueString ?? p.valueDateTime ?? p.valueCoding?.code;
  if (v !== undefined) return v;
  if (p.valueBoolean !== undefined) return String(p.valueBoolean);
  if (p.valueInteger !== undefined) return String(p.valueInteger);
  if (p.valueDecimal !== undefined) return String(p.valueDecimal);
  return undefined;
}

export function compileCodeSystem(cs: CodeSystem): CompiledCodeSystem {
  const concepts = new Map<string, ConceptInfo>();
  const info = (code: string): ConceptInfo => {
    let c = concepts.get(code);
    if (!c) {
      c = { code, displays: [], properties: new Map(), parents: new Set(), children: new Set() };
      concepts.set(code, c);
    }
    return c;
  };
  const visit = (list: CodeSystemConcept[] | undefined, parent: string | undefined): void => {
    for (const concept of list ?? []) {
      if (!concept.code) continue;
      const c = info(concept.code);
      if (concept.display !== undefined) {
        c.display ??= concept.display;
        c.displays.push(concept.display);
      }
      for (const d of concept.designation ?? []) if (d.value) c.displays.push(d.value);
      for (const p of concept.property ?? []) {
        const value = propertyValue(p);
        if (value === undefined) continue;
        const values = c.properties.get(p.code) ?? [];
        values.push(value);
        c.properties.set(p.code, values);
      }
      if (parent) {
        c.parents.add(parent);
        info(parent).children.add(c.code);
      }
      visit(concept.concept, concept.code);
    }
  };
  visit(cs.concept, undefined);
  // Hierarchies written as properties (v3 and others use `parent`, `child`, `subsumedBy`).
  for (const c of [...concepts.values()]) {
    for (const p of [...(c.properties.get('parent') ?? []), ...(c.properties.get('subsumedBy') ?? [])]) {
      c.parents.add(p);
      info(p).children.add(c.code);
    }
    for (const ch of c.properties.get('child') ?? []) {
      c.children.add(ch);
      info(ch).parents.add(c.code);
    }
  }
  const caseSensitive = cs.caseSensitive !== false;
  let folded: Map<string, ConceptInfo> | undefined;
  if (!caseSensitive) {
    folded = new Map();
    for (const c of concepts.values()) folded.set(c.code.toLowerCase(), c);
  }
  const descendantCache = new Map<string, Set<string>>();
  return {
    url: cs.url!,
    version: cs.version,
    complete: cs.content === 'complete',
    caseSensitive,
    concepts,
    folded,
    lookup(code) {
      return concepts.get(code) ?? folded?.get(code.toLowerCase());
    },
    descendantsOrSelf(code) {
      let set = descendantCache.get(code);
      if (!set) {
        set = new Set();
        const stack = [code];
        while (stack.length) {
          const next = stack.pop()!;
          if (set.has(next)) continue;
          set.add(next);
          for (const ch of concepts.get(next)?.children ?? []) stack.push(ch);
        }
        descendantCache.set(code, set);
      }
      return set;
    },
  };
}
