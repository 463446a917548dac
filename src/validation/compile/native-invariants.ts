/**
 * Core R4 invariants evaluated natively: each is an exact transcription of the core expression
 * (matched by key AND expression, so a profile reusing a key with another expression still goes to
 * FHIRPath). They run on nearly every resource or datatype value, where fhirpath.js costs ~5-20 µs a call.
 */
import type { Json } from '../checks/context';

type Holds = (value: unknown, env: { rootResource: Json }) => boolean;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

const NONE: readonly unknown[] = Object.freeze([]);

function list(v: unknown): readonly unknown[] {
  return v === undefined ? NONE : Array.isArray(v) ? v : [v];
}

function hasChoice(o: Json, name: string): boolean {
  for (const k in o) {
    if (k.length > name.length && k.startsWith(name) && k.charCodeAt(name.length) >= 65 && k.charCodeAt(name.length) <= 90) return true;
  }
  return false;
}

function sameCoding(a: unknown, b: unknown): boolean {
  const x = obj(a);
  const y = obj(b);
  if (!x || !y || x.code !== y.code || x.system !== y.system) return false;
  for (const k in x) if (k !== 'code' && k !== 'system' && x[k] !== y[k]) return false;
  for (const k in y) if (!(k in x)) return false;
  return true;
}

const NO_RESOURCES: readonly Json[] = Object.freeze([]);
// dom-2/4/5 run on every resource, nearly all without contained ones: no arrays built for those
const containedOf = (v: unknown): readonly Json[] => {
  const contained = obj(v)?.contained;
  return contained === undefined ? NO_RESOURCES : list(contained).map(obj).filter((c): c is Json => !!c);
};

const entries = (v: unknown): Json[] => list(obj(v)?.entry).map(obj).filter((e): e is Json => !!e);
const bundleType = (v: unknown): unknown => obj(v)?.type;
const firstResourceIs = (v: unknown, type: string): boolean => {
  const first = list(obj(v)?.entry)[0];
  return obj(obj(first)?.resource)?.resourceType === type;
};

export const NATIVE_EXPRESSIONS: Record<string, { expression: string; holds: Holds }> = {
  'dom-2': { expression: 'contained.contained.empty()', holds: (v) => containedOf(v).every((c) => c.contained === undefined) },
  'dom-4': {
    expression: 'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()',
    holds: (v) => containedOf(v).every((c) => obj(c.meta)?.versionId === undefined && obj(c.meta)?.lastUpdated === undefined),
  },
  'dom-5': { expression: 'contained.meta.security.empty()', holds: (v) => containedOf(v).every((c) => obj(c.meta)?.security === undefined) },
  'dom-6': { expression: 'text.`div`.exists()', holds: (v) => obj(obj(v)?.text)?.div !== undefined },
  'qty-3': { expression: 'code.empty() or system.exists()', holds: (v) => obj(v)?.code === undefined || obj(v)?.system !== undefined },
  'sqty-1': { expression: 'comparator.empty()', holds: (v) => obj(v)?.comparator === undefined },
  'bdl-5': {
    expression: 'resource.exists() or request.exists() or response.exists()',
    holds: (v) => {
      const e = obj(v);
      return !!e && (e.resource !== undefined || e.request !== undefined || e.response !== undefined);
    },
  },
  'bdl-8': {
    expression: "fullUrl.exists() implies fullUrl.contains('/_history/').not()",
    holds: (v) => {
      const u = obj(v)?.fullUrl;
      return typeof u !== 'string' || !u.includes('/_history/');
    },
  },
  'obs-6': {
    expression: 'dataAbsentReason.empty() or value.empty()',
    holds: (v) => {
      const o = obj(v);
      return !o || o.dataAbsentReason === undefined || !hasChoice(o, 'value');
    },
  },
  'obs-7': {
    expression: 'value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()',
    holds: (v) => {
      const o = obj(v);
      if (!o || !hasChoice(o, 'value') || !Array.isArray(o.component)) return true;
      // loops, not some() closures: this runs on every Observation with a value and components
      const own = list(obj(o.code)?.coding);
      const components = o.component;
      for (let i = 0; i < components.length; i++) {
        const codings = list(obj(obj(components[i])?.code)?.coding);
        for (let j = 0; j < codings.length; j++) for (let k = 0; k < own.length; k++) if (sameCoding(own[k], codings[j])) return false;
      }
      return true;
    },
  },
  'bdl-1': {
    expression: "total.empty() or (type = 'searchset') or (type = 'history')",
    holds: (v) => obj(v)?.total === undefined || bundleType(v) === 'searchset' || bundleType(v) === 'history',
  },
  'bdl-2': {
    expression: "entry.search.empty() or (type = 'searchset')",
    holds: (v) => bundleType(v) === 'searchset' || entries(v).every((e) => e.search === undefined),
  },
  'bdl-3': {
    expression: "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = 'history'))",
    holds: (v) => {
      const want = ['batch', 'transaction', 'history'].includes(bundleType(v) as string);
      return entries(v).every((e) => (e.request !== undefined) === want);
    },
  },
  'bdl-4': {
    expression: "entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or %resource.type = 'history'))",
    holds: (v) => {
      const want = ['batch-response', 'transaction-response', 'history'].includes(bundleType(v) as string);
      return entries(v).every((e) => (e.response !== undefined) === want);
    },
  },
  'bdl-9': {
    expression: "type = 'document' implies (identifier.system.exists() and identifier.value.exists())",
    holds: (v) => bundleType(v) !== 'document' || (obj(obj(v)?.identifier)?.system !== undefined && obj(obj(v)?.identifier)?.value !== undefined),
  },
  'bdl-10': {
    expression: "type = 'document' implies (timestamp.hasValue())",
    holds: (v) => bundleType(v) !== 'document' || typeof obj(v)?.timestamp === 'string',
  },
  'bdl-11': {
    expression: "type = 'document' implies entry.first().resource.is(Composition)",
    holds: (v) => bundleType(v) !== 'document' || firstResourceIs(v, 'Composition'),
  },
  'bdl-12': {
    expression: "type = 'message' implies entry.first().resource.is(MessageHeader)",
    holds: (v) => bundleType(v) !== 'message' || firstResourceIs(v, 'MessageHeader'),
  },
  'rng-2': {
    // FHIRPath compares Quantities only in comparable units; different units without conversion
    // give an empty result, which passes
    expression: 'low.empty() or high.empty() or (low <= high)',
    holds: (v) => {
      const low = obj(obj(v)?.low);
      const high = obj(obj(v)?.high);
      if (!low || !high || typeof low.value !== 'number' || typeof high.value !== 'number') return true;
      const unit = (q: Json): unknown => q.code ?? q.unit;
      if (unit(low) !== undefined && unit(high) !== undefined && (unit(low) !== unit(high) || low.system !== high.system)) return true;
      return low.value <= high.value;
    },
  },
  'ref-1': {
    // as corrected in invariant-corrections.ts
    expression:
      "reference.exists() implies (reference = '#' or (reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))))",
    holds: (v, env) => {
      const ref = obj(v)?.reference;
      if (typeof ref !== 'string' || ref === '#' || !ref.startsWith('#')) return true;
      const id = ref.slice(1);
      return containedOf(env.rootResource).some((c) => c.id === id);
    },
  },
};
