/**
 * The intake guard's body check, shared by `POST /fhir`, `$validate` and the CLI: size, encoding,
 * JSON syntax, nesting depth, duplicate and forbidden keys, entry count (SUB-01, SUB-10, SUB-13).
 * Pure: a Buffer in, a value and issues out.
 */
import type { IssueType, ValidationIssue } from '../../validation/issue';
import { parseStrictJson, type JsonProblem } from './json-parser';
import { formatPath } from './path';
import { ruleRef } from './rule-texts';

export interface IntakeLimits {
  maxBytes: number;
  maxDepth: number;
  maxEntries: number;
  /** Issues listed at most (a body full of duplicate keys must not produce a huge answer). */
  maxIssues: number;
}

export const DEFAULT_INTAKE_LIMITS: IntakeLimits = {
  maxBytes: 50 * 1024 * 1024,
  maxDepth: 64,
  maxEntries: 20_000,
  maxIssues: 1000,
};

export interface IntakeResult {
  /** The parsed body; absent when it could not be parsed (or was over the size limit). */
  value?: unknown;
  issues: ValidationIssue[];
  /** HTTP status the issues call for (400, 413, 422); absent when there are no issues. */
  status?: number;
}

const PROBLEM_STYLE: Record<JsonProblem['kind'], { code: IssueType; rule?: string; status: number; messageId: string }> = {
  syntax: { code: 'structure', rule: 'SUB-01', status: 400, messageId: 'NGC_INTAKE_NOT_JSON' },
  encoding: { code: 'structure', rule: 'SUB-01', status: 400, messageId: 'NGC_INTAKE_NOT_UTF8' },
  'lone-surrogate': { code: 'structure', rule: 'SUB-01', status: 400, messageId: 'NGC_INTAKE_LONE_SURROGATE' },
  'too-deep': { code: 'too-costly', rule: 'SUB-10', status: 422, messageId: 'NGC_INTAKE_TOO_DEEP' },
  'duplicate-key': { code: 'structure', rule: 'SUB-13', status: 422, messageId: 'NGC_INTAKE_DUPLICATE_KEY' },
  'forbidden-key': { code: 'security', rule: 'SUB-13', status: 422, messageId: 'NGC_INTAKE_FORBIDDEN_KEY' },
  'number-range': { code: 'value', status: 422, messageId: 'NGC_INTAKE_NUMBER_RANGE' },
};

function rootName(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const rt = (value as Record<string, unknown>).resourceType;
    if (typeof rt === 'string' && /^[A-Z][A-Za-z]{0,63}$/.test(rt)) return rt;
  }
  return '$this';
}

function worstStatus(statuses: number[]): number | undefined {
  // A body that could not be read as JSON at all is a 400 whatever else was seen before.
  for (const s of [413, 400, 422]) if (statuses.includes(s)) return s;
  return statuses[0];
}

export function parseSubmissionBody(buffer: Buffer, limits: Partial<IntakeLimits> = {}): IntakeResult {
  const lim: IntakeLimits = { ...DEFAULT_INTAKE_LIMITS, ...limits };
  if (buffer.length > lim.maxBytes) {
    return {
      issues: [
        {
          severity: 'error',
          code: 'too-costly',
          diagnostics: `the body has ${buffer.length} bytes; the limit is ${lim.maxBytes} bytes`,
          rule: ruleRef('SUB-10'),
          messageId: 'NGC_INTAKE_TOO_LARGE',
        },
      ],
      status: 413,
    };
  }

  const parsed = parseStrictJson(buffer, { maxDepth: lim.maxDepth, maxProblems: lim.maxIssues });
  // The root's resourceType names the expressions; on an aborted parse it is not known for sure.
  const root = parsed.aborted ? guessRoot(buffer) : rootName(parsed.value);
  const issues: ValidationIssue[] = [];
  const statuses: number[] = [];
  for (const p of parsed.problems) {
    const style = PROBLEM_STYLE[p.kind];
    statuses.push(style.status);
    const issue: ValidationIssue = {
      severity: 'error',
      code: style.code,
      diagnostics: p.kind === 'syntax' ? `the body is not valid JSON: ${p.message}` : p.message,
      messageId: style.messageId,
    };
    if (p.path.length || p.kind !== 'encoding') issue.expression = formatPath(root, p.path);
    if (style.rule) issue.rule = ruleRef(style.rule);
    issues.push(issue);
  }
  if (parsed.truncated) {
    issues.push({
      severity: 'error',
      code: 'too-costly',
      diagnostics: `more than ${lim.maxIssues} problems in the JSON; the rest are not listed`,
      messageId: 'NGC_INTAKE_TOO_MANY_ISSUES',
    });
  }
  if (parsed.aborted) return { issues, status: worstStatus(statuses) };

  const value = parsed.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    issues.push({
      severity: 'error',
      code: 'structure',
      diagnostics: 'the body is JSON but not a FHIR resource (a JSON object with a resourceType)',
      rule: ruleRef('SUB-01'),
      messageId: 'NGC_INTAKE_NOT_A_RESOURCE',
    });
    return { issues, status: 400 };
  }
  const entry = (value as Record<string, unknown>).entry;
  if ((value as Record<string, unknown>).resourceType === 'Bundle' && Array.isArray(entry) && entry.length > lim.maxEntries) {
    issues.push({
      severity: 'error',
      code: 'too-costly',
      diagnostics: `the Bundle has ${entry.length} entries; the limit is ${lim.maxEntries}`,
      expression: 'Bundle.entry',
      rule: ruleRef('SUB-10'),
      messageId: 'NGC_INTAKE_TOO_MANY_ENTRIES',
    });
    statuses.push(422);
  }
  return issues.length ? { value, issues, status: worstStatus(statuses) } : { value, issues };
}

/** Cheap look at the first bytes for `"resourceType":"X"`, to name expressions of a broken body. */
function guessRoot(buffer: Buffer): string {
  const head = buffer.toString('utf8', 0, Math.min(buffer.length, 512));
  const m = /^\s*\{\s*"resourceType"\s*:\s*"([A-Z][A-Za-z]{0,63})"/.exec(head.replace(/^\uFEFF/, ''));
  return m ? m[1] : '$this';
}
