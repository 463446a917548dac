/**
 * The rule catalogue (`profiles/data/validation-rules.json`) is the one source of every rule's
 * texts: the rules take their Danish text from here, and the code system ngc-validation-rule is
 * generated from the same file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IssueSeverity, IssueType, RuleRef, ValidationIssue } from '../validation/issue';
import { DEFAULT_DATA_DIR } from './data';

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

let shipped: RuleCatalogue | undefined;

/**
 * The catalogue shipped with the profiles (profiles/data/validation-rules.json), loaded once. For
 * the layers that enforce rules of their own (the intake guard: SUB-01, SUB-10, SUB-13; the HTTP
 * layer: SUB-11, SUB-12), so every layer words a rule the same way.
 */
export function shippedCatalogue(): RuleCatalogue {
  shipped ??= new RuleCatalogue(JSON.parse(fs.readFileSync(path.join(DEFAULT_DATA_DIR, 'validation-rules.json'), 'utf8')) as RuleDefinition[]);
  return shipped;
}

/** The reference (id + Danish text) that an issue enforcing rule `id` carries. */
export function ruleRef(id: string): RuleRef {
  const rule = shippedCatalogue().get(id);
  return { id: rule.id, textDa: rule.da };
}
