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
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === null || x === undefined) bail();
      out.push(x);
    }
  } else out.push(v);
}

/** A JSON array usable as a collection as it is (no null or missing items). */
function plainArray(v: unknown[]): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] === null || v[i] === undefined) return false;
  return true;
}

/**
 * `name` of each item. Collections are never modified once built, so a single item's JSON array is
 * the result itself (most steps have one input item): copying it was the evaluator's main garbage.
 */
function member(input: Coll, name: string, twin: string): Coll {
  if (input.length === 1) {
    const v = propertyOf(input[0], name, twin);
    if (v === undefined) return EMPTY;
    return Array.isArray(v) ? v : [v];
  }
  const out: Coll = [];
  for (let i = 0; i < input.length; i++) {
    const v = propertyOf(input[i], name, twin);
    if (v !== undefined) pushValue(out, v);
  }
  return out;
}

/**
 * An item's property `name` as it stands in the JSON (a value or a plain array), undefined when the
 * item is no object or lacks it. Bails where the JSON alone does not tell the FHIRPath answer: a
 * primitive's `_name` twin (extensions), a choice-type key, null, an array with holes.
 */
function propertyOf(item: unknown, name: string, twin: string): unknown {
  if (!isObj(item)) return undefined;
  if (item[twin] !== undefined) bail();
  const v = item[name];
  if (v === undefined) {
    for (const k in item) if (isChoiceKey(k, name)) bail();
    return undefined;
  }
  if (v === null) bail();
  if (Array.isArray(v) && !plainArray(v)) bail();
  return v;
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

const digitAt = (v: string, i: number): boolean => {
  const c = v.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/**
 * Whether fhirpath.js may read the string as a date or time: TEMPORAL.test(v), spelled out (codes
 * such as LOINC's start with digits, and this runs on every string compared).
 */
export function temporal(v: string): boolean {
  if (!digitAt(v, 0) || !digitAt(v, 1)) return false;
  if (v.charCodeAt(2) === 58 /* : */) return digitAt(v, 3) && digitAt(v, 4);
  if (!digitAt(v, 2) || !digitAt(v, 3)) return false;
  // YYYY, then optionally -MM and -DD, then the end or 'T'; a '-' not followed by two digits ends the date there
  let i = 4;
  for (let part = 0; part < 2; part++) {
    if (v.charCodeAt(i) === 45 /* - */ && digitAt(v, i + 1) && digitAt(v, i + 2)) {
      const after = i + 3;
      if (after === v.length || v.charCodeAt(after) === 84 /* T */) return true;
      if (part === 0 && v.charCodeAt(after) === 45) {
        i = after;
        continue;
      }
      // no longer form matched: fall back to the shorter one ending at i
    }
    break;
  }
  return isDateEnd(v, 4) || (i > 4 && isDateEnd(v, 7));
}

const isDateEnd = (v: string, i: number): boolean => i === v.length || v.charCodeAt(i) === 84;

function comparable(v: unknown): string | number | boolean {
  if (typeof v === 'string') {
    if (temporal(v)) bail();
    return v;
  }
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) bail();
    return v;
  }
  if (typeof v === 'boolean') return v;
  return bail();
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

/** A compiled expression read as one value: undefined when empty, MANY when more than one item. */
type Scalar = (input: Coll) => unknown;
const MANY: unique symbol = Symbol('many');
type Len = (input: Coll) => number;
/** A compiled expression read as a condition: what bool() makes of its result (BAIL where bool() would). */
type Pred = (input: Coll) => boolean | undefined;

const MEMBER_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function memberName(n: AstNode): string {
  const name = n.text!;
  if (!MEMBER_NAME.test(name)) throw new Unsupported('member');
  return name;
}

/** Single-child wrappers that mean their child. */
function unwrap(n: AstNode): AstNode {
  let cur = n;
  while ((cur.type === 'EntireExpression' || cur.type === 'TermExpression' || cur.type === 'ParenthesizedTerm' || cur.type === 'LiteralTerm' || cur.type === 'InvocationTerm') && kids(cur).length === 1) {
    cur = kids(cur)[0];
  }
  return cur;
}

/** `a.b.c`: member steps from the input, or from a base expression (undefined: from the input). */
interface MemberChain {
  base?: AstNode;
  names: string[];
  twins: string[];
}

function memberChain(n: AstNode): MemberChain | undefined {
  const names: string[] = [];
  let cur = unwrap(n);
  for (;;) {
    if (cur.type === 'MemberInvocation') {
      names.unshift(memberName(cur));
      break;
    }
    if (cur.type === 'InvocationExpression' && kids(cur)[1]?.type === 'MemberInvocation') {
      names.unshift(memberName(kids(cur)[1]));
      cur = unwrap(kids(cur)[0]);
      continue;
    }
    if (!names.length) return undefined;
    return { base: cur, names, twins: names.map((x) => '_' + x) };
  }
  return { names, twins: names.map((x) => '_' + x) };
}

const NONE: unique symbol = Symbol('none');
// The result of the last runChain: one item (chainSingle, and chainArray when a one-item JSON
// array holds it) or a collection (chainColl). Read at once by the caller; nothing runs in between.
let chainSingle: unknown = NONE;
let chainArray: Coll | undefined;
let chainColl: Coll = EMPTY;

/**
 * Member steps over a collection, as repeated member() calls would take them (same items, same
 * BAILs), without building the one-item collections in between: most steps go from one object to one
 * value.
 */
function runChain(input: Coll, names: string[], twins: string[]): void {
  let single: unknown = input.length === 1 ? input[0] : NONE;
  let array: Coll | undefined = input.length === 1 ? input : undefined;
  let coll = input;
  for (let s = 0; s < names.length; s++) {
    if (single === NONE) {
      if (coll.length === 0) break;
      coll = member(coll, names[s], twins[s]);
      if (coll.length === 1) {
        single = coll[0];
        array = coll;
      }
      continue;
    }
    const item = single;
    single = NONE;
    array = undefined;
    coll = EMPTY;
    if (!isObj(item)) break;
    if (item[twins[s]] !== undefined) bail();
    const name = names[s];
    const v = item[name];
    if (v === undefined) {
      for (const k in item) if (isChoiceKey(k, name)) bail();
      break;
    }
    if (v === null) bail();
    if (Array.isArray(v)) {
      if (!plainArray(v)) bail();
      if (v.length === 1) {
        single = v[0];
        array = v;
      } else coll = v;
    } else single = v;
  }
  chainSingle = single;
  chainArray = array;
  chainColl = coll;
}

function chainEv(chain: MemberChain): Ev {
  const { names, twins } = chain;
  const base = chain.base ? compile(chain.base) : undefined;
  return (input) => {
    runChain(base ? base(input) : input, names, twins);
    if (chainSingle === NONE) return chainColl;
    return chainArray ?? [chainSingle];
  };
}

/** The expression's single value: undefined when empty, MANY when several (where fhirpath.js would raise an error). */
function compileScalar(n: AstNode): Scalar {
  const chain = memberChain(n);
  if (chain && !chain.base && chain.names.length === 1) return memberScalar(chain.names[0], chain.twins[0]);
  if (chain) {
    const { names, twins } = chain;
    const base = chain.base ? compile(chain.base) : undefined;
    return (input) => {
      runChain(base ? base(input) : input, names, twins);
      if (chainSingle !== NONE) return chainSingle;
      return chainColl.length === 0 ? undefined : MANY;
    };
  }
  const u = unwrap(n);
  if (u.type === 'StringLiteral' || u.type === 'NumberLiteral' || u.type === 'BooleanLiteral') {
    const v = compile(u)([])[0];
    return () => v;
  }
  const ev = compile(n);
  return (input) => {
    const c = ev(input);
    return c.length === 0 ? undefined : c.length === 1 ? c[0] : MANY;
  };
}

/** One member of the input read as one value (`system`, `code` in a criterion): runChain's result, taken directly. */
function memberScalar(name: string, twin: string): Scalar {
  const names = [name];
  const twins = [twin];
  return (input) => {
    if (input.length !== 1) {
      runChain(input, names, twins);
      if (chainSingle !== NONE) return chainSingle;
      return chainColl.length === 0 ? undefined : MANY;
    }
    const v = propertyOf(input[0], name, twin);
    if (!Array.isArray(v)) return v;
    return v.length === 0 ? undefined : v.length === 1 ? v[0] : MANY;
  };
}

/** `x = 'literal'` where the literal is no date: equalValues with the literal's side already known. */
function equalsLiteral(l: Scalar, literal: string): Pred {
  return (input) => {
    const a = l(input);
    if (a === undefined) return undefined;
    if (a === MANY) bail();
    const x = comparable(a);
    if (typeof x !== 'string') bail();
    return x === literal;
  };
}

/** The number of items the expression yields. */
function compileLength(n: AstNode): Len {
  const chain = memberChain(n);
  if (chain) {
    const { names, twins } = chain;
    const base = chain.base ? compile(chain.base) : undefined;
    return (input) => {
      runChain(base ? base(input) : input, names, twins);
      return chainSingle !== NONE ? 1 : chainColl.length;
    };
  }
  const u = unwrap(n);
  if (u.type === 'InvocationExpression' && kids(u)[1].type === 'FunctionInvocation' && functionParts(kids(u)[1]).name === 'where') {
    const { params } = functionParts(kids(u)[1]);
    if (params.length !== 1) throw new Unsupported('where/' + params.length);
    const base = compile(kids(u)[0]);
    const crit = compileBool(params[0]);
    const criterion = astKey(params[0]);
    const one: Coll = [undefined];
    return (input) => sharedFilter(base(input), crit, one, criterion).length;
  }
  const ev = compile(n);
  return (input) => ev(input).length;
}

function compileFunction(n: AstNode, baseNode: AstNode | undefined): Ev {
  const { name, params } = functionParts(n);
  const arity = (k: number): void => {
    if (params.length !== k) throw new Unsupported(`${name}/${params.length}`);
  };
  const identity: Ev = (input) => input;
  const base = (): Ev => (baseNode ? compile(baseNode) : identity);
  const length = (): Len => (baseNode ? compileLength(baseNode) : (input) => input.length);
  const scalar = (): Scalar => (baseNode ? compileScalar(baseNode) : (input) => (input.length === 0 ? undefined : input.length === 1 ? input[0] : MANY));
  const condition = compileBoolFunction(n, baseNode);
  if (condition) return (input) => of(condition(input));
  switch (name) {
    case 'count': {
      arity(0);
      const len = length();
      return (input) => [len(input)];
    }
    case 'where': {
      arity(1);
      const items = base();
      const crit = compileBool(params[0]);
      const criterion = astKey(params[0]);
      const one: Coll = [undefined];
      return (input) => sharedFilter(items(input), crit, one, criterion);
    }
    case 'ofType': {
      arity(1);
      const type = typeName(params[0]);
      const step = baseNode && memberStep(baseNode);
      if (!step) throw new Unsupported('ofType on a non-member');
      const parent = step.base ? compile(step.base) : identity;
      return (input) => memberOfType(parent(input), step.name, type);
    }
    case 'toString': {
      arity(0);
      const value = scalar();
      return (input) => {
        const v = value(input);
        if (v === undefined) return EMPTY;
        if (typeof v === 'string') return [v];
        if (typeof v === 'number' && Number.isSafeInteger(v)) return [String(v)];
        return bail();
      };
    }
    case 'extension': {
      arity(1);
      const url = literalStrings(params[0]);
      if (!url || url.length !== 1) throw new Unsupported('extension with a computed url');
      const items = base();
      return (input) => {
        const out: Coll = [];
        for (const e of member(items(input), 'extension', '_extension')) if (isObj(e) && e.url === url[0]) out.push(e);
        return out;
      };
    }
    default:
      throw new Unsupported(name);
  }
}

/**
 * A criterion written the same way selects the same items: its structure, spelled out (fhirpath.js's
 * node texts drop the whitespace between tokens, so `a and b` and the identifier `aandb` would read
 * alike).
 */
function astKey(n: AstNode): string {
  const c = kids(n);
  const text = c.length ? '' : JSON.stringify(n.text ?? '');
  return `${n.type}${text}(${c.map(astKey).join(',')})`;
}

/**
 * where() results by the array filtered and the criterion, within one validation. NGC's invariants
 * find an Observation's components by code, one invariant after another over the same array
 * (`component.where(code.coding.where(system = 'http://loinc.org' and code = '48019-4').exists())`
 * appears in four of them): the scans after the first are lookups. Exact because nothing changes
 * the JSON while it is validated (TERM-01 rewrites before the engine runs) and a criterion reads
 * nothing but its item (the native subset has no %variables); a criterion that bails throws before
 * anything is remembered. A caller may change a resource between two validations, so results are
 * only used within the validation that found them (startWhereMemo). Keyed weakly by the array, so
 * the memo goes with the resource; one-item arrays are filtered again rather than remembered.
 */
const whereResults = new WeakMap<Coll, { validation: number; byCriterion: Map<string, Coll> }>();
let validation = 0;

/** A new validation begins: where() results found before it are not used. */
export function startWhereMemo(): void {
  validation++;
}

function sharedFilter(items: Coll, crit: Pred, one: Coll, criterion: string): Coll {
  if (items.length < 2) return filter(items, crit, one);
  let memo = whereResults.get(items);
  if (memo === undefined || memo.validation !== validation) {
    memo = { validation, byCriterion: new Map() };
    whereResults.set(items, memo);
  }
  let result = memo.byCriterion.get(criterion);
  if (result === undefined) {
    result = filter(items, crit, one);
    memo.byCriterion.set(criterion, result);
  }
  return result;
}

/*
 * A criterion is evaluated on each item as a one-item collection: `one`, owned by the call site and
 * refilled per item. A criterion's result is read before the next item, and no expression contains
 * its own call site, so the array is never in use twice at once.
 */
function filter(items: Coll, crit: Pred, one: Coll): Coll {
  let out: Coll | undefined;
  let all = true;
  for (let i = 0; i < items.length; i++) {
    one[0] = items[i];
    if (crit(one) === true) {
      if (!all) out!.push(items[i]);
    } else if (all) {
      all = false;
      out = items.slice(0, i);
    }
  }
  // every item passed: the input itself is the result (collections are never modified)
  return all ? items : out!;
}

/** How many items meet the criterion (every item is evaluated, as fhirpath.js does). */
function countWhere(items: Coll, crit: Pred, one: Coll): number {
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    one[0] = items[i];
    if (crit(one) === true) n++;
  }
  return n;
}

/** The functions that yield a condition, compiled as predicates; undefined for any other function. */
function compileBoolFunction(n: AstNode, baseNode: AstNode | undefined): Pred | undefined {
  const { name, params } = functionParts(n);
  const arity = (k: number): void => {
    if (params.length !== k) throw new Unsupported(`${name}/${params.length}`);
  };
  const base = (): Ev => (baseNode ? compile(baseNode) : (input) => input);
  const length = (): Len => (baseNode ? compileLength(baseNode) : (input) => input.length);
  switch (name) {
    case 'exists': {
      if (params.length === 1) {
        const items = base();
        const crit = compileBool(params[0]);
        const one: Coll = [undefined];
        return (input) => countWhere(items(input), crit, one) > 0;
      }
      arity(0);
      const len = length();
      return (input) => len(input) > 0;
    }
    case 'empty': {
      arity(0);
      const len = length();
      return (input) => len(input) === 0;
    }
    case 'not': {
      arity(0);
      const cond: Pred = baseNode ? compileBool(baseNode) : (input) => bool(input);
      return (input) => {
        const b = cond(input);
        return b === undefined ? undefined : !b;
      };
    }
    case 'all': {
      arity(1);
      const items = base();
      const crit = compileBool(params[0]);
      const one: Coll = [undefined];
      return (input) => {
        const list = items(input);
        for (let i = 0; i < list.length; i++) {
          one[0] = list[i];
          if (crit(one) !== true) return false;
        }
        return true;
      };
    }
    case 'matches': {
      arity(1);
      const pattern = literalStrings(params[0]);
      if (!pattern || pattern.length !== 1) throw new Unsupported('matches with a computed regex');
      const re = new RegExp(pattern[0], 'us');
      const value: Scalar = baseNode ? compileScalar(baseNode) : (input) => (input.length === 0 ? undefined : input.length === 1 ? input[0] : MANY);
      return (input) => {
        const s = value(input);
        if (s === undefined) return undefined;
        if (typeof s !== 'string') bail();
        return re.test(s);
      };
    }
    default:
      return undefined;
  }
}

/** An expression read as a condition, without building the one-item collections of its parts. */
function compileBool(n: AstNode): Pred {
  const u = unwrap(n);
  const c = kids(u);
  switch (u.type) {
    case 'AndExpression':
    case 'OrExpression':
    case 'ImpliesExpression': {
      const op = u.text;
      if (u.type === 'AndExpression' && op === 'and') {
        const l = compileBool(c[0]);
        const r = compileBool(c[1]);
        return (input) => {
          const a = l(input);
          const b = r(input);
          return a === false || b === false ? false : a === true && b === true ? true : undefined;
        };
      }
      if (u.type === 'OrExpression' && op === 'or') {
        const l = compileBool(c[0]);
        const r = compileBool(c[1]);
        return (input) => {
          const a = l(input);
          const b = r(input);
          return a === true || b === true ? true : a === false && b === false ? false : undefined;
        };
      }
      if (u.type === 'ImpliesExpression' && op === 'implies') {
        const l = compileBool(c[0]);
        const r = compileBool(c[1]);
        return (input) => {
          const a = l(input);
          const b = r(input);
          if (a === false) return true;
          if (a === true) return b;
          return b === true ? true : undefined;
        };
      }
      throw new Unsupported(`${u.type} ${op}`);
    }
    case 'EqualityExpression': {
      const l = compileScalar(c[0]);
      const right = unwrap(c[1]);
      if (u.text === '=' && right.type === 'StringLiteral') {
        const literal = unquote(right.text!);
        if (!temporal(literal)) return equalsLiteral(l, literal);
      }
      const r = compileScalar(c[1]);
      if (u.text === '=') return (input) => equalValues(l(input), r(input));
      if (u.text === '!=') {
        return (input) => {
          const e = equalValues(l(input), r(input));
          return e === undefined ? undefined : !e;
        };
      }
      throw new Unsupported(`equality ${u.text}`);
    }
    case 'InequalityExpression': {
      const l = compileScalar(c[0]);
      const r = compileScalar(c[1]);
      const op = u.text;
      const cmp: Record<string, (a: number, b: number) => boolean> = { '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b };
      const f = op ? cmp[op] : undefined;
      if (!f) throw new Unsupported(`inequality ${op}`);
      return (input) => {
        const a = l(input);
        const b = r(input);
        if (a === MANY || b === MANY) bail();
        if (a === undefined || b === undefined) return undefined;
        return f(number(a), number(b));
      };
    }
    case 'MembershipExpression': {
      if (u.text !== 'in') throw new Unsupported(`membership ${u.text}`);
      const set = literalStrings(c[1]);
      if (!set) throw new Unsupported('in over a computed collection');
      if (set.some((s) => TEMPORAL.test(s))) throw new Unsupported('temporal literal');
      const l = compileScalar(c[0]);
      return (input) => {
        const v = l(input);
        if (v === MANY) bail();
        if (v === undefined) return undefined;
        if (typeof v !== 'string' || temporal(v)) bail();
        return set.includes(v);
      };
    }
    case 'InvocationExpression':
      if (c[1].type === 'FunctionInvocation') {
        const p = compileBoolFunction(c[1], c[0]);
        if (p) return p;
      }
      break;
    case 'FunctionInvocation': {
      const p = compileBoolFunction(u, undefined);
      if (p) return p;
      break;
    }
  }
  const ev = compile(n);
  return (input) => bool(ev(input));
}

function equalValues(a: unknown, b: unknown): boolean | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a === MANY || b === MANY) bail();
  const x = comparable(a);
  const y = comparable(b);
  if (typeof x !== typeof y) bail();
  return x === y;
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
    case 'MemberInvocation':
      return chainEv(memberChain(n)!);
    case 'ThisInvocation':
      return (input) => input;
    case 'StringLiteral': {
      const s: Coll = [unquote(n.text!)];
      return () => s;
    }
    case 'NumberLiteral': {
      if (!/^[0-9]{1,9}$/.test(n.text!)) throw new Unsupported('number');
      const v: Coll = [Number(n.text)];
      return () => v;
    }
    case 'BooleanLiteral': {
      const v = n.text === 'true' ? TRUE : FALSE;
      return () => v;
    }
    case 'InvocationExpression': {
      const step = c[1];
      if (step.type === 'MemberInvocation') return chainEv(memberChain(n)!);
      // ofType compiles its own base (the parent of the choice element)
      if (step.type === 'FunctionInvocation') return compileFunction(step, c[0]);
      throw new Unsupported(step.type);
    }
    case 'FunctionInvocation':
      return compileFunction(n, undefined);
    case 'AndExpression':
    case 'OrExpression':
    case 'ImpliesExpression':
    case 'EqualityExpression':
    case 'InequalityExpression':
    case 'MembershipExpression': {
      const p = compileBool(n);
      return (input) => of(p(input));
    }
    case 'AdditiveExpression': {
      if (n.text !== '+') throw new Unsupported(`additive ${n.text}`);
      const l = compileScalar(c[0]);
      const r = compileScalar(c[1]);
      return (input) => {
        const a = l(input);
        const b = r(input);
        if (a === MANY || b === MANY) bail();
        if (a === undefined || b === undefined) return EMPTY;
        if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) bail();
        return [(a as number) + (b as number)];
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
