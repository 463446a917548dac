/** Contract of the NGC business rules (src/rules): pure checks of a parsed submission Bundle. */
import type { Bundle } from 'fhir/r4';
import type { ValidationIssue } from '../validation/issue';

export interface RuleContext {
  /** "Now" for the future-date rules (5 minutes of clock skew are allowed by the rules). */
  now: Date;
}

export interface SubmissionRules {
  /**
   * Rewrites older/variant code system URIs in place (TERM-01) BEFORE profile validation, and
   * reports each rewrite as a TERM-01 warning.
   */
  normalizeTerminology(bundle: Bundle): ValidationIssue[];
  /** Every rule of the standard that the profiles cannot express; every issue carries its rule. */
  check(bundle: Bundle, context: RuleContext): ValidationIssue[];
}
