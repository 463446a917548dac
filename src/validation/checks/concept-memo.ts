/**
 * Content keys for CodeableConcepts made only of codings and text: a trie with one step per property
 * name and per string, so that no key string is built and hashed per value. The walker keeps the
 * issues of each distinct concept in it, slicing the slice each distinct discriminating code selects.
 * The engine keeps its tries from one validation to the next (reports reuse the same codes) and
 * starts them afresh once they hold more than a set number of slots (see SlotTally).
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
  /** The next slot per property name of a whole item (see itemSlot). */
  names: Map<string, ConceptSlot> | undefined;
  /**
   * The issues of whole items with this concept as their discriminator, by the rest of their content
   * (see itemSlot); null once that content proved mostly distinct (measurements, positions).
   */
  items: ItemMemo | null | undefined;
}

export interface ItemMemo {
  root: ConceptSlot;
  lookups: number;
  /** Lookups that reached a slot never checked before. */
  fresh: number;
}

/** The slots created in one owner's tries: how the engine bounds the tries it keeps. */
export interface SlotTally {
  slots: number;
}

export function newConceptSlot(tally: SlotTally): ConceptSlot {
  tally.slots++;
  return { steps: undefined, values: undefined, issues: undefined, slice: undefined, names: undefined, items: undefined };
}

// tokens: a string always follows its property's token, so the sequence of steps identifies the content
const CODING = 0;
const OPEN = 1;
const CLOSE = 2;
const SELECTED = 3;
const NOT_SELECTED = 4;
const SKIPPED = 5;
const TRUE = 6;
const FALSE = 7;
const OBJECT = 8;
const END = 9;
const WHOLE = 10;
const TEXT = 0;
const SYSTEM = 1;
const CODE = 2;
const DISPLAY = 3;
const VERSION = 4;
const STRING = 5;

function step(tally: SlotTally, slot: ConceptSlot, token: number): ConceptSlot {
  const steps = (slot.steps ??= []);
  let to = steps[token];
  if (!to) {
    to = newConceptSlot(tally);
    steps[token] = to;
  }
  return to;
}

function stepValue(tally: SlotTally, slot: ConceptSlot, property: number, value: string): ConceptSlot {
  const values = (slot.values ??= []);
  let map = values[property];
  if (!map) {
    map = new Map();
    values[property] = map;
  }
  let to = map.get(value);
  if (!to) {
    to = newConceptSlot(tally);
    map.set(value, to);
  }
  return to;
}

function stepName(tally: SlotTally, slot: ConceptSlot, name: string): ConceptSlot {
  const names = (slot.names ??= new Map());
  let to = names.get(name);
  if (!to) {
    to = newConceptSlot(tally);
    names.set(name, to);
  }
  return to;
}

/**
 * The memo slot of a whole item (an Observation.component) under `root`, the slot of its value at
 * `skip` (its discriminator, already keyed): reached in property order, for items whose other
 * properties are strings, booleans or plain CodeableConcepts; undefined for any other content. Ids,
 * extensions and `_` twins are refused: what is checked of them depends on more than the item.
 */
export function itemSlot(tally: SlotTally, root: ConceptSlot, item: Json, skip: string): ConceptSlot | undefined {
  let slot = root;
  for (const k in item) {
    const v = item[k];
    if (k === skip) {
      slot = step(tally, slot, SKIPPED);
      continue;
    }
    if (k === 'id' || k === 'extension' || k === 'modifierExtension' || k.charCodeAt(0) === 95 /* _ */) return undefined;
    slot = stepName(tally, slot, k);
    if (typeof v === 'string') slot = stepValue(tally, slot, STRING, v);
    else if (typeof v === 'boolean') slot = step(tally, slot, v ? TRUE : FALSE);
    else if (isObject(v)) {
      const inner = conceptSlot(tally, step(tally, slot, OBJECT), v);
      if (!inner) return undefined;
      slot = step(tally, inner, END);
    } else return undefined;
  }
  return slot;
}

/**
 * A branch under `root` for keys made of a whole item rather than of its value at the discriminator:
 * a concept's own steps start with CODING or a text value, never with this token.
 */
export function wholeItems(tally: SlotTally, root: ConceptSlot): ConceptSlot {
  return step(tally, root, WHOLE);
}

/**
 * The memo slot of a CodeableConcept holding only codings of plain strings (and userSelected) and
 * text, reached in property order (issues follow it); undefined for any other content.
 */
export function conceptSlot(tally: SlotTally, root: ConceptSlot, cc: Json): ConceptSlot | undefined {
  let slot = root;
  for (const k in cc) {
    const v = cc[k];
    if (k === 'text') {
      if (typeof v !== 'string') return undefined;
      slot = stepValue(tally, slot, TEXT, v);
    } else if (k === 'coding') {
      if (!Array.isArray(v) || v.length === 0) return undefined;
      slot = step(tally, slot, CODING);
      for (let i = 0; i < v.length; i++) {
        const c = v[i];
        if (!isObject(c)) return undefined;
        slot = step(tally, slot, OPEN);
        for (const ck in c) {
          const cv = c[ck];
          if (ck === 'userSelected') {
            if (typeof cv !== 'boolean') return undefined;
            slot = step(tally, slot, cv ? SELECTED : NOT_SELECTED);
            continue;
          }
          if (typeof cv !== 'string') return undefined;
          const property = ck === 'system' ? SYSTEM : ck === 'code' ? CODE : ck === 'display' ? DISPLAY : ck === 'version' ? VERSION : -1;
          if (property < 0) return undefined;
          slot = stepValue(tally, slot, property, cv);
        }
        slot = step(tally, slot, CLOSE);
      }
    } else return undefined;
  }
  return slot;
}
