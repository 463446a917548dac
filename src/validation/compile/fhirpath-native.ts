/**
 * A native evaluator for a subset of FHIRPath, compiled from the AST fhirpath.js parses. Profile
 * invariants (the NGC ones: component.where(code...).all(...), matches(), implies, ...) cost 0.3-3 ms a
 * call in fhirpath.js, mostly in its per-node context cloning; the same expressions over plain JSON
 * cost microseconds.
 *
 * Exactness: the evaluator covers only constructs whose fhirpath.js result it reproduces, and gives up
 * (throws BAIL) on any input where it cannot be sure: a `_x` primitive twin, a choice element reached
 * without ofType(), a value of a subtype under ofType(), date-like strings in equality, multi-item
 * operands (where fhirpath.js raises an error), non-boolean conditions. The caller then evaluates the
 * expression with fhirpath.js, so a verdict never depends on which path ran.
 */
import { parseFhirpath } from './fhirpath-ast-cache';

/** Thrown when the native evaluator cannot be sure of fhirpath.js's result on this input. */
export const BAIL: unique symbol = Symbol('fhirpath-native-bail');

type Coll = unknown[];
type Ev = (input: Coll) => Coll;

interface AstNode {
  type: string;
  text?: string;
  terminalNodeText?: string[];
  children?: AstNode[];
}

class Unsupported extends Error {}

const EMPTY: Coll = [];
const TRUE: Coll = [true];
const FALSE: Coll = [false];

// FHIR types that derive from another (a value of one matches ofType(base) in a type-aware engine)
const SUBTYPES: Record<string, readonly string[]> = {
  string: ['code', 'id', 'markdown'],
  uri: ['url', 'canonical', 'oid', 'uuid'],
  integer: ['positiveInt', 'unsignedInt', 'integer64'],
  Quantity: ['Age', 'Count', 'Distance', 'Duration', 'MoneyQuantity', 'SimpleQuantity'],
};

// strings fhirpath.js may treat as date/time values when compared
const TEMPORAL = /^(\d{4}(-\d{2}(-\d{2})?)?(T|$)|\d{2}:\d{2})/;

function bail(): never {
  throw BAIL;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bool(c: Coll): boolean | undefined {
  if (c.length === 0) return undefined;
  if (c.length === 1 && typeof c[0] === 'boolean') return c[0];
  return bail();
}

function of(b: boolean | undefined): Coll {
  return b === undefined ? EMPTY : b ? TRUE : FALSE;
}

function isChoiceKey(key: string, name: string): boolean {
  if (key.length <= name.length || !key.startsWith(name)) return false;
  const c = key.charCodeAt(name.length);
  return c >= 65 && c <= 90;
}

function pushValue(out: Coll, v: unknown): void {
  if (v === null) bail();
  if (Array.isArray(v)) {
    for (const x of v) {
      if (x === null || x === undefined) bail();
      out.push(x);
    }
  } else out.push(v);
}

function member(input: Coll, name: string): Coll {
  const out: Coll = [];
  for (const item of input) {
    if (!isObj(item)) continue;
    if (item['_' + name] !== undefined) bail();
    const v = item[name];
    if (v !== undefined) {
      pushValue(out, v);
      continue;
    }
    for (const k in item) if (isChoiceKey(k, name)) bail();
  }
  return out;
}

function memberOfType(input: Coll, name: string, type: string): Coll {
  const wanted = name + type.charAt(0).toUpperCase() + type.slice(1);
  const subtypes = SUBTYPES[type] ?? [];
  const out: Coll = [];
  for (const item of input) {
    if (!isObj(item)) continue;
    if (item[name] !== undefined || item['_' + name] !== undefined) bail();
    for (const k in item) {
      if (k.charCodeAt(0) === 95 && isChoiceKey(k.slice(1), name)) bail();
      if (!isChoiceKey(k, name)) continue;
      if (k === wanted) pushValue(out, item[k]);
      else {
        const suffix = k.slice(name.length);
        if (subtypes.some((s) => s.toLowerCase() === suffix.toLowerCase())) bail();
      }
    }
  }
  return out;
}

function singleton(c: Coll): unknown {
  if (c.length > 1) bail();
  return c[0];
}

function comparable(v: unknown): string | number | boolean {
  if (typeof v === 'string') {
    if (TEMPORAL.test(v)) bail();
    return v;
  }
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) bail();
    return v;
  }
  if (typeof v === 'boolean') return v;
  return bail();
}

function equals(a: Coll, b: Coll): boolean | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  const x = comparable(singleton(a));
  const y = comparable(singleton(b));
  if (typeof x !== typeof y) bail();
  return x === y;
}

function number(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) bail();
  return v;
}

function unquote(text: string): string {
  const inner = text.slice(1, -1);
  if (inner.includes('\\')) throw new Unsupported('escape');
  return inner;
}

function kids(n: AstNode): AstNode[] {
  return n.children ?? [];
}

/** The literal strings of a `'a' | 'b' | ...` union (or a single literal), else undefined. */
function literalStrings(n: AstNode): string[] | undefined {
  if (n.type === 'TermExpression' || n.type === 'ParenthesizedTerm' || n.type === 'LiteralTerm') return kids(n).length === 1 ? literalStrings(kids(n)[0]) : undefined;
  if (n.type === 'StringLiteral') return [unquote(n.text!)];
  if (n.type === 'UnionExpression') {
    const l = literalStrings(kids(n)[0]);
    const r = literalStrings(kids(n)[1]);
    return l && r ? [...l, ...r] : undefined;
  }
  return undefined;
}

function functionParts(n: AstNode): { name: string; params: AstNode[] } {
  const fn = kids(n)[0];
  if (fn.type !== 'Functn') throw new Unsupported(fn.type);
  const name = kids(fn)[0].text!;
  const params = kids(fn)[1] ? kids(kids(fn)[1]) : [];
  return { name, params };
}

function typeName(n: AstNode): string {
  // ofType(X): TermExpression > InvocationTerm > MemberInvocation > Identifier
  let cur = n;
  while (cur.type !== 'Identifier') {
    if (kids(cur).length !== 1) throw new Unsupported('type specifier');
    cur = kids(cur)[0];
  }
  const t = cur.text!;
  if (!/^[A-Za-z]+$/.test(t)) throw new Unsupported('type');
  return t;
}

/** The member name when `n` is a plain member step (`x` or `....x`), for ofType(). */
function memberStep(n: AstNode): { base?: AstNode; name: string } | undefined {
  if (n.type === 'TermExpression' && kids(n)[0]?.type === 'InvocationTerm' && kids(kids(n)[0])[0]?.type === 'MemberInvocation') {
    return { name: kids(kids(n)[0])[0].text! };
  }
  if (n.type === 'InvocationExpression' && kids(n)[1]?.type === 'MemberInvocation') return { base: kids(n)[0], name: kids(n)[1].text! };
  return undefined;
}

function compileFunction(n: AstNode, base: Ev, baseNode: AstNode | undefined): Ev {
  const { name, params } = functionParts(n);
  const arity = (k: number): void => {
    if (params.length !== k) throw new Unsupported(`${name}/${params.length}`);
  };
  switch (name) {
    case 'exists': {
      if (params.length === 1) {
        const crit = compile(params[0]);
        return (input) => of(filter(base(input), crit).length > 0);
      }
      arity(0);
      return (input) => of(base(input).length > 0);
    }
    case 'empty':
      arity(0);
      return (input) => of(base(input).length === 0);
    case 'not':
      arity(0);
      return (input) => {
        const b = bool(base(input));
        return b === undefined ? EMPTY : of(!b);
      };
    case 'count':
      arity(0);
      return (input) => [base(input).length];
    case 'where': {
      arity(1);
      const crit = compile(params[0]);
      return (input) => filter(base(input), crit);
    }
    case 'all': {
      arity(1);
      const crit = compile(params[0]);
      return (input) => {
        for (const item of base(input)) if (bool(crit([item])) !== true) return FALSE;
        return TRUE;
      };
    }
    case 'ofType': {
      arity(1);
      const type = typeName(params[0]);
      const step = baseNode && memberStep(baseNode);
      if (!step) throw new Unsupported('ofType on a non-member');
      const parent = step.base ? compile(step.base) : (input: Coll) => input;
      return (input) => memberOfType(parent(input), step.name, type);
    }
    case 'matches': {
      arity(1);
      const pattern = literalStrings(params[0]);
      if (!pattern || pattern.length !== 1) throw new Unsupported('matches with a computed regex');
      const re = new RegExp(pattern[0], 'us');
      return (input) => {
        const s = singleton(base(input));
        if (s === undefined) return EMPTY;
        if (typeof s !== 'string') bail();
        return of(re.test(s));
      };
    }
    case 'toString':
      arity(0);
      return (input) => {
        const v = singleton(base(input));
        if (v === undefined) return EMPTY;
        if (typeof v === 'string') return [v];
        if (typeof v === 'number' && Number.isSafeInteger(v)) return [String(v)];
        return bail();
      };
    case 'extension': {
      arity(1);
      const url = literalStrings(params[0]);
      if (!url || url.length !== 1) throw new Unsupported('extension with a computed url');
      return (input) => {
        const out: Coll = [];
        for (const e of member(base(input), 'extension')) if (isObj(e) && e.url === url[0]) out.push(e);
        return out;
      };
    }
    default:
      throw new Unsupported(name);
  }
}

function filter(items: Coll, crit: Ev): Coll {
  const out: Coll = [];
  for (const item of items) if (bool(crit([item])) === true) out.push(item);
  return out;
}

function compile(n: AstNode): Ev {
  const c = kids(n);
  switch (n.type) {
    case 'EntireExpression':
    case 'TermExpression':
    case 'InvocationTerm':
    case 'ParenthesizedTerm':
    case 'LiteralTerm':
      if (c.length !== 1) throw new Unsupported(n.type);
      return compile(c[0]);
    case 'MemberInvocation': {
      const name = n.text!;
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Unsupported('member');
      return (input) => member(input, name);
    }
    case 'ThisInvocation':
      return (input) => input;
    case 'StringLiteral': {
      const s = unquote(n.text!);
      return () => [s];
    }
    case 'NumberLiteral': {
      if (!/^[0-9]{1,9}$/.test(n.text!)) throw new Unsupported('number');
      const v = Number(n.text);
      return () => [v];
    }
    case 'BooleanLiteral': {
      const v = n.text === 'true';
      return () => [v];
    }
    case 'InvocationExpression': {
      const step = c[1];
      if (step.type === 'MemberInvocation') {
        const base = compile(c[0]);
        const name = step.text!;
        if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Unsupported('member');
        return (input) => member(base(input), name);
      }
      if (step.type === 'FunctionInvocation') {
        const { name } = functionParts(step);
        // ofType compiles its own base (the parent of the choice element)
        const base = name === 'ofType' ? (input: Coll) => input : compile(c[0]);
        return compileFunction(step, base, c[0]);
      }
      throw new Unsupported(step.type);
    }
    case 'FunctionInvocation':
      return compileFunction(n, (input) => input, undefined);
    case 'AndExpression':
    case 'OrExpression':
    case 'ImpliesExpression': {
      const l = compile(c[0]);
      const r = compile(c[1]);
      const op = n.text;
      if (n.type === 'AndExpression' && op === 'and') {
        return (input) => {
          const a = bool(l(input));
          const b = bool(r(input));
          return a === false || b === false ? FALSE : a === true && b === true ? TRUE : EMPTY;
        };
      }
      if (n.type === 'OrExpression' && op === 'or') {
        return (input) => {
          const a = bool(l(input));
          const b = bool(r(input));
          return a === true || b === true ? TRUE : a === false && b === false ? FALSE : EMPTY;
        };
      }
      if (n.type === 'ImpliesExpression' && op === 'implies') {
        return (input) => {
          const a = bool(l(input));
          const b = bool(r(input));
          if (a === false) return TRUE;
          if (a === true) return of(b);
          return b === true ? TRUE : EMPTY;
        };
      }
      throw new Unsupported(`${n.type} ${op}`);
    }
    case 'EqualityExpression': {
      const l = compile(c[0]);
      const r = compile(c[1]);
      if (n.text === '=') return (input) => of(equals(l(input), r(input)));
      if (n.text === '!=') {
        return (input) => {
          const e = equals(l(input), r(input));
          return e === undefined ? EMPTY : of(!e);
        };
      }
      throw new Unsupported(`equality ${n.text}`);
    }
    case 'InequalityExpression': {
      const l = compile(c[0]);
      const r = compile(c[1]);
      const op = n.text;
      const cmp: Record<string, (a: number, b: number) => boolean> = { '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b };
      const f = op ? cmp[op] : undefined;
      if (!f) throw new Unsupported(`inequality ${op}`);
      return (input) => {
        const a = singleton(l(input));
        const b = singleton(r(input));
        if (a === undefined || b === undefined) return EMPTY;
        return of(f(number(a), number(b)));
      };
    }
    case 'AdditiveExpression': {
      if (n.text !== '+') throw new Unsupported(`additive ${n.text}`);
      const l = compile(c[0]);
      const r = compile(c[1]);
      return (input) => {
        const a = singleton(l(input));
        const b = singleton(r(input));
        if (a === undefined || b === undefined) return EMPTY;
        if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) bail();
        return [(a as number) + (b as number)];
      };
    }
    case 'MembershipExpression': {
      if (n.text !== 'in') throw new Unsupported(`membership ${n.text}`);
      const set = literalStrings(c[1]);
      if (!set) throw new Unsupported('in over a computed collection');
      if (set.some((s) => TEMPORAL.test(s))) throw new Unsupported('temporal literal');
      const l = compile(c[0]);
      return (input) => {
        const v = singleton(l(input));
        if (v === undefined) return EMPTY;
        if (typeof v !== 'string' || TEMPORAL.test(v)) bail();
        return of(set.includes(v));
      };
    }
    default:
      throw new Unsupported(n.type);
  }
}

export type NativeFn = (value: unknown) => unknown[];

const compiled = new Map<string, NativeFn | null>();

/**
 * The native form of an expression, or null when it uses anything outside the supported subset.
 * The function throws BAIL on inputs it cannot judge exactly; then use fhirpath.js.
 */
export function compileNative(expression: string): NativeFn | null {
  let fn = compiled.get(expression);
  if (fn !== undefined) return fn;
  try {
    const ev = compile(parseFhirpath(expression) as AstNode);
    fn = (value: unknown) => ev([value]);
  } catch {
    fn = null;
  }
  compiled.set(expression, fn);
  return fn;
}
