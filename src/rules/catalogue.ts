/**
 * The rule catalogue (`profiles/data/validation-rules.json`) is the one source of every rule's
 * texts: the rules take their Danish text from here, and the code system ngc-validation-rule is
 * generated from the same file.
 */
import type { IssueSeverity, IssueType, ValidationIssue } from '../validation/issue';

export interface RuleDefinition {
  id: string;
  section: string;
  severity: 'error' | 'warning';
  en: string;
  da: string;
  fix: string;
}

export class RuleCatalogue {
  private readonly byId: ReadonlyMap<string, RuleDefinition>;

  constructor(readonly rules: readonly RuleDefinition[]) {
    this.byId = new Map(rules.map((r) => [r.id, r]));
  }

  get(id: string): RuleDefinition {
    const rule = this.byId.get(id);
    if (!rule) throw new Error(`the rule catalogue has no rule ${id}`);
    return rule;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }
}

export interface RuleIssueInput {
  code: IssueType;
  diagnostics: string;
  expression: string;
  /** Defaults to the rule's severity in the catalogue. */
  severity?: IssueSeverity;
}

/** Builds the issue of one rule violation, with the catalogue's Danish text. */
export function ruleIssue(catalogue: RuleCatalogue, id: string, input: RuleIssueInput): ValidationIssue {
  const rule = catalogue.get(id);
  return {
    severity: input.severity ?? rule.severity,
    code: input.code,
    diagnostics: input.diagnostics,
    expression: input.expression,
    rule: { id: rule.id, textDa: rule.da },
  };
}
