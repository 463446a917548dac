/**
 * Every example through the rules module alone: it must report exactly those of the example's
 * expected rule ids that it is responsible for, and nothing else (no knock-on errors from defects
 * that the profiles report).
 */
import { RULE_IDS_CHECKED } from '../../src/rules';
import { manifest, example, run, ruleIds } from './helpers';

/** Examples whose expected rule id the module also uses, but whose defect here is the profile's to report. */
const PROFILE_PART = new Set([
  'invalid/PAT-02-2.json', // hyphen in the CPR: the profile's pattern
  'invalid/PAT-03-2.json', // gender missing: cardinality
  'invalid/REP-05.json', // no specimen: cardinality
  'invalid/ANA-00.json', // status: fixed value
  'invalid/QC-00.json', // status: fixed value
  'invalid/VAR-00.json', // status: binding
  'invalid/VAR-05-2.json', // transcript missing: the profile's invariant
  'invalid/SUB-11.json', // HTTP layer
  'invalid/SUB-12.json', // HTTP layer
]);

const examples = manifest().filter((e) => e.format === 'json');

test('the manifest lists an example for every rule of the catalogue', () => {
  const catalogue: { id: string }[] = require('../../profiles/data/validation-rules.json');
  const covered = new Set(manifest().map((e) => e.rule));
  expect(catalogue.filter((r) => !covered.has(r.id)).map((r) => r.id)).toEqual([]);
});

test.each(examples.map((e) => [e.file, e] as const))('%s', (file, entry) => {
  const issues = run(example(file.replace(/\.json$/, '')));
  const expected = PROFILE_PART.has(file) ? [] : entry.expectedRules.filter((id) => RULE_IDS_CHECKED.includes(id));
  expect(ruleIds(issues).filter((id) => id !== '(none)')).toEqual([...expected].sort());
  expect(issues.every((i) => i.rule && i.expression && i.diagnostics)).toBe(true);
});
