import fs from 'node:fs';
import path from 'node:path';
import { createSubmissionValidator, type SubmissionValidator } from '../../src/submission';

const EXAMPLES = path.join(__dirname, '..', '..', 'implementation-guide', 'examples');
const NOW = new Date('2026-01-01T00:00:00Z');

function example(rel: string): Buffer {
  return fs.readFileSync(path.join(EXAMPLES, rel));
}
function ruleIds(v: { issues: Array<{ severity: string; rule?: { id: string } }> }, severities = ['error', 'fatal']): string[] {
  return [...new Set(v.issues.filter((i) => severities.includes(i.severity)).map((i) => i.rule?.id ?? '-'))].sort();
}

let judge: SubmissionValidator;
beforeAll(() => {
  judge = createSubmissionValidator();
});

describe('submission verdict (intake guard → engine with NGC profiles → NGC rules)', () => {
  it('accepts a valid example Bundle with no error', () => {
    const v = judge.validateBytes(example('valid/wgs-germline-positive.json'), NOW);
    expect(v.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(v).toMatchObject({ valid: true, status: 200 });
  });

  it('answers 400 for a body that is not JSON, with SUB-01', () => {
    const v = judge.validateBytes(Buffer.from('<Bundle/>'), NOW);
    expect(v).toMatchObject({ valid: false, status: 400 });
    expect(ruleIds(v)).toEqual(['SUB-01']);
  });

  it('answers 400 for JSON that is not a Bundle', () => {
    const v = judge.validateBytes(Buffer.from('{"resourceType":"Patient","id":"x"}'), NOW);
    expect(v).toMatchObject({ valid: false, status: 400 });
    expect(ruleIds(v)).toEqual(['SUB-01']);
  });

  it('reports a duplicate key (SUB-13) and still every other issue of the Bundle', () => {
    const text = example('valid/wes-negative.json').toString('utf8').replace('"resourceType": "Bundle",', '"resourceType": "Bundle", "type": "batch",');
    const v = judge.validateBytes(Buffer.from(text), NOW);
    expect(v.status).toBe(422);
    expect(ruleIds(v)).toContain('SUB-13');
  });

  it('tags a null value and an empty string as SUB-13 with the path to them', () => {
    const bundle = JSON.parse(example('valid/wes-negative.json').toString('utf8'));
    const patient = bundle.entry.findIndex((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Patient');
    bundle.entry[patient].resource.gender = null;
    bundle.timestamp = '';
    const v = judge.validateBytes(Buffer.from(JSON.stringify(bundle)), NOW);
    expect(v.valid).toBe(false);
    const sub13 = v.issues.filter((i) => i.rule?.id === 'SUB-13').map((i) => i.expression);
    expect(sub13).toEqual(expect.arrayContaining([`Bundle.entry[${patient}].resource.gender`, 'Bundle.timestamp']));
  });
});
