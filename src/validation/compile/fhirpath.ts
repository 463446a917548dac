/**
 * FHIRPath invariants: each (expression, base path) pair compiled once with HL7's fhirpath.js and
 * the R4 model, then evaluated per element.
 */
import { fhirpathJs, fhirpathR4Model } from './fhirpath-lib';
import type { CompiledInvariant, InvariantFn } from './model';
import { RESOLVE_INVOCATION_TABLE } from './fhirpath-resolve';

/**
 * Core invariants this engine checks natively instead of through FHIRPath, and why:
 * - ele-1 (every element has a value or children) and ext-1 (extension has value or extensions, not
 *   both): the JSON rules check them on every element at no cost; evaluating them through FHIRPath on
 *   every element would dominate the run time.
 * - txt-1/txt-2 use htmlChecks(), which fhirpath.js does not implement (the HL7 validator checks the
 *   XHTML with its own parser); checks/xhtml.ts checks both (txt-1: the allowed names, txt-2: some
 *   visible content).
 * - bdl-7 (fullUrl unique) uses isDistinct() over all entries, quadratic in fhirpath.js: checked natively
 *   by the Bundle module.
 * - dom-3 (contained resources are referenced) fails in fhirpath.js 5 (`descendants().as(canonical)`
 *   needs a singleton) and walks all descendants four times: checked natively.
 */
export const NATIVE_INVARIANTS: ReadonlySet<string> = new Set(['ele-1', 'ext-1', 'txt-1', 'txt-2', 'bdl-7', 'dom-3']);

const cache = new Map<string, InvariantFn | null>();

/** Expressions fhirpath.js could not compile: reported by the validator as skipped, never as passed silently. */
export const uncompilable = new Map<string, string>();

export function compiledInvariant(inv: CompiledInvariant, basePath: string): InvariantFn | null {
  if (inv.fn !== undefined) return inv.fn;
  const key = basePath + '\u0000' + inv.expression;
  let fn = cache.get(key);
  if (fn === undefined) {
    try {
      fn = fhirpathJs().compile({ base: basePath, expression: inv.expression }, fhirpathR4Model(), {
        resolveInternalTypes: true,
        traceFn: () => undefined,
        userInvocationTable: RESOLVE_INVOCATION_TABLE,
      }) as unknown as InvariantFn;
    } catch (e) {
      uncompilable.set(inv.key, (e as Error).message.split('\n')[0]);
      fn = null;
    }
    cache.set(key, fn);
  }
  inv.fn = fn;
  return fn;
}

/**
 * Truthiness of an invariant's result: a single boolean is itself, other non-empty results are true.
 * An empty result passes: core invariants such as ref-1 yield empty when the element they test is
 * absent (a Reference with only an identifier), and the HL7 validator does not report those.
 */
export function invariantHolds(result: unknown[]): boolean {
  if (result.length === 0) return true;
  if (result.length === 1 && typeof result[0] === 'boolean') return result[0];
  return true;
}
