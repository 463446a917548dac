/**
 * ValueSets compiled once each into membership tests: an expansion becomes a set of system|code;
 * a compose becomes include/exclude parts (enumerated codes, whole loaded code systems, filters
 * evaluated over loaded code systems, imported value sets, systems checked by form). A part that
 * cannot be decided (external system not loaded, filter not evaluable) answers "unknown" with a
 * reason instead of guessing.
 */
import type { ValueSet, ValueSetComposeInclude } from 'fhir/r4';
import type { CompiledCodeSystem } from './code-systems';
import { checkExternal } from './external';

export type Membership =
  | { result: 'yes'; system?: string }
  | { result: 'no'; reason?: string }
  | { result: 'unknown'; reason: string };

export interface CompiledValueSet {
  url: string;
  member(system: string | undefined, code: string): Membership;
}

export interface CompileContext {
  codeSystem(url: string): CompiledCodeSystem | undefined;
  valueSet(url: string): CompiledValueSet | undefined;
}

type PartTest = (system: string | undefined, code: string) => Membership;

const YES: Membership = { result: 'yes' };
const NO: Membership = { result: 'no' };

function filteredCodes(cs: CompiledCodeSystem, filters: NonNullable<ValueSetComposeInclude['filter']>): Set<string> | string {
  let result: Set<string> | undefined;
  for (const f of filters) {
    const all = () => new Set(cs.concepts.keys());
    let codes: Set<string>;
    const isCode = f.property === 'concept' || f.property === 'code';
    if (isCode && f.op === 'is-a') codes = cs.descendantsOrSelf(f.value);
    else if (isCode && f.op === 'descendent-of') {
      codes = new Set(cs.descendantsOrSelf(f.value));
      codes.delete(f.value);
    } else if (isCode && f.op === 'is-not-a') {
      const not = cs.descendantsOrSelf(f.value);
      codes = new Set([...all()].filter((c) => !not.has(c)));
    } else if (isCode && f.op === 'generalizes') {
      codes = new Set();
      const stack = [f.value];
      while (stack.length) {
        const c = stack.pop()!;
        if (codes.has(c)) continue;
        codes.add(c);
        for (const p of cs.concepts.get(c)?.parents ?? []) stack.push(p);
      }
    } else if (isCode && f.op === '=') codes = new Set([f.value]);
    else if (isCode && (f.op === 'in' || f.op === 'not-in')) {
      const listed = new Set(f.value.split(',').map((v) => v.trim()));
      codes = f.op === 'in' ? listed : new Set([...all()].filter((c) => !listed.has(c)));
    } else if (f.op === 'regex') {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${f.value})$`);
      } catch {
        return `the filter regex '${f.value}' is not a valid regular expression`;
      }
      codes = new Set(
        [...cs.concepts.values()]
          .filter((c) => (isCode ? re.test(c.code) : (c.properties.get(f.property) ?? []).some((v) => re.test(v))))
          .map((c) => c.code),
      );
    } else if (!isCode && (f.op === '=' || f.op === 'in' || f.op === 'not-in')) {
      const wanted = new Set(f.op === '=' ? [f.value] : f.value.split(',').map((v) => v.trim()));
      const hit = (vals: string[] | undefined) => (vals ?? []).some((v) => wanted.has(v));
      codes = new Set([...cs.concepts.values()].filter((c) => hit(c.properties.get(f.property)) === (f.op !== 'not-in')).map((c) => c.code));
    } else if (!isCode && f.op === 'exists') {
      const want = f.value !== 'false';
      codes = new Set([...cs.concepts.values()].filter((c) => c.properties.has(f.property) === want).map((c) => c.code));
    } else {
      return `the filter '${f.property} ${f.op} ${f.value}' is not supported`;
    }
    result = result ? new Set([...result].filter((c) => codes.has(c))) : codes;
  }
  return result ?? new Set(cs.concepts.keys());
}

function lookupIn(codes: Set<string>, cs: CompiledCodeSystem | undefined, code: string): boolean {
  if (codes.has(code)) return true;
  if (cs && !cs.caseSensitive) {
    const concept = cs.lookup(code);
    return !!concept && codes.has(concept.code);
  }
  return false;
}

/** The system-level test of one include/exclude (without its valueSet imports). */
function systemPart(include: ValueSetComposeInclude, ctx: CompileContext): PartTest | undefined {
  // A few R4 v2 value sets write the code system version into the system (`...v2-0391|2.6`).
  const system = include.system?.split('|')[0];
  if (!system) return undefined;
  const cs = ctx.codeSystem(include.system!);
  let test: (code: string) => Membership;
  if (include.concept?.length) {
    const listed = new Set(include.concept.map((c) => c.code));
    test = (code) => (lookupIn(listed, cs, code) ? YES : NO);
  } else if (include.filter?.length) {
    const codes = cs ? filteredCodes(cs, include.filter) : `the code system '${system}' is not loaded`;
    if (typeof codes === 'string') {
      const reason = codes;
      test = () => ({ result: 'unknown', reason });
    } else if (cs!.complete) {
      test = (code) => (lookupIn(codes, cs, code) ? YES : NO);
    } else {
      test = (code) => (lookupIn(codes, cs, code) ? YES : { result: 'unknown', reason: `the code system '${system}' is only partly loaded (content: not complete)` });
    }
  } else if (cs?.complete) {
    test = (code) => (cs.lookup(code) ? YES : { result: 'no', reason: `'${code}' is not a code of '${system}'` });
  } else {
    test = (code) => {
      const external = checkExternal(system, code);
      if (external?.outcome === 'valid') return YES;
      if (external?.outcome === 'invalid') return { result: 'no', reason: external.message };
      if (external) return { result: 'unknown', reason: external.message };
      if (cs?.lookup(code)) return YES;
      return { result: 'unknown', reason: cs ? `the code system '${system}' is not loaded completely (content: ${cs.complete ? 'complete' : 'partial'})` : `the code system '${system}' is not known to the validator` };
    };
  }
  return (s, code) => {
    if (s !== undefined && s !== system) return NO;
    const r = test(code);
    return r.result === 'yes' ? { result: 'yes', system } : r;
  };
}

function compilePart(include: ValueSetComposeInclude, ctx: CompileContext, selfUrl: string): PartTest {
  const sys = systemPart(include, ctx);
  const imports = (include.valueSet ?? []).map((url) => {
    const vs = url.split('|')[0] === selfUrl ? undefined : ctx.valueSet(url);
    return { url, vs };
  });
  return (system, code) => {
    let result: Membership = sys ? sys(system, code) : YES;
    if (result.result === 'no') return result;
    for (const { url, vs } of imports) {
      const r: Membership = vs ? vs.member(system, code) : { result: 'unknown', reason: `the value set '${url}' is not loaded` };
      if (r.result === 'no') return r;
      if (r.result === 'unknown' && result.result === 'yes') result = r;
      if (r.result === 'yes' && result.result === 'yes' && !result.system) result = r;
    }
    return result;
  };
}

export function compileValueSet(vs: ValueSet, ctx: CompileContext): CompiledValueSet {
  const url = vs.url ?? '';
  const contains = vs.expansion?.contains;
  if (contains?.length && !vs.compose) {
    const keys = new Set<string>();
    const codes = new Set<string>();
    const walk = (list: typeof contains | undefined) => {
      for (const c of list ?? []) {
        if (c.code) {
          keys.add(`${c.system}|${c.code}`);
          codes.add(c.code);
        }
        walk(c.contains);
      }
    };
    walk(contains);
    return {
      url,
      member: (system, code) => ((system === undefined ? codes.has(code) : keys.has(`${system}|${code}`)) ? { result: 'yes', system } : NO),
    };
  }
  const includes = (vs.compose?.include ?? []).map((inc) => compilePart(inc, ctx, url));
  const excludes = (vs.compose?.exclude ?? []).map((inc) => compilePart(inc, ctx, url));
  return {
    url,
    member(system, code) {
      let found: Membership | undefined;
      let unknown: Membership | undefined;
      let no: Membership | undefined;
      for (const part of includes) {
        const r = part(system, code);
        if (r.result === 'yes') {
          found = r;
          break;
        }
        if (r.result === 'unknown') unknown ??= r;
        else if (r.reason) no ??= r;
      }
      if (!found) return unknown ?? no ?? NO;
      for (const part of excludes) {
        const r = part(system, code);
        if (r.result === 'yes') return { result: 'no', reason: 'the code is excluded from the value set' };
        if (r.result === 'unknown') return r;
      }
      return found;
    },
  };
}
