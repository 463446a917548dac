/**
 * The native FHIRPath evaluator must give exactly fhirpath.js's verdict wherever it answers (it gives
 * up with BAIL elsewhere). Compared on every constraint of the NGC profiles, over the values the guide's
 * valid and invalid examples hold at each constrained element, plus hand-made edge cases.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BAIL, compileNative, temporal } from '../../src/validation/compile/fhirpath-native';
import { compiledInvariant, invariantHolds } from '../../src/validation/compile/fhirpath';
import type { CompiledInvariant } from '../../src/validation/compile/model';

const ROOT = path.join(__dirname, '../..');
const PROFILES = path.join(ROOT, 'profiles/package');
const EXAMPLES = path.join(ROOT, 'implementation-guide/examples');

type Json = Record<string, unknown>;

function resourcesOf(value: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(value)) value.forEach((v) => resourcesOf(v, out));
  else if (value && typeof value === 'object') {
    const o = value as Json;
    if (typeof o.resourceType === 'string') out.push(o);
    for (const k in o) resourcesOf(o[k], out);
  }
  return out;
}

function at(resource: Json, elementPath: string): unknown[] {
  let items: unknown[] = [resource];
  for (const seg of elementPath.split('.').slice(1)) {
    const next: unknown[] = [];
    for (const it of items) {
      if (!it || typeof it !== 'object' || Array.isArray(it)) continue;
      const v = (it as Json)[seg];
      if (Array.isArray(v)) next.push(...v);
      else if (v !== undefined) next.push(v);
    }
    items = next;
  }
  return items;
}

function fhirpathVerdict(expression: string, basePath: string, value: unknown, resource: Json): boolean | 'error' {
  const inv = { key: 'x', severity: 'error', human: '', expression, source: '', tagged: false } as CompiledInvariant;
  const fn = compiledInvariant(inv, basePath)!;
  try {
    return invariantHolds(fn(value, { resource, rootResource: resource }));
  } catch {
    return 'error';
  }
}

function nativeVerdict(expression: string, value: unknown): boolean | 'bail' {
  const fn = compileNative(expression);
  if (!fn) return 'bail';
  try {
    return invariantHolds(fn(value));
  } catch (e) {
    if (e === BAIL) return 'bail';
    throw e;
  }
}

const constraints: { key: string; path: string; expression: string }[] = [];
for (const f of fs.readdirSync(PROFILES).filter((n) => n.startsWith('StructureDefinition-'))) {
  const sd = JSON.parse(fs.readFileSync(path.join(PROFILES, f), 'utf8'));
  for (const ed of sd.snapshot?.element ?? []) {
    for (const c of ed.constraint ?? []) if (c.expression) constraints.push({ key: c.key, path: ed.path, expression: c.expression });
  }
}

const resources: Json[] = [];
for (const dir of ['valid', 'invalid']) {
  for (const f of fs.readdirSync(path.join(EXAMPLES, dir)).filter((n) => n.endsWith('.json'))) {
    resourcesOf(JSON.parse(fs.readFileSync(path.join(EXAMPLES, dir, f), 'utf8')), resources);
  }
}

describe('native FHIRPath evaluator', () => {
  test('compiles the NGC rule invariants (the costly component.where(...) shapes included)', () => {
    for (const key of ['VAR-01', 'VAR-05', 'VAR-09', 'VAR-14', 'ANA-03', 'ANA-06', 'DIM-03', 'PAT-01', 'ORG-01', 'SRQ-03', 'FIL-04']) {
      const c = constraints.find((x) => x.key === key);
      expect(c).toBeDefined();
      expect([key, compileNative(c!.expression) !== null]).toEqual([key, true]);
    }
  });

  test('gives fhirpath.js verdicts on every NGC constraint over the guide examples', () => {
    let compared = 0;
    const mismatches: string[] = [];
    for (const c of constraints) {
      const type = c.path.split('.')[0];
      for (const r of resources) {
        if (r.resourceType !== type) continue;
        for (const value of at(r, c.path)) {
          const n = nativeVerdict(c.expression, value);
          if (n === 'bail') continue;
          compared++;
          const f = fhirpathVerdict(c.expression, c.path, value, r);
          if (f !== n) mismatches.push(`${c.key} on ${r.resourceType}/${String(r.id)}: native ${n}, fhirpath.js ${f}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(500);
  });

  const cases: [string, string, unknown][] = [
    ['three-valued implies', "(system.exists() and system = 'a') implies (value.exists() and value.matches('^[0-9]{10}$'))", { system: 'a', value: '12345' }],
    ['implies true', "(system.exists() and system = 'a') implies (value.exists() and value.matches('^[0-9]{10}$'))", { system: 'a', value: '1234567890' }],
    ['implies absent', "(system.exists() and system = 'a') implies value.exists()", { system: 'b' }],
    ['or with empty', "system = 'a' or value = 'b'", { value: 'b' }],
    ['and with empty', "system = 'a' and value = 'b'", { value: 'b' }],
    ['in list', "code in ('A' | 'B')", { code: 'B' }],
    ['not in list', "code in ('A' | 'B')", { code: 'C' }],
    ['count plus', '(identifier.count() + name.count()) > 0', { name: 'x' }],
    ['count zero', '(identifier.count() + name.count()) > 0', { id: 'x' }],
    ['where count', "component.where(code = 'x').count() <= 1", { component: [{ code: 'x' }, { code: 'x' }] }],
    ['all on empty', "component.all(code = 'x')", { id: 'a' }],
    ['all false', "component.all(code = 'x')", { component: [{ code: 'x' }, { code: 'y' }] }],
    ['ofType other type', "component.all(value.ofType(Quantity).value > 0)", { component: [{ valueString: 'x' }] }],
    ['ofType range compare', 'value.ofType(Range).low.value <= value.ofType(Range).high.value', { valueRange: { low: { value: 5 }, high: { value: 3 } } }],
    ['decimal toString', "value.ofType(Quantity).value.toString().matches('^[0-9]+$')", { valueQuantity: { value: 12 } }],
    ['decimal fraction', "value.ofType(Quantity).value >= 0 and value.ofType(Quantity).value <= 1", { valueQuantity: { value: 0.5 } }],
    ['not()', "code.exists().not()", { code: 'x' }],
    ['extension by url', "extension('http://x').value.ofType(string).all(matches('^a+$'))", { extension: [{ url: 'http://x', valueString: 'aab' }, { url: 'http://y', valueString: 'b' }] }],
    ['exists with criteria', "coding.exists(system = 's')", { coding: [{ system: 't' }, { system: 's' }] }],
    ['not equal', "system != 'a'", { system: 'b' }],
    // member chains: one-item steps are taken without collections, several items as collections
    ['chain through several items', "component.code.coding.where(system = 's').count() = 2", { component: [{ code: { coding: [{ system: 's' }] } }, { code: { coding: [{ system: 's' }, { system: 't' }] } }] }],
    ['chain ending in several items', 'component.code.coding.count() = 3', { component: [{ code: { coding: [{ system: 's' }] } }, { code: { coding: [{ system: 's' }, { system: 't' }] } }] }],
    ['chain through an empty step', "component.code.coding.where(system = 's').exists()", { component: [{ code: { text: 'x' } }] }],
    ['several items compared with nothing', '(component.code.text = status).empty()', { component: [{ code: { text: 'a' } }, { code: { text: 'b' } }] }],
    ['where keeping some items', "component.where(code.text = 'b').code.text = 'b'", { component: [{ code: { text: 'a' } }, { code: { text: 'b' } }] }],
    ['where keeping every item', "component.where(code.text.exists()).count() = 2", { component: [{ code: { text: 'a' } }, { code: { text: 'b' } }] }],
    ['LOINC-like code compared', "code.coding.where(code = '48002-0').exists()", { code: { coding: [{ code: '48002-0' }] } }],
  ];
  test.each(cases)('%s: same verdict as fhirpath.js', (_name, expression, value) => {
    const n = nativeVerdict(expression, value);
    expect(n).not.toBe('bail');
    // fhirpath.js reads a choice element (Observation.value[x]) only through its typed keys: the
    // identifier-shaped cases are evaluated where `value` is a plain element
    const base = expression.includes('implies') ? 'Identifier' : 'Observation';
    expect(n).toBe(fhirpathVerdict(expression, base, value, value as Json));
  });

  test('gives up where fhirpath.js would type, convert or fail', () => {
    // a primitive with a `_x` twin, a choice reached without ofType(), a multi-item singleton operand,
    // a date-like string in an equality, and a subtype under ofType()
    expect(nativeVerdict("code = 'a'", { code: 'a', _code: { extension: [] } })).toBe('bail');
    expect(nativeVerdict('value.exists()', { valueString: 'a' })).toBe('bail');
    expect(nativeVerdict("code.matches('a')", { code: ['a', 'b'] })).toBe('bail');
    expect(nativeVerdict("date = '2020-01-01'", { date: '2020-01-01' })).toBe('bail');
    expect(nativeVerdict("component.code.text = 'a'", { component: [{ code: { text: 'a' } }, { code: { text: 'b' } }] })).toBe('bail');
    expect(nativeVerdict("code = 'a'", { code: 1 })).toBe('bail');
    expect(nativeVerdict("code = 'a'", { code: ['a', 'b'] })).toBe('bail');
    expect(nativeVerdict("code = '2020-01'", { code: '2020-01' })).toBe('bail');
    expect(nativeVerdict('component.code.text.exists()', { component: [{ code: { text: 'a', _text: { extension: [] } } }] })).toBe('bail');
    expect(nativeVerdict("component.where(code.text = 'a').exists()", { component: [{ code: { text: 'a' } }, { code: { text: ['b', 'c'] } }] })).toBe('bail');
    expect(nativeVerdict('value.ofType(Quantity).exists()', { valueAge: { value: 1 } })).toBe('bail');
    expect(compileNative('%resource.id.exists()')).toBeNull();
  });

  test('tells date-like strings apart exactly as the pattern fhirpath.js dates follow', () => {
    const pattern = /^(\d{4}(-\d{2}(-\d{2})?)?(T|$)|\d{2}:\d{2})/;
    const alphabet = ['0', '9', '-', 'T', ':', 'a'];
    const mismatches: string[] = [];
    const each = (prefix: string, left: number): void => {
      if (temporal(prefix) !== pattern.test(prefix)) mismatches.push(prefix);
      if (left) for (const ch of alphabet) each(prefix + ch, left - 1);
    };
    each('', 7);
    for (const s of ['2020-01-01', '2020-01-01T10:00', '2020-01-0', '2020-01-01x', '2020-01', '2020-01T', '2020-1-01', '12:30', '12:3', '48002-0', 'LA6683-2', '2020-01-01-01']) {
      if (temporal(s) !== pattern.test(s)) mismatches.push(s);
    }
    expect(mismatches).toEqual([]);
  });
});
