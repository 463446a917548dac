/**
 * Yardstick: how often our verdict agrees with the HL7 Java validator (the reference
 * implementation) on R4 cases of its public test suite (FHIR/fhir-test-cases, validator/).
 * The instances in hl7-cases/ are our own, each mirroring the defect of one suite case; the
 * manifest holds the HL7 validator's expected error count and error expressions.
 *
 * A case agrees when our error count equals HL7's and, where the suite names the expressions,
 * our error expressions equal HL7's (as a multiset, after mapping HL7's `x.ofType(T)` notation
 * to ours). Cases listed with `knownDisagreement` are asserted to STILL disagree, so fixing the
 * engine flips the test and the list has to be kept honest.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createValidator, type EngineValidator, type ValidationIssue } from '../../src/validation';

interface Hl7Expectation {
  errorCount: number;
  /** HL7's error locations (java.output), one per expected error; absent when the suite gives only the count. */
  errors?: string[];
  /** Set when the suite gives no location and the one in `errors` was read off its comment. */
  errorsSource?: string;
}
interface YardstickCase {
  name: string;
  mirrors: { case: string; path: string; suiteVersion: string };
  checks: string;
  file: string;
  profiles?: string[];
  supporting?: string[];
  hl7: Hl7Expectation;
  knownDisagreement?: string;
}
interface Manifest {
  supporting: string[];
  cases: YardstickCase[];
}

const DIR = path.join(__dirname, 'hl7-cases');
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as Manifest;

/**
 * HL7 writes `value.ofType(Quantity)`, `resource.ofType(Patient)` and `contained[0].ofType(Organization)`;
 * we write `valueQuantity`, `resource` and `contained[0]`.
 */
function normalizeHl7Expression(expr: string): string {
  return expr.replace(/\.(\w+)(\[\d+\])?\.ofType\((\w+)\)/g, (_m, name: string, index: string | undefined, type: string) =>
    name === 'resource' || name === 'contained' ? `.${name}${index ?? ''}` : `.${name}${index ?? ''}${type[0].toUpperCase()}${type.slice(1)}`,
  );
}

const errorsOf = (issues: ValidationIssue[]) => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
const sorted = (xs: string[]) => [...xs].sort();

interface Verdict {
  agrees: boolean;
  ours: { errorCount: number; errors: string[] };
  why: string;
}

function compare(c: YardstickCase, issues: ValidationIssue[]): Verdict {
  const errs = errorsOf(issues);
  const ours = { errorCount: errs.length, errors: sorted(errs.map((e) => e.expression ?? '(none)')) };
  if (ours.errorCount !== c.hl7.errorCount) {
    return { agrees: false, ours, why: `HL7 ${c.hl7.errorCount} error(s), we ${ours.errorCount}` };
  }
  if (c.hl7.errors) {
    const want = sorted(c.hl7.errors.map(normalizeHl7Expression));
    if (JSON.stringify(want) !== JSON.stringify(ours.errors)) {
      return { agrees: false, ours, why: `locations differ: HL7 ${JSON.stringify(want)}, we ${JSON.stringify(ours.errors)}` };
    }
  }
  return { agrees: true, ours, why: 'agrees' };
}

/** The case-supplied profiles and value sets, as one throw-away FHIR package folder. */
function supportingPackage(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-hl7-yardstick-'));
  const pkg = path.join(dir, 'package');
  fs.mkdirSync(pkg);
  fs.writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'yardstick.hl7.cases', version: '0.0.1', fhirVersions: ['4.0.1'], dependencies: { 'hl7.fhir.r4.core': '4.0.1' } }),
  );
  for (const rel of manifest.supporting) fs.copyFileSync(path.join(DIR, rel), path.join(pkg, path.basename(rel)));
  return dir;
}

let validator: EngineValidator;
let pkgDir: string;
const verdicts = new Map<string, Verdict>();

beforeAll(() => {
  pkgDir = supportingPackage();
  validator = createValidator({ includeNgc: false, packages: [pkgDir] });
});

afterAll(() => {
  fs.rmSync(pkgDir, { recursive: true, force: true });
  const agree = [...verdicts.values()].filter((v) => v.agrees).length;
  const sameCount = manifest.cases.filter((c) => verdicts.get(c.name)?.ours.errorCount === c.hl7.errorCount).length;
  const r4 = manifest.cases.filter((c) => c.mirrors.suiteVersion === '4.0');
  const r4agree = r4.filter((c) => verdicts.get(c.name)?.agrees).length;
  console.log(
    `HL7 yardstick: ${agree} of ${verdicts.size} cases agree with the HL7 Java validator ` +
      `(${r4agree} of ${r4.length} of the cases the suite marks as R4 4.0; same error count in ${sameCount} of ${verdicts.size})`,
  );
});

describe('the manifest', () => {
  it('names a suite case, an instance and an HL7 expectation for every case', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(40);
    const names = new Set<string>();
    for (const c of manifest.cases) {
      expect(names.has(c.name)).toBe(false);
      names.add(c.name);
      expect(c.mirrors.path).toMatch(/^validator\//);
      expect(fs.existsSync(path.join(DIR, c.file))).toBe(true);
      expect(Number.isInteger(c.hl7.errorCount)).toBe(true);
      if (c.hl7.errors) expect(c.hl7.errors).toHaveLength(c.hl7.errorCount);
    }
  });
});

describe.each(manifest.cases.map((c) => [c.name, c] as const))('HL7 case %s', (_name, c) => {
  const label = c.knownDisagreement
    ? `still disagrees with HL7 (known: ${c.knownDisagreement})`
    : `agrees with HL7 (${c.hl7.errorCount} error(s)): ${c.checks}`;
  it(label, () => {
    const resource = JSON.parse(fs.readFileSync(path.join(DIR, c.file), 'utf8')) as unknown;
    const verdict = compare(c, validator.validate(resource, { profiles: c.profiles }));
    verdicts.set(c.name, verdict);
    if (c.knownDisagreement) {
      // Flips when the engine is fixed: then drop knownDisagreement from the manifest.
      expect({ case: c.name, agrees: verdict.agrees }).toEqual({ case: c.name, agrees: false });
    } else {
      expect({ case: c.name, ...verdict.ours, why: verdict.why }).toEqual({
        case: c.name,
        ...verdict.ours,
        why: 'agrees',
      });
    }
  });
});
