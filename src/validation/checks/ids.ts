/**
 * Element ids (`Element.id`) must be unique within a resource. As in the HL7 validator, the scope is
 * one resource: a Bundle's own elements (entry ids) form one scope, each entry's resource, and each
 * contained resource, its own; the resource's own `id` is not an element id.
 */
import type { ValidationIssue } from '../issue';
import { report, type ResourceEnv } from './context';

/**
 * Called for every complex value the walker enters. The map remembers which object first carried
 * each id, so walking the same object again (one walk per profile, slice trials) is not a duplicate.
 */
export function checkElementId(env: ResourceEnv, id: string, holder: object, path: string, sink: ValidationIssue[]): void {
  const seen = (env.elementIds ??= new Map());
  const first = seen.get(id);
  if (first === undefined) seen.set(id, holder);
  else if (first !== holder) {
    report(sink, 'error', 'duplicate', 'DUPLICATE_ID', `Duplicate id value '${id}': element ids must be unique within a resource`, path);
  }
}
