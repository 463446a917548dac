/**
 * The verdict on a submission, the same everywhere: `POST /fhir`, `$validate` and
 * `ngc-gateway validate` (submission mode) all call this, so an integrator gets locally exactly
 * the verdict the gateway gives. The client-specific rules (SUB-11 idempotency, SUB-12 SOR
 * ownership) are the HTTP layer's, because they need to know who is asking.
 *
 * Order: intake guard (bytes) → TERM-01 normalisation → FHIR R4 + NGC profiles (engine) → NGC
 * business rules.
 */
import type { Bundle } from 'fhir/r4';
import { parseSubmissionBody, type IntakeLimits } from '../http/intake';
import { ruleRef } from '../rules/catalogue';
import { createSubmissionRules, type SubmissionRules } from '../rules';
import { createValidator, hasBlockingIssues, type ValidationIssue, type Validator } from '../validation';

export interface SubmissionVerdict {
  /** No issue of severity error or fatal. */
  valid: boolean;
  /** 200 when valid; otherwise the status the worst problem calls for (400, 413, 422). */
  status: 200 | 400 | 413 | 422;
  issues: ValidationIssue[];
  /** The parsed Bundle (after TERM-01 normalisation), when the body was a JSON Bundle. */
  bundle?: Bundle;
}

export interface SubmissionValidator {
  readonly validator: Validator;
  /** Judges raw request bytes: the intake guard first, then the Bundle. */
  validateBytes(body: Buffer, now?: Date): SubmissionVerdict;
  /** Judges an already parsed value (trusted to come from the intake guard's parser). */
  validateParsed(value: unknown, now?: Date): SubmissionVerdict;
}

export interface SubmissionValidatorOptions {
  validator?: Validator;
  rules?: SubmissionRules;
  limits?: Partial<IntakeLimits>;
}

/** Engine messages that the standard names as rules of its own. */
const ENGINE_MESSAGE_RULES: Record<string, string> = {
  JSON_NULL: 'SUB-13',
  JSON_EMPTY: 'SUB-13',
};

function tagEngineIssue(issue: ValidationIssue): ValidationIssue {
  if (issue.rule || !issue.messageId) return issue;
  const ruleId = ENGINE_MESSAGE_RULES[issue.messageId];
  return ruleId ? { ...issue, rule: ruleRef(ruleId) } : issue;
}

function issueKey(i: ValidationIssue): string {
  return i.rule ? `${i.severity}|${i.rule.id}|${i.expression ?? ''}` : `${i.severity}|${i.code}|${i.expression ?? ''}|${i.diagnostics}`;
}

/**
 * One defect found by two layers (a profile's reference target and the rule naming the same
 * target, say) is reported once: for NGC rules, one issue per rule, severity and element. The
 * business rule's wording wins, because it says what the standard asks for.
 */
function dedupe(engine: ValidationIssue[], rules: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set(rules.map(issueKey));
  const out: ValidationIssue[] = [];
  for (const i of engine) {
    const key = issueKey(i);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(i);
  }
  const ruleSeen = new Set<string>();
  for (const i of rules) {
    const key = issueKey(i);
    if (ruleSeen.has(key)) continue;
    ruleSeen.add(key);
    out.push(i);
  }
  return out;
}

export function createSubmissionValidator(options: SubmissionValidatorOptions = {}): SubmissionValidator {
  const validator = options.validator ?? createValidator();
  const rules = options.rules ?? createSubmissionRules();

  function validateParsed(value: unknown, now: Date = new Date()): SubmissionVerdict {
    if (!value || typeof value !== 'object' || (value as { resourceType?: unknown }).resourceType !== 'Bundle') {
      const issues: ValidationIssue[] = [
        {
          severity: 'error',
          code: 'structure',
          diagnostics: 'a submission is one FHIR R4 Bundle of type transaction; this body is not a Bundle',
          rule: ruleRef('SUB-01'),
          messageId: 'NGC_NOT_A_BUNDLE',
        },
      ];
      return { valid: false, status: 400, issues };
    }
    const bundle = value as Bundle;
    const normalised = rules.normalizeTerminology(bundle);
    const engine = validator.validate(bundle).map(tagEngineIssue);
    const all = dedupe(engine, [...normalised, ...rules.check(bundle, { now })]);
    const valid = !hasBlockingIssues(all);
    return { valid, status: valid ? 200 : 422, issues: all, bundle };
  }

  function validateBytes(body: Buffer, now: Date = new Date()): SubmissionVerdict {
    const intake = parseSubmissionBody(body, options.limits);
    if (intake.value === undefined || (intake.status !== undefined && intake.status !== 422)) {
      return { valid: false, status: (intake.status ?? 400) as 400 | 413, issues: intake.issues };
    }
    const verdict = validateParsed(intake.value, now);
    if (!intake.issues.length) return verdict;
    const issues = [...intake.issues, ...verdict.issues];
    return { ...verdict, valid: false, status: verdict.status === 400 ? 400 : 422, issues };
  }

  return { validator, validateBytes, validateParsed };
}
