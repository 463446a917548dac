/**
 * What one submission costs a validation worker: the worker's own job (`judgeSubmission`: intake
 * parse, facts, TERM-01, engine, rules) plus serialising the reply as `postMessage` does, on the
 * same Bundle again and again, each time with a fresh Bundle.identifier (as `bench:http` posts it).
 *
 *   node -r @swc-node/register test/bench/submission-cost.ts [example.json] [--runs N] [--phases]
 *   node -r @swc-node/register test/bench/submission-cost.ts --verdicts > verdicts.txt
 *
 * Prints CPU µs per submission of this thread (from /proc, so V8's GC helper threads are apart) and
 * of the whole process, and the bytes allocated per submission (measured in a child process whose
 * young generation is large enough that no collection runs while it counts). `--phases` splits the
 * time into intake, facts, TERM-01, engine, rules and reply. `--verdicts` prints every example's
 * judgement, one line each, for comparing two versions of the engine.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { parseSubmissionBody } from '../../src/http/intake';
import { extractSubmissionFacts } from '../../src/http/submission-facts';
import { createSubmissionRules } from '../../src/rules';
import { createSubmissionValidator } from '../../src/submission';
import { judgeSubmission } from '../../src/submission/judge';
import { warmUpSubmissionValidator } from '../../src/submission/pool';

const EXAMPLES = path.join(__dirname, '..', '..', 'implementation-guide', 'examples');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const exampleArg = args.find((a, i) => a.endsWith('.json') && args[i - 1] !== '--runs');
const exampleFile = exampleArg
  ? path.isAbsolute(exampleArg) || fs.existsSync(exampleArg)
    ? exampleArg
    : path.join(EXAMPLES, 'valid', exampleArg)
  : path.join(EXAMPLES, 'valid', 'wgs-germline-positive.json');
const NOW = new Date('2026-06-01T12:00:00Z');

/** This thread's CPU seconds (user + system), from /proc: excludes V8's GC helper threads. */
function threadCpuSeconds(): number {
  const rest = fs.readFileSync('/proc/thread-self/stat', 'utf8').split(') ').pop()!.split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100;
}

function bodies(count: number): Buffer[] {
  const template = JSON.parse(fs.readFileSync(exampleFile, 'utf8')) as { identifier: { value: string } };
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(JSON.stringify({ ...template, identifier: { ...template.identifier, value: `${template.identifier.value}-cost-${i}` } })),
  );
}

type Sv = ReturnType<typeof createSubmissionValidator>;

function reply(sv: Sv, body: Buffer, id: number): Buffer {
  const judgement = judgeSubmission(sv, body, NOW);
  return v8.serialize({ type: 'judgement', id, judgement });
}

function measureCpu(sv: Sv, runs: number): void {
  const pool = bodies(64);
  for (let i = 0; i < 100; i++) reply(sv, pool[i % pool.length], i);
  const t0 = threadCpuSeconds();
  const p0 = process.cpuUsage();
  let bytes = 0;
  for (let i = 0; i < runs; i++) bytes = reply(sv, pool[i % pool.length], i).length;
  const thread = ((threadCpuSeconds() - t0) * 1e6) / runs;
  const p = process.cpuUsage(p0);
  const proc = (p.user + p.system) / runs;
  console.log(
    JSON.stringify({
      example: path.basename(exampleFile),
      bodyBytes: pool[0].length,
      runs,
      cpuUsPerSubmission: { thread: Math.round(thread), process: Math.round(proc) },
      replyBytes: bytes,
    }),
  );
}

function measurePhases(sv: Sv, runs: number): void {
  const rules = createSubmissionRules();
  const pool = bodies(64);
  const totals = { intake: 0, facts: 0, term: 0, engine: 0, rules: 0, reply: 0 };
  const cpu = () => {
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  for (let i = 0; i < runs + 50; i++) {
    const warm = i < 50;
    let t = cpu();
    const step = (k: keyof typeof totals) => {
      const now = cpu();
      if (!warm) totals[k] += now - t;
      t = now;
    };
    const intake = parseSubmissionBody(pool[i % pool.length]);
    step('intake');
    const value = intake.value as Record<string, unknown>;
    const facts = extractSubmissionFacts(value);
    step('facts');
    const term = rules.normalizeTerminology(value as never);
    step('term');
    const engine = sv.validator.validate(value as never);
    step('engine');
    const ruled = rules.check(value as never, { now: NOW });
    step('rules');
    v8.serialize({ type: 'judgement', id: i, judgement: { intake: { issues: intake.issues }, facts, engineIssues: [...term, ...engine, ...ruled] } });
    step('reply');
  }
  console.log(JSON.stringify({ phasesUsPerSubmission: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, Math.round(v / runs)])) }));
}

/** Bytes allocated per submission: heap growth over a few runs with no collection in between. */
function measureAlloc(sv: Sv): void {
  const pool = bodies(16);
  for (let i = 0; i < 100; i++) reply(sv, pool[i % pool.length], i);
  const { PerformanceObserver } = require('node:perf_hooks') as typeof import('node:perf_hooks');
  let gcs = 0;
  const obs = new PerformanceObserver((list) => (gcs += list.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  const samples: number[] = [];
  for (let round = 0; round < 8; round++) {
    (global as unknown as { gc: () => void }).gc();
    const before = gcs;
    const h0 = process.memoryUsage().heapUsed;
    const k = 8;
    for (let i = 0; i < k; i++) reply(sv, pool[i], i);
    const h1 = process.memoryUsage().heapUsed;
    // GC entries are delivered asynchronously; the heap growth says enough when it is positive.
    if (gcs === before && h1 > h0) samples.push((h1 - h0) / k);
  }
  obs.disconnect();
  samples.sort((a, b) => a - b);
  console.log(JSON.stringify({ allocatedKiBPerSubmission: samples.length ? Math.round(samples[Math.floor(samples.length / 2)] / 1024) : null }));
}

function dumpVerdicts(sv: Sv): void {
  for (const dir of ['valid', 'invalid']) {
    for (const name of fs.readdirSync(path.join(EXAMPLES, dir)).sort()) {
      if (!name.endsWith('.json')) continue;
      const judged = judgeSubmission(sv, fs.readFileSync(path.join(EXAMPLES, dir, name)), NOW);
      console.log(`${dir}/${name} ${JSON.stringify(judged)}`);
    }
  }
}

function main(): void {
  if (flag('--alloc-child')) {
    const sv = createSubmissionValidator();
    warmUpSubmissionValidator(sv);
    measureAlloc(sv);
    return;
  }
  const sv = createSubmissionValidator();
  warmUpSubmissionValidator(sv);
  if (flag('--verdicts')) return dumpVerdicts(sv);
  const runs = Number(option('--runs') ?? 2000);
  measureCpu(sv, runs);
  if (flag('--phases')) measurePhases(sv, Math.min(runs, 1000));
  if (flag('--no-alloc')) return;
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256', '-r', '@swc-node/register', __filename, exampleFile, '--alloc-child'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (child.status !== 0) process.exitCode = 1;
}

main();
