/**
 * What the HL7 Java validator asks of a Coding.system URL itself, before any code is looked up: it
 * must be absolute (a bare name such as 'Location' identifies no code system), and it must not name a
 * CodeSystem supplement (a supplement only adds designations or properties to the system it
 * supplements; the codes belong to that system, which is what Coding.system has to name).
 */
import type { ConformanceStore } from '../definitions/types';

export interface CodingSystemProblem {
  messageId: 'CODE_SYSTEM_RELATIVE' | 'CODE_SYSTEM_SUPPLEMENT' | 'CODE_SYSTEM_IS_VALUE_SET';
  message: string;
}

/** A URI with a scheme (http:, urn:, ...). Fragment references ('#x') are left alone: their rules are another matter. */
const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

export function codingSystemProblem(store: Pick<ConformanceStore, 'codeSystem'>, system: string): CodingSystemProblem | undefined {
  if (!ABSOLUTE.test(system) && !system.startsWith('#')) {
    return { messageId: 'CODE_SYSTEM_RELATIVE', message: `Coding.system must be an absolute reference, not a local reference ('${system}')` };
  }
  const supplemented = store.codeSystem(system)?.supplements;
  if (supplemented) {
    return {
      messageId: 'CODE_SYSTEM_SUPPLEMENT',
      message: `The CodeSystem '${system}' is a supplement (of '${supplemented}'), so it cannot be used as a Coding.system: use the system it supplements`,
    };
  }
  return undefined;
}

/**
 * A system URL that names a loaded ValueSet (and no CodeSystem): a common slip (the binding's URL put
 * in Coding.system). HL7 reports it on top of whatever the code system check says, so this is separate.
 */
export function valueSetAsSystem(store: Pick<ConformanceStore, 'codeSystem' | 'valueSet'>, system: string): CodingSystemProblem | undefined {
  if (!store.valueSet(system) || store.codeSystem(system)) return undefined;
  return { messageId: 'CODE_SYSTEM_IS_VALUE_SET', message: `The Coding references a value set, not a code system ('${system}')` };
}
