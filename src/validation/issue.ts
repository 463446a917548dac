/**
 * The one shape every check in the product reports: the FHIR engine, the NGC rules, the intake
 * guard and the HTTP layer all produce ValidationIssues, and `outcome.ts` turns them into an
 * OperationOutcome in one place.
 */

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

/** FHIR R4 issue-type codes (http://hl7.org/fhir/issue-type) that the product uses. */
export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'security'
  | 'login'
  | 'unknown'
  | 'expired'
  | 'forbidden'
  | 'suppressed'
  | 'processing'
  | 'not-supported'
  | 'duplicate'
  | 'multiple-matches'
  | 'not-found'
  | 'deleted'
  | 'too-long'
  | 'code-invalid'
  | 'extension'
  | 'too-costly'
  | 'business-rule'
  | 'conflict'
  | 'transient'
  | 'lock-error'
  | 'no-store'
  | 'exception'
  | 'timeout'
  | 'incomplete'
  | 'throttled'
  | 'informational';

/** An NGC rule of the reporting standard (SUB-03, VAR-07, ...) with its Danish text. */
export interface RuleRef {
  id: string;
  /** The rule's text in Danish: goes to OperationOutcome.issue.details.text. */
  textDa: string;
}

export interface ValidationIssue {
  severity: IssueSeverity;
  code: IssueType;
  /** English, for people: what is wrong and, where it helps, what was expected. */
  diagnostics: string;
  /** Simple FHIRPath to the element, e.g. `Bundle.entry[3].resource.component[1].valueCodeableConcept`. */
  expression?: string;
  /** Set when the issue enforces a rule of the NGC standard. */
  rule?: RuleRef;
  /** Stable machine id of the engine message kind (like the HL7 validator's message ids). */
  messageId?: string;
}

const SEVERITY_RANK: Record<IssueSeverity, number> = { fatal: 0, error: 1, warning: 2, information: 3 };

export function isBlocking(issue: ValidationIssue): boolean {
  return issue.severity === 'error' || issue.severity === 'fatal';
}

export function hasBlockingIssues(issues: readonly ValidationIssue[]): boolean {
  return issues.some(isBlocking);
}

/** Most severe first; stable otherwise, so the order of discovery is kept within a severity. */
export function sortIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => SEVERITY_RANK[a.issue.severity] - SEVERITY_RANK[b.issue.severity] || a.index - b.index)
    .map((x) => x.issue);
}
