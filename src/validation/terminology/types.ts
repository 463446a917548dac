/** Contract of the terminology service: checks codes against the ValueSets/CodeSystems loaded. */

export type CodeCheck =
  | { outcome: 'valid'; display?: string }
  /** The code is definitely not in the value set (or not in a complete code system). */
  | { outcome: 'invalid'; message: string }
  /** The engine cannot decide (external code system not loaded, value set not loaded, ...). */
  | { outcome: 'not-checkable'; message: string };

export interface Terminology {
  /** Is system|code a member of the value set? `display` is checked when given (a wrong display is a warning-level message). */
  validateCode(valueSetUrl: string, system: string | undefined, code: string, display?: string): CodeCheck & { displayMessage?: string };
  /** Is the code defined in that code system (when the system is loaded and complete)? */
  validateCodeInSystem(system: string, code: string, display?: string): CodeCheck & { displayMessage?: string };
}
