/**
 * A synchronous FHIRPath `resolve()` for invariants. fhirpath.js's own resolve() is asynchronous
 * (it fetches from a FHIR server), so core invariants that use it (ctm-1) could never fail. The
 * validator holds everything a reference inside the instance can point at: contained resources
 * (`#id`, `#`) and the entries of the enclosing Bundle (by fullUrl, or type/id relative to the
 * entry's base), the same targets it resolves when checking references. A reference to anything
 * else resolves to nothing, as in the HL7 validator without a server.
 */
import { fhirpathJs } from './fhirpath-lib';
import { isObject, type ResourceEnv } from '../checks/context';
import { resolveReference } from '../checks/references';

/**
 * Name of the evaluation variable carrying the resource's environment. Not a FHIRPath identifier,
 * so no expression can reach it by accident.
 */
export const RESOLVE_ENV_VAR = 'ngc resolution environment';

interface EvalContext {
  vars?: Record<string, unknown>;
  dataRoot?: unknown[];
}

interface NodeFactory {
  makeResNode(ctx: unknown, data: unknown, parent: null, path: null, extra: null, type: null): unknown;
}

/** fhirpath.js does not export its node class: take it from a node it made, so results keep their FHIR type (`is Practitioner`). */
function nodeFactory(node: unknown): NodeFactory | undefined {
  const ctor = isObject(node) ? (node.constructor as unknown as Partial<NodeFactory>) : undefined;
  return ctor && typeof ctor.makeResNode === 'function' ? (ctor as NodeFactory) : undefined;
}

function referenceText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return isObject(value) && typeof value.reference === 'string' ? value.reference : undefined;
}

function resolveFn(this: EvalContext, input: unknown[]): unknown[] {
  const env = this.vars?.[RESOLVE_ENV_VAR] as ResourceEnv | undefined;
  const out: unknown[] = [];
  if (!env) return out;
  for (const item of input) {
    const ref = referenceText(fhirpathJs().util.valData(item));
    if (!ref) continue;
    const target = resolveReference(ref, env);
    if (!target) continue;
    const factory = nodeFactory(item) ?? nodeFactory(this.dataRoot?.[0]);
    out.push(factory ? factory.makeResNode(this, target.resource, null, null, null, null) : target.resource);
  }
  return out;
}

/** The user invocation table given to fhirpath.js when an invariant is compiled. */
export const RESOLVE_INVOCATION_TABLE = {
  resolve: { fn: resolveFn, arity: { 0: [] as [] }, internalStructures: true },
};
