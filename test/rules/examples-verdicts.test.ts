/**
 * Every example of the guide through the full submission verdict (intake guard, TERM-01,
 * FHIR R4 engine with the NGC profiles, business rules): exactly the expected rule ids, and the
 * expected verdict. Examples that need the HTTP context (SUB-11 idempotency, SUB-12 SOR of the
 * client) must be acceptable Bundles here: only the HTTP layer may reject them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createSubmissionValidator, type SubmissionValidator } from '../../src/submission';
import type { ValidationIssue } from '../../src/validation/issue';
import { EXAMPLES, manifest, NOW } from './helpers';

let submissions: SubmissionValidator;
beforeAll(() => {
  submissions = createSubmissionValidator();
});

function verdict(file: string) {
  return submissions.validateBytes(fs.readFileSync(path.join(EXAMPLES, file)), NOW);
}

function ruleIds(issues: ValidationIssue[]): string[] {
  return [...new Set(issues.flatMap((i) => (i.rule ? [i.rule.id] : [])))].sort();
}

const bundleExamples = manifest().filter((e) => e.context === 'bundle');

describe('exactly the expected rule ids and verdict', () => {
  test.each(bundleExamples.map((e) => [e.file, e] as const))('%s', (file, entry) => {
    const v = verdict(file);
    expect(ruleIds(v.issues)).toEqual(entry.expectedRules);
    expect(v.valid).toBe(entry.verdict === 'accepted');
    if (entry.verdict === 'rejected') expect(v.status).toBe(422);
    if (entry.expectedRules.length === 0) expect(v.issues).toEqual([]);
  });
});

describe('HTTP-context examples are acceptable Bundles', () => {
  test.each(manifest().filter((e) => e.context === 'http').map((e) => [e.file] as const))('%s', (file) => {
    const v = verdict(file);
    expect(v.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
  });
});

describe('a Bundle changed in place after a validation', () => {
  it('is judged on its new content (nothing remembered from the earlier validation is used)', () => {
    const bundle = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'valid', 'wgs-germline-positive.json'), 'utf8')) as { entry: Array<{ resource: { resourceType: string; component?: Array<{ code: { coding: Array<{ code: string }> } }> } }> };
    expect(submissions.validateParsed(bundle, NOW).valid).toBe(true);
    // The variant's genomic allele start-end (LOINC 81254-5), recoded: VAR-09 requires it for a sequence variant.
    const startEnd = bundle.entry
      .flatMap((e) => e.resource.component ?? [])
      .find((c) => c.code.coding[0].code === '81254-5')!;
    startEnd.code.coding[0].code = '81300-6';
    const changed = submissions.validateParsed(bundle, NOW);
    expect(changed.valid).toBe(false);
    expect(ruleIds(changed.issues)).toContain('VAR-09');
    startEnd.code.coding[0].code = '81254-5';
    expect(submissions.validateParsed(bundle, NOW).valid).toBe(true);
  });
});
