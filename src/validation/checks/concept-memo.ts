/**
 * Content keys for CodeableConcepts made only of codings and text: a trie with one step per property
 * name and per string, so that no key string is built and hashed per value. The walker keeps the
 * issues of each distinct concept in it, slicing the slice each distinct discriminating code selects.
 */
import { isObject, type Json } from './context';
import type { ValidationIssue } from '../issue';

export interface ConceptSlot {
  /** The next slot per structural token (a property, the start or end of a coding). */
  steps: (ConceptSlot | undefined)[] | undefined;
  /** The next slot per string-valued property, by the string. */
  values: (Map<string, ConceptSlot> | undefined)[] | undefined;
  /** Issues of the concept relative to its path; undefined until checked once, null when not reusable. */
  issues: { issue: ValidationIssue; suffix: string; plain: boolean }[] | null | undefined;
  /** Index of the slice an item with this concept as its discriminator selects (-1: none); undefined until known. */
  slice: number | undefined;
}

export function newConceptSlot(): ConceptSlot {
  return { steps: undefined, values: undefined, issues: undefined, slice: undefined };
}

// tokens: a string always follows its property's token, so the sequence of steps identifies the content
const CODING = 0;
const OPEN = 1;
const CLOSE = 2;
const SELECTED = 3;
const NOT_SELECTED = 4;
const TEXT = 0;
const SYSTEM = 1;
const CODE = 2;
const DISPLAY = 3;
const VERSION = 4;

function step(slot: ConceptSlot, token: number): ConceptSlot {
  const steps = (slot.steps ??= []);
  let to = steps[token];
  if (!to) {
    to = newConceptSlot();
    steps[token] = to;
  }
  return to;
}

function stepValue(slot: ConceptSlot, property: number, value: string): ConceptSlot {
  const values = (slot.values ??= []);
  let map = values[property];
  if (!map) {
    map = new Map();
    values[property] = map;
  }
  let to = map.get(value);
  if (!to) {
    to = newConceptSlot();
    map.set(value, to);
  }
  return to;
}

/**
 * The memo slot of a CodeableConcept holding only codings of plain strings (and userSelected) and
 * text, reached in property order (issues follow it); undefined for any other content.
 */
export function conceptSlot(root: ConceptSlot, cc: Json): ConceptSlot | undefined {
  let slot = root;
  for (const k in cc) {
    const v = cc[k];
    if (k === 'text') {
      if (typeof v !== 'string') return undefined;
      slot = stepValue(slot, TEXT, v);
    } else if (k === 'coding') {
      if (!Array.isArray(v) || v.length === 0) return undefined;
      slot = step(slot, CODING);
      for (let i = 0; i < v.length; i++) {
        const c = v[i];
        if (!isObject(c)) return undefined;
        slot = step(slot, OPEN);
        for (const ck in c) {
          const cv = c[ck];
          if (ck === 'userSelected') {
            if (typeof cv !== 'boolean') return undefined;
            slot = step(slot, cv ? SELECTED : NOT_SELECTED);
            continue;
          }
          if (typeof cv !== 'string') return undefined;
          const property = ck === 'system' ? SYSTEM : ck === 'code' ? CODE : ck === 'display' ? DISPLAY : ck === 'version' ? VERSION : -1;
          if (property < 0) return undefined;
          slot = stepValue(slot, property, cv);
        }
        slot = step(slot, CLOSE);
      }
    } else return undefined;
  }
  return slot;
}
