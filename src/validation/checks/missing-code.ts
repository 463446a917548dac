/**
 * A `code` element bound to a required value set whose primitive carries no value, only extensions
 * (`"category": [null], "_category": [{...}]`): the HL7 validator reports that no code was given
 * although one is required, even when the extension is a data-absent-reason.
 */
import type { ValidationIssue } from '../issue';
import type { ElementNode, TypeRef } from '../compile/model';
import { report } from './context';

export function checkMissingRequiredCode(node: ElementNode, type: TypeRef, path: string, sink: ValidationIssue[]): void {
  const binding = node.binding;
  if (type.code !== 'code' || !binding || binding.strength !== 'required' || !binding.valueSet) return;
  report(sink, 'error', 'code-invalid', 'BINDING_NO_CODE', `No code provided, and a code is required from the value set '${binding.valueSet}'`, path, binding.tagged ? node.rule : undefined);
}
