import fs from 'node:fs';
import path from 'node:path';
import type { Bundle } from 'fhir/r4';
import { createSubmissionRules } from '../../src/rules';
import type { ValidationIssue } from '../../src/validation/issue';

export const EXAMPLES = path.join(__dirname, '..', '..', 'implementation-guide', 'examples');

export interface ManifestEntry {
  file: string;
  base?: string;
  rule?: string;
  expectedRules: string[];
  verdict: 'accepted' | 'rejected';
  context: 'bundle' | 'http';
  format: 'json' | 'text';
  fix?: string;
  title: string;
}

export function manifest(): ManifestEntry[] {
  return (JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'manifest.json'), 'utf8')) as { examples: ManifestEntry[] }).examples;
}

/** A fresh copy of an example Bundle: `valid/wes-negative` or `invalid/VAR-07`. */
// Tests reach into the example JSON freely; `any` keeps the mutations short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function example(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES, `${name}.json`), 'utf8'));
}

/** Long after every example's dates, long before the SUB-03 example's future timestamp. */
export const NOW = new Date('2026-01-15T12:00:00Z');

export const rules = createSubmissionRules();

/** What the rules module says about a Bundle: normalisation warnings, then the checks. */
export function run(bundle: Bundle, now = NOW): ValidationIssue[] {
  return [...rules.normalizeTerminology(bundle), ...rules.check(bundle, { now })];
}

export function ruleIds(issues: ValidationIssue[]): string[] {
  return [...new Set(issues.map((i) => i.rule?.id ?? '(none)'))].sort();
}
