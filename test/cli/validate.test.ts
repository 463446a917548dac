import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const ENTRY = path.join(__dirname, 'cli-entry.ts');
const STU2 = path.resolve(ROOT, '../shared/fhir-packages/hl7.fhir.uv.genomics-reporting#2.0.0');

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', ENTRY, 'validate', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-cli-'));
function file(name: string, content: unknown): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}
const patient = file('patient.json', { resourceType: 'Patient', id: 'p1', gender: 'female', birthDate: '1970-01-01' });
const badObs = file('obs.json', { resourceType: 'Observation', id: 'o1', code: { text: 'x' }, valueQuantity: { value: 1, unit: 'mg' } });
const badGender = file('gender.json', { resourceType: 'Patient', gender: 'woman' });
const notJson = file('notes.txt', 'this is { not JSON');

describe('ngc-gateway validate: usage', () => {
  it.each([
    [[], /no FILE given/],
    [['--frobnicate', patient], /unknown option '--frobnicate'/],
    [['--format', 'xml', patient], /unknown format 'xml'/],
    [['--profile'], /--profile needs a value/],
    [[path.join(dir, 'missing.json')], /cannot read '.*missing.json': no such file/],
    [[dir], /not a file/],
    [['--resource', '--package', path.join(dir, 'no-such-package'), patient], /cannot load the definitions: .*no such file or folder/],
  ])('%j exits 2 with a one-line reason', (args, reason) => {
    const r = cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('--help prints the usage and exits 0', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--format text|json|ndjson');
  });
});

describe('ngc-gateway validate --resource', () => {
  it('ndjson: one line per file in the order given; exit 1 when one is invalid; non-JSON is an invalid result', () => {
    const r = cli(['--resource', '--format', 'ndjson', patient, badObs, notJson, badGender]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.file, l.valid])).toEqual([
      [patient, true],
      [badObs, false],
      [notJson, false],
      [badGender, false],
    ]);
    for (const l of lines) expect(l.outcome.resourceType).toBe('OperationOutcome');
    // Observation.status is 1..1; like the HL7 validator, the issue sits on the parent and names the child.
    expect(lines[1].outcome.issue).toEqual(
      expect.arrayContaining([expect.objectContaining({ severity: 'error', code: 'required', expression: ['Observation'], diagnostics: expect.stringContaining('Observation.status') })]),
    );
    expect(lines[2].outcome.issue[0]).toMatchObject({ code: 'structure', diagnostics: expect.stringContaining('not valid JSON') });
    expect(lines[3].outcome.issue).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'error', code: 'code-invalid', expression: ['Patient.gender'] })]));
  });

  it('json: the OperationOutcome of a single valid file, exit 0', () => {
    const r = cli(['--resource', '--format', 'json', patient]);
    expect(r.code).toBe(0);
    const outcome = JSON.parse(r.stdout);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.some((i: { severity: string }) => i.severity === 'error' || i.severity === 'fatal')).toBe(false);
  });

  it('text: grouped per file with expressions, coloured only when asked or on a terminal', () => {
    const plain = cli(['--resource', patient, badObs]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/✓ valid +.*patient\.json/);
    expect(plain.stdout).toMatch(/✗ INVALID .*obs\.json: [1-9]\d* errors?/);
    expect(plain.stdout).toMatch(/ERROR\n {4}Observation \[required\]\n {6}Observation\.status: minimum required = 1/);
    expect(plain.stdout).toContain('2 files: 1 valid, 1 invalid');
    expect(plain.stdout).not.toContain('\x1b[');
    const coloured = cli(['--resource', badObs], { FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\x1b[31m');
  });

  it('--package and --profile: an STU2 example against the profile it declares, and a profile it breaks', () => {
    const example = path.join(STU2, 'package/example/Observation-ExampleGermlineCNV.json');
    const ok = cli(['--resource', '--package', STU2, '--format', 'ndjson', example]);
    expect(JSON.parse(ok.stdout).valid).toBe(true);
    expect(ok.code).toBe(0);
    // A Patient can never conform to an Observation profile.
    const wrong = cli(['--resource', '--package', STU2, '--profile', 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/variant', '--format', 'ndjson', patient]);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).valid).toBe(false);
  });
});

describe('ngc-gateway validate (submission mode)', () => {
  it('applies the intake guard: a non-JSON body is a structure error under SUB-01', () => {
    const r = cli(['--format', 'ndjson', notJson]);
    expect(r.code).toBe(1);
    const line = JSON.parse(r.stdout);
    expect(line.valid).toBe(false);
    expect(line.outcome.issue[0]).toMatchObject({ code: 'structure', details: { coding: [{ code: 'SUB-01' }] } });
  });

  it('gives the gateway\'s verdict: an accepted example of the guide is valid, a broken one fails on its NGC rule', () => {
    const good = path.join(ROOT, 'implementation-guide/examples/valid/wgs-germline-positive.json');
    const bad = path.join(ROOT, 'implementation-guide/examples/invalid/ANA-01.json');
    const r = cli(['--format', 'ndjson', good, bad]);
    expect(r.code).toBe(1);
    const [g, b] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(g).toMatchObject({ file: good, valid: true });
    expect(b).toMatchObject({ file: bad, valid: false });
    expect(b.outcome.issue.some((i: { details?: { coding?: { code: string }[] } }) => i.details?.coding?.[0].code === 'ANA-01')).toBe(true);
    // The same Bundle as a plain resource knows nothing of the NGC rules.
    const plain = cli(['--resource', '--format', 'ndjson', bad]);
    expect(JSON.parse(plain.stdout).outcome.issue.some((i: { details?: { coding?: { code: string }[] } }) => i.details?.coding?.[0].code === 'ANA-01')).toBe(false);
  });

  it('rejects duplicate keys, which JSON.parse would silently accept', () => {
    const dup = file('dup.json', '{"resourceType":"Patient","gender":"female","gender":"male"}');
    const r = cli(['--format', 'ndjson', dup]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).outcome.issue.some((i: { details?: { coding?: { code: string }[] } }) => i.details?.coding?.[0].code === 'SUB-13')).toBe(true);
  });
});
