/**
 * Element ids (`Element.id`) must be unique within a resource. As in the HL7 validator, the scope is
 * one resource: a Bundle's own elements (entry ids) form one scope, each entry's resource, and each
 * contained resource, its own; the resource's own `id` is not an element id.
 */
import type { ValidationIssue } from '../issue';
import { isObject, report, type ResourceEnv } from './context';

/**
 * Called for every complex value the walker enters. The map remembers which object first carried
 * each id, so walking the same object again (one walk per profile, slice trials) is not a duplicate.
 * The walk does not follow document order (sliced elements come last), so the occurrence reported
 * is chosen by document order: every one but the first, as the HL7 validator reports them.
 */
export function checkElementId(env: ResourceEnv, id: string, holder: object, path: string, sink: ValidationIssue[]): void {
  const seen = (env.elementIds ??= new Map());
  const first = seen.get(id);
  if (first === undefined) {
    seen.set(id, { holder, path });
    return;
  }
  if (first.holder === holder) return;
  let later = path;
  if (documentOrder(env, path, first.path) < 0) {
    later = first.path;
    seen.set(id, { holder, path });
  }
  report(sink, 'error', 'duplicate', 'DUPLICATE_ID', `Duplicate id value '${id}': element ids must be unique within a resource`, later);
}

const STEP = /^([^[\]]+)(?:\[(\d+)\])?$/;

/**
 * Compares two element paths of one resource by where the elements stand in its JSON (negative when
 * `a` comes first). Only runs when a duplicate is found, so it may re-read the resource.
 */
export function documentOrder(env: ResourceEnv, a: string, b: string): number {
  const prefix = env.path.length + 1;
  const as = a.length > prefix ? a.slice(prefix).split('.') : [];
  const bs = b.length > prefix ? b.slice(prefix).split('.') : [];
  let node: unknown = env.resource;
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const ma = STEP.exec(as[i]);
    const mb = STEP.exec(bs[i]);
    if (!ma || !mb) return 0;
    if (ma[1] !== mb[1]) {
      if (!isObject(node)) return 0;
      const keys = Object.keys(node);
      return keyIndex(keys, ma[1]) - keyIndex(keys, mb[1]);
    }
    if (ma[2] !== mb[2]) return Number(ma[2] ?? -1) - Number(mb[2] ?? -1);
    if (!isObject(node)) return 0;
    let next: unknown = node[ma[1]] ?? node['_' + ma[1]];
    if (ma[2] !== undefined) next = Array.isArray(next) ? (next[Number(ma[2])] ?? (node['_' + ma[1]] as unknown[] | undefined)?.[Number(ma[2])]) : undefined;
    node = next;
  }
  // an element comes before its descendants
  return as.length - bs.length;
}

/** A primitive's id lives in its `_x` twin: the element stands where its value or its twin does, whichever is first. */
function keyIndex(keys: string[], name: string): number {
  const i = keys.indexOf(name);
  const j = keys.indexOf('_' + name);
  return i < 0 ? j : j < 0 ? i : Math.min(i, j);
}
