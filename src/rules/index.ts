/**
 * The NGC business rules: every requirement of the reporting standard that the profiles cannot
 * express (cross-resource rules, CPR date logic, HGVS consistency, QC thresholds).
 */
import type { Bundle } from 'fhir/r4';
import type { ValidationIssue } from '../validation/issue';
import { analysisRules } from './analysis';
import { RuleCatalogue } from './catalogue';
import { BundleContext, isObject } from './context';
import { loadRuleData, type RuleData } from './data';
import { patientRules } from './patient';
import { reportRules } from './report';
import type { Rule } from './rule';
import { sub01, submissionRules } from './submission';
import { normalizeTerminology, terminologyRules } from './terminology';
import type { RuleContext, SubmissionRules } from './types';
import { variantRules } from './variant';

export const ALL_RULES: readonly Rule[] = [...submissionRules, ...patientRules, ...reportRules, ...analysisRules, ...variantRules, ...terminologyRules];

/** Every rule id this module can report (the others are the profiles' or the HTTP layer's). */
export const RULE_IDS_CHECKED: readonly string[] = [
  'SUB-01', 'SUB-02', 'SUB-03', 'SUB-04', 'SUB-05', 'SUB-06', 'SUB-07', 'SUB-08', 'SUB-09',
  'PAT-02', 'PAT-03', 'PAT-04',
  'SRQ-04', 'SPC-03',
  'REP-05', 'REP-06', 'REP-07', 'REP-08',
  'ANA-00', 'ANA-01', 'ANA-08',
  'QC-00', 'QC-01', 'QC-02', 'QC-03', 'QC-04', 'QC-05',
  'VAR-00', 'VAR-04', 'VAR-05', 'VAR-07', 'VAR-08', 'VAR-09', 'VAR-10', 'VAR-16',
  'DIM-01',
  'TERM-01', 'TERM-02',
];

export interface SubmissionRulesOptions {
  /** Folder of the rule data (default profiles/data of this package). */
  dataDir?: string;
  /** Already loaded data (tests). */
  data?: RuleData;
}

export function createSubmissionRules(options: SubmissionRulesOptions = {}): SubmissionRules {
  const data = options.data ?? loadRuleData(options.dataDir);
  const catalogue = new RuleCatalogue(data.rules);
  return {
    normalizeTerminology(bundle: Bundle): ValidationIssue[] {
      if (!isObject(bundle)) return [];
      return normalizeTerminology(bundle, data.codeForms, catalogue);
    },
    check(bundle: Bundle, context: RuleContext): ValidationIssue[] {
      const ctx = new BundleContext(bundle, context.now, data);
      // Not a Bundle at all: nothing else can be judged.
      if (!isObject(bundle) || (bundle as unknown as Record<string, unknown>).resourceType !== 'Bundle') return sub01(ctx);
      return ALL_RULES.flatMap((rule) => rule(ctx));
    },
  };
}

export type { RuleContext, SubmissionRules } from './types';
export { RuleCatalogue, ruleIssue, ruleRef, shippedCatalogue, type RuleDefinition } from './catalogue';
export { BundleContext } from './context';
export { loadRuleData, DEFAULT_DATA_DIR, type RuleData } from './data';
export { decodeCpr, cprCentury, CPR_SYSTEM } from './cpr';
export { parseFhirTime } from './time';
export * as hgvs from './hgvs';
export { parseHgvs } from './hgvs';
export type { Rule } from './rule';
