import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { sortIssues, type IssueSeverity, type IssueType, type ValidationIssue } from './issue';

/** The code system whose codes are the rule ids of the NGC reporting standard. */
export const NGC_RULE_SYSTEM = 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-validation-rule';
/** Where the HL7 validator also puts its message ids. */
export const MESSAGE_ID_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id';

export interface OutcomeOptions {
  /** Used when there is no issue at all (FHIR requires at least one). */
  allOkText?: string;
  id?: string;
}

function toOutcomeIssue(issue: ValidationIssue): OperationOutcomeIssue {
  const out: OperationOutcomeIssue = { severity: issue.severity, code: issue.code };
  if (issue.messageId) out.extension = [{ url: MESSAGE_ID_EXTENSION, valueString: issue.messageId }];
  if (issue.rule) {
    out.details = {
      coding: [{ system: NGC_RULE_SYSTEM, code: issue.rule.id }],
      text: issue.rule.textDa,
    };
  }
  out.diagnostics = issue.diagnostics;
  if (issue.expression) out.expression = [issue.expression];
  return out;
}

/** The one place that builds OperationOutcomes. Issues come out most severe first. */
export function operationOutcome(issues: readonly ValidationIssue[], options: OutcomeOptions = {}): OperationOutcome {
  const outcome: OperationOutcome = { resourceType: 'OperationOutcome', issue: [] };
  if (options.id) outcome.id = options.id;
  outcome.issue = issues.length
    ? sortIssues(issues).map(toOutcomeIssue)
    : [{ severity: 'information', code: 'informational', diagnostics: options.allOkText ?? 'No issues found' }];
  return outcome;
}

/** An OperationOutcome of a single issue, for HTTP errors (401, 413, 415, ...). */
export function singleIssueOutcome(severity: IssueSeverity, code: IssueType, diagnostics: string, expression?: string): OperationOutcome {
  return operationOutcome([{ severity, code, diagnostics, expression }]);
}
