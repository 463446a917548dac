/**
 * Terminology bindings (required: error, extensible: warning, preferred/example: not checked) and
 * the check of every Coding against its code system when that system is loaded.
 */
import type { ValidationIssue } from '../issue';
import type { ElementNode, TypeRef } from '../compile/model';
import type { CodeCheck } from '../terminology/types';
import { isObject, report, type Json } from './context';
import type { Engine } from './engine';

type Result = CodeCheck & { displayMessage?: string };

/**
 * The same codes recur in every report (LOINC panel codes, categories, statuses): answers of the
 * terminology service are memoised per engine; bounded so that a flood of distinct codes cannot grow it.
 */
const MAX_CACHED = 100_000;
type Level = Map<string, Level | Result>;
const caches = new WeakMap<object, { root: Level; size: number }>();

function step(level: Level, key: string): Level {
  let next = level.get(key) as Level | undefined;
  if (!next) {
    next = new Map();
    level.set(key, next);
  }
  return next;
}

/** Nested maps keyed by each part: no key string or array is built per lookup. */
function memo(engine: Engine, tag: string, a: string, b: string, c: string, d: string, compute: () => Result): Result {
  let cache = caches.get(engine);
  if (!cache || cache.size >= MAX_CACHED) {
    cache = { root: new Map(), size: 0 };
    caches.set(engine, cache);
  }
  const level = step(step(step(step(cache.root, tag), a), b), c);
  let r = level.get(d) as Result | undefined;
  if (!r) {
    r = compute();
    level.set(d, r);
    cache.size++;
  }
  return r;
}

function validateCode(engine: Engine, vs: string, system: string | undefined, code: string, display?: string): Result {
  return memo(engine, vs, system ?? '', code, display ?? '', '', () => engine.terminology.validateCode(vs, system, code, display));
}

export function checkBinding(engine: Engine, value: unknown, node: ElementNode, type: TypeRef, path: string, sink: ValidationIssue[]): void {
  const binding = node.binding!;
  if (!binding.valueSet || (binding.strength !== 'required' && binding.strength !== 'extensible')) return;
  const vs = binding.valueSet;
  const required = binding.strength === 'required';
  const rule = binding.tagged ? node.rule : undefined;
  const term = { validateCode: (vs: string, system: string | undefined, code: string, display?: string) => validateCode(engine, vs, system, code, display) };

  const fail = (code: string, message: string, where: string): void => {
    if (required) report(sink, 'error', 'code-invalid', 'BINDING_REQUIRED', `The value provided ('${code}') is not in the value set '${vs}', and a code is required from this value set: ${message}`, where, rule);
    else report(sink, 'warning', 'code-invalid', 'BINDING_EXTENSIBLE', `The value provided ('${code}') is not in the value set '${vs}', and a code should come from this value set unless it has no suitable code: ${message}`, where, rule);
  };
  const unsure = (code: string, message: string, where: string): void => {
    report(sink, 'information', 'code-invalid', 'BINDING_NOT_CHECKABLE', `The code '${code}' could not be checked against the ${binding.strength} value set '${vs}': ${message}`, where, rule);
  };
  const display = (r: Result, where: string): void => {
    if (r.displayMessage) report(sink, 'warning', 'code-invalid', 'DISPLAY_WRONG', r.displayMessage, where);
  };

  switch (type.code) {
    case 'code':
    case 'string':
    case 'uri': {
      const r = term.validateCode(vs, undefined, value as string);
      if (r.outcome === 'invalid') fail(value as string, r.message, path);
      else if (r.outcome === 'not-checkable') unsure(value as string, r.message, path);
      return;
    }
    case 'Coding':
    case 'Quantity': {
      const c = value as Json;
      const code = typeof c.code === 'string' ? c.code : undefined;
      const system = typeof c.system === 'string' ? c.system : undefined;
      if (!code) {
        if (type.code === 'Coding' && required) report(sink, 'error', 'code-invalid', 'BINDING_NO_CODE', `No code provided, and a code is required from the value set '${vs}'`, path, rule);
        return;
      }
      const r = term.validateCode(vs, system, code, type.code === 'Coding' && typeof c.display === 'string' ? c.display : undefined);
      if (r.outcome === 'invalid') fail(system ? `${system}#${code}` : code, r.message, path);
      else if (r.outcome === 'not-checkable') unsure(system ? `${system}#${code}` : code, r.message, path);
      else display(r, path);
      return;
    }
    case 'CodeableConcept': {
      const cc = value as Json;
      // the common case: a single coding (same outcomes as the general case below, without its allocations)
      if (Array.isArray(cc.coding) && cc.coding.length === 1 && isObject(cc.coding[0]) && typeof cc.coding[0].code === 'string') {
        const c = cc.coding[0];
        const system = typeof c.system === 'string' ? c.system : undefined;
        const r = validateCode(engine, vs, system, c.code as string, typeof c.display === 'string' ? c.display : undefined);
        if (r.outcome === 'valid') display(r, `${path}.coding[0]`);
        else if (r.outcome === 'not-checkable') unsure(system ? `${system}#${c.code}` : String(c.code), r.message, `${path}.coding[0]`);
        else fail(system ? `${system}#${c.code}` : String(c.code), r.message, path);
        return;
      }
      const codings = Array.isArray(cc.coding) ? cc.coding.filter(isObject) : [];
      const withCode = codings.filter((c) => typeof c.code === 'string');
      if (!withCode.length) {
        if (required) report(sink, 'error', 'code-invalid', 'BINDING_NO_CODE', `No code provided, and a code is required from the value set '${vs}'`, path, rule);
        else if (!cc.text) report(sink, 'warning', 'code-invalid', 'BINDING_NO_CODE', `No code provided, and a code should be provided from the value set '${vs}'`, path, rule);
        return;
      }
      const results = withCode.map((c) => ({
        c,
        i: codings.indexOf(c),
        r: term.validateCode(vs, typeof c.system === 'string' ? c.system : undefined, c.code as string, typeof c.display === 'string' ? c.display : undefined) as Result,
      }));
      const valid = results.filter((x) => x.r.outcome === 'valid');
      if (valid.length) {
        for (const v of valid) display(v.r, `${path}.coding[${v.i}]`);
        return;
      }
      const describeCoding = (c: Json): string => (typeof c.system === 'string' ? `${c.system}#${c.code}` : String(c.code));
      const uncheckable = results.filter((x) => x.r.outcome === 'not-checkable');
      if (uncheckable.length) {
        for (const u of uncheckable) unsure(describeCoding(u.c), (u.r as { message: string }).message, `${path}.coding[${u.i}]`);
        return;
      }
      fail(results.map((x) => describeCoding(x.c)).join(', '), results.map((x) => (x.r as { message: string }).message).join('; '), path);
      return;
    }
    default:
      return;
  }
}

/** Every Coding: its code must exist in its code system when that system is loaded and complete. */
export function checkCodingInSystem(engine: Engine, coding: Json, path: string, sink: ValidationIssue[]): void {
  if (typeof coding.system !== 'string' || typeof coding.code !== 'string') return;
  const system = coding.system;
  const code = coding.code;
  const display = typeof coding.display === 'string' ? coding.display : undefined;
  const r = memo(engine, '\u0000system', system, code, display ?? '', '', () => engine.terminology.validateCodeInSystem(system, code, display));
  if (r.outcome === 'invalid') {
    report(sink, 'error', 'code-invalid', 'CODE_UNKNOWN', r.message, path);
  } else if (r.outcome === 'valid' && r.displayMessage) {
    report(sink, 'warning', 'code-invalid', 'DISPLAY_WRONG', r.displayMessage, path);
  }
}
