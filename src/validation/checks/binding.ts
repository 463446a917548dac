/**
 * Terminology bindings (required: error, extensible: warning, preferred/example: not checked) and
 * the check of every Coding against its code system when that system is loaded.
 */
import type { RuleRef, ValidationIssue } from '../issue';
import type { ElementNode, TypeRef } from '../compile/model';
import type { CodeCheck } from '../terminology/types';
import { isObject, report, type Json } from './context';
import type { Engine } from './engine';
import { guideBase, judgeUnknownSystemUri, type SystemUriProblem } from '../terminology/system-uri';
import { codingSystemProblem, valueSetAsSystem } from './coding-system';

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
// `compute` is a module-level function (not a closure) so that a cache hit allocates nothing
function memo(engine: Engine, tag: string, a: string, b: string, c: string, d: string, compute: (engine: Engine, tag: string, a: string, b: string, c: string) => Result): Result {
  let cache = caches.get(engine);
  if (!cache || cache.size >= MAX_CACHED) {
    cache = { root: new Map(), size: 0 };
    caches.set(engine, cache);
  }
  const level = step(step(step(step(cache.root, tag), a), b), c);
  let r = level.get(d) as Result | undefined;
  if (!r) {
    r = compute(engine, tag, a, b, c);
    level.set(d, r);
    cache.size++;
  }
  return r;
}

/** Cache key part for an absent system or display (distinct from any string a resource can hold). */
const NONE = '\u0000none';

function computeValidateCode(engine: Engine, vs: string, system: string, code: string, display: string): Result {
  return engine.terminology.validateCode(vs, system === NONE ? undefined : system, code, display === NONE ? undefined : display);
}

function validateCode(engine: Engine, vs: string, system: string | undefined, code: string, display?: string): Result {
  return memo(engine, vs, system ?? NONE, code, display ?? NONE, '', computeValidateCode);
}

function computeCodeInSystem(engine: Engine, _tag: string, system: string, code: string, display: string): Result {
  return engine.terminology.validateCodeInSystem(system, code, display === NONE ? undefined : display);
}

interface BindingCtx {
  sink: ValidationIssue[];
  vs: string;
  required: boolean;
  rule: RuleRef | undefined;
  strength: string;
}

function fail(ctx: BindingCtx, code: string, message: string, where: string): void {
  if (ctx.required) report(ctx.sink, 'error', 'code-invalid', 'BINDING_REQUIRED', `The value provided ('${code}') is not in the value set '${ctx.vs}', and a code is required from this value set: ${message}`, where, ctx.rule);
  else report(ctx.sink, 'warning', 'code-invalid', 'BINDING_EXTENSIBLE', `The value provided ('${code}') is not in the value set '${ctx.vs}', and a code should come from this value set unless it has no suitable code: ${message}`, where, ctx.rule);
}

// The same few "could not be checked" texts recur on every variant (LOINC, HGNC codes): one string each
// instead of a fresh ~200-character one per issue
const unsureTexts = new Map<string, Map<string, Map<string, Map<string, string>>>>();
let unsureTextCount = 0;

function unsureText(ctx: BindingCtx, code: string, message: string): string {
  let byVs = unsureTexts.get(ctx.strength);
  if (!byVs) {
    byVs = new Map();
    unsureTexts.set(ctx.strength, byVs);
  }
  let byCode = byVs.get(ctx.vs);
  if (!byCode) {
    byCode = new Map();
    byVs.set(ctx.vs, byCode);
  }
  let byMessage = byCode.get(code);
  if (!byMessage) {
    byMessage = new Map();
    byCode.set(code, byMessage);
  }
  let text = byMessage.get(message);
  if (text === undefined) {
    text = `The code '${code}' could not be checked against the ${ctx.strength} value set '${ctx.vs}': ${message}`;
    if (unsureTextCount++ > 50_000) {
      unsureTexts.clear();
      unsureTextCount = 0;
    }
    byMessage.set(message, text);
  }
  return text;
}

function unsure(ctx: BindingCtx, code: string, message: string, where: string): void {
  report(ctx.sink, 'information', 'code-invalid', 'BINDING_NOT_CHECKABLE', unsureText(ctx, code, message), where, ctx.rule);
}

function display(ctx: BindingCtx, r: Result, where: string): void {
  if (r.displayMessage) report(ctx.sink, 'warning', 'code-invalid', 'DISPLAY_WRONG', r.displayMessage, where);
}

export function checkBinding(engine: Engine, value: unknown, node: ElementNode, type: TypeRef, path: string, sink: ValidationIssue[]): void {
  const binding = node.binding!;
  if (!binding.valueSet || (binding.strength !== 'required' && binding.strength !== 'extensible')) return;
  const vs = binding.valueSet;
  const required = binding.strength === 'required';
  const rule = binding.tagged ? node.rule : undefined;
  const ctx: BindingCtx = { sink, vs, required, rule, strength: binding.strength };
  switch (type.code) {
    case 'code':
    case 'string':
    case 'uri': {
      const r = validateCode(engine, vs, undefined, value as string);
      if (r.outcome === 'invalid') fail(ctx, value as string, r.message, path);
      else if (r.outcome === 'not-checkable') unsure(ctx, value as string, r.message, path);
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
      const r = validateCode(engine, vs, system, code, type.code === 'Coding' && typeof c.display === 'string' ? c.display : undefined);
      if (r.outcome === 'invalid') fail(ctx, system ? `${system}#${code}` : code, r.message, path);
      else if (r.outcome === 'not-checkable') unsure(ctx, system ? `${system}#${code}` : code, r.message, path);
      else display(ctx, r, path);
      return;
    }
    case 'CodeableConcept': {
      const cc = value as Json;
      // the common case: a single coding (same outcomes as the general case below, without its allocations)
      if (Array.isArray(cc.coding) && cc.coding.length === 1 && isObject(cc.coding[0]) && typeof cc.coding[0].code === 'string') {
        const c = cc.coding[0];
        const system = typeof c.system === 'string' ? c.system : undefined;
        const r = validateCode(engine, vs, system, c.code as string, typeof c.display === 'string' ? c.display : undefined);
        if (r.outcome === 'valid') display(ctx, r, `${path}.coding[0]`);
        else if (r.outcome === 'not-checkable') unsure(ctx, system ? `${system}#${c.code}` : String(c.code), r.message, `${path}.coding[0]`);
        else fail(ctx, system ? `${system}#${c.code}` : String(c.code), r.message, path);
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
        r: validateCode(engine, vs, typeof c.system === 'string' ? c.system : undefined, c.code as string, typeof c.display === 'string' ? c.display : undefined) as Result,
      }));
      const valid = results.filter((x) => x.r.outcome === 'valid');
      if (valid.length) {
        for (const v of valid) display(ctx, v.r, `${path}.coding[${v.i}]`);
        return;
      }
      const describeCoding = (c: Json): string => (typeof c.system === 'string' ? `${c.system}#${c.code}` : String(c.code));
      const uncheckable = results.filter((x) => x.r.outcome === 'not-checkable');
      if (uncheckable.length) {
        for (const u of uncheckable) unsure(ctx, describeCoding(u.c), (u.r as { message: string }).message, `${path}.coding[${u.i}]`);
        return;
      }
      fail(ctx, results.map((x) => describeCoding(x.c)).join(', '), results.map((x) => (x.r as { message: string }).message).join('; '), path);
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
  const systemProblem = codingSystemProblem(engine.store, system);
  if (systemProblem) {
    report(sink, 'error', 'code-invalid', systemProblem.messageId, systemProblem.message, path);
    return;
  }
  const valueSetProblem = valueSetAsSystem(engine.store, system);
  if (valueSetProblem) report(sink, 'error', 'code-invalid', valueSetProblem.messageId, valueSetProblem.message, path);
  const code = coding.code;
  const display = typeof coding.display === 'string' ? coding.display : undefined;
  const r = memo(engine, '\u0000system', system, code, display ?? NONE, '', computeCodeInSystem);
  if (r.outcome === 'invalid') {
    report(sink, 'error', 'code-invalid', 'CODE_UNKNOWN', r.message, path);
  } else if (r.outcome === 'valid' && r.displayMessage) {
    report(sink, 'warning', 'code-invalid', 'DISPLAY_WRONG', r.displayMessage, path);
  } else if (r.outcome === 'not-checkable') {
    const problem = systemUriProblem(engine, system);
    if (problem) report(sink, 'error', 'code-invalid', problem.messageId, problem.message, path);
  }
}

/** Per engine and system URL: the verdict on a system that no loaded CodeSystem defines (null: none). */
const systemVerdicts = new WeakMap<object, Map<string, SystemUriProblem | null>>();
/** Per engine: the implementation guides under hl7.org/fhir of which some definition is loaded. */
const loadedGuides = new WeakMap<object, Set<string>>();

function guidesOf(engine: Engine): Set<string> {
  let guides = loadedGuides.get(engine);
  if (!guides) {
    guides = new Set();
    const store = engine.store;
    for (const r of [...store.allStructureDefinitions(), ...store.allValueSets(), ...store.allCodeSystems()]) {
      const base = r.url ? guideBase(r.url) : undefined;
      if (base) guides.add(base);
    }
    loadedGuides.set(engine, guides);
  }
  return guides;
}

function systemUriProblem(engine: Engine, system: string): SystemUriProblem | undefined {
  let verdicts = systemVerdicts.get(engine);
  if (!verdicts) {
    verdicts = new Map();
    systemVerdicts.set(engine, verdicts);
  }
  let verdict = verdicts.get(system);
  if (verdict === undefined) {
    // a loaded but incomplete CodeSystem is known, only not checkable
    const isLoaded = (url: string): boolean => engine.store.codeSystem(url) !== undefined;
    verdict = isLoaded(system) ? null : (judgeUnknownSystemUri(system, isLoaded, (base) => guidesOf(engine).has(base)) ?? null);
    // bounded like the code memo: a flood of distinct system URLs cannot grow it
    if (verdicts.size >= MAX_CACHED) verdicts.clear();
    verdicts.set(system, verdict);
  }
  return verdict ?? undefined;
}
