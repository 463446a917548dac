/**
 * This checkout against a named baseline (a git ref), side by side: both gateways run at once on
 * the same cores, each under its own 10 connections posting the typical valid Bundle (durable
 * SQLite, dev sink), and the bench prints the candidate's accepted submissions per second and CPU
 * per request as ratios to the baseline's. These machines change speed by a third within minutes,
 * so two runs of `bench:http` one after the other cannot tell a 3% change from drift; two gateways
 * sharing the same minutes can (this checkout against itself: ratios within 1%).
 *
 *   npm run bench:side-by-side -- [baseline ref, default HEAD]
 *
 * The baseline is checked out into a temporary git worktree (sharing this checkout's node_modules)
 * and removed afterwards. Each round swaps which gateway starts first: which one started first
 * moved the ratio by a few percent (one pair of rounds: 1.055 and 0.968 for the same two commits),
 * so read the mean of an even number of rounds, and more rounds for smaller effects. Environment:
 * SIDE_BY_SIDE_SECONDS (default 40) measured after SIDE_BY_SIDE_WARMUP_SECONDS (default 20) of the
 * same load, SIDE_BY_SIDE_ROUNDS (default 2). Both gateways run with the start command's node flags
 * (GATEWAY_NODE_FLAGS); SIDE_BY_SIDE_CANDIDATE_NODE_FLAGS, when set (even empty), replaces the
 * candidate's, to compare a node or V8 flag on the same commit:
 *
 *   SIDE_BY_SIDE_CANDIDATE_NODE_FLAGS="--v8-pool-size=0 --max-semi-space-size=32" npm run bench:side-by-side
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accessToken, freePort, GATEWAY_NODE_FLAGS, readExample, spawnServe, writeClientRegistry, type GatewayProcess } from '../http/support/gateway-process';
import { autocannon, benchGatewayEnv, cpuSeconds, performerSor, type BundleJson as Json } from './support/load';

const ROOT = path.join(__dirname, '..', '..');
const SECONDS = Number(process.env.SIDE_BY_SIDE_SECONDS ?? 40);
const WARMUP_SECONDS = Number(process.env.SIDE_BY_SIDE_WARMUP_SECONDS ?? 20);
const ROUNDS = Number(process.env.SIDE_BY_SIDE_ROUNDS ?? 2);
const CONNECTIONS = 10;
const CANDIDATE_NODE_FLAGS = process.env.SIDE_BY_SIDE_CANDIDATE_NODE_FLAGS?.split(' ').filter(Boolean) ?? GATEWAY_NODE_FLAGS;

interface Side {
  name: string;
  root: string;
  gateway: GatewayProcess;
  headers: Record<string, string>;
}

async function start(name: string, root: string, sor: string, dir: string, nodeFlags: readonly string[]): Promise<Side> {
  const port = await freePort();
  const { file, client } = writeClientRegistry(dir, [sor]);
  const gateway = spawnServe(benchGatewayEnv(dir, port, file), root, nodeFlags);
  await gateway.waitReady(120_000);
  const token = await accessToken(gateway.url, client);
  return { name, root, gateway, headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` } };
}

async function main(): Promise<void> {
  const baselineRef = process.argv[2] ?? 'HEAD';
  const commit = execFileSync('git', ['rev-parse', '--short', baselineRef], { cwd: ROOT, encoding: 'utf8' }).trim();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-side-by-side-'));
  const baselineRoot = path.join(tmp, 'baseline');
  execFileSync('git', ['worktree', 'add', '--detach', baselineRoot, commit], { cwd: ROOT, stdio: 'ignore' });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(baselineRoot, 'node_modules'));
  const valid = JSON.parse(readExample('wgs-germline-positive.json').toString()) as Json;
  // Each request is a new submission (its own Bundle.identifier), serialised once around a marker.
  const MARK = '\u0000side-by-side\u0000';
  const [head, tail] = JSON.stringify({ ...valid, identifier: { ...valid.identifier, value: `${valid.identifier.value}-sbs-${MARK}` } }).split(JSON.stringify(MARK).slice(1, -1));
  let n = 0;
  const load = (side: Side, seconds: number) =>
    autocannon({
      url: `${side.gateway.url}/fhir`,
      method: 'POST',
      headers: side.headers,
      connections: CONNECTIONS,
      duration: seconds,
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: head + String(++n) + tail }) }],
    });

  const ratios: Array<{ accepted: number; cpu: number; main: number }> = [];
  const sides: Side[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Array<[string, string, readonly string[]]> = [['baseline', baselineRoot, GATEWAY_NODE_FLAGS], ['candidate', ROOT, CANDIDATE_NODE_FLAGS]];
      if (round % 2 === 0) order.reverse();
      sides.length = 0;
      for (const [name, root, flags] of order) sides.push(await start(name, root, performerSor(valid), fs.mkdtempSync(path.join(tmp, `${name}-`)), flags));
      await Promise.all(sides.map((s) => load(s, WARMUP_SECONDS)));
      const before = sides.map((s) => cpuSeconds(s.gateway.proc.pid!));
      const results = await Promise.all(sides.map((s) => load(s, SECONDS)));
      const after = sides.map((s) => cpuSeconds(s.gateway.proc.pid!));
      const figures = new Map<string, { acceptedPerSecond: number; p99Ms: number; cpuMsPerRequest: number; mainThreadMsPerRequest: number; otherAnswers: number }>();
      sides.forEach((s, i) => {
        const codes = results[i].statusCodeStats ?? {};
        const answered = Object.values(codes).reduce((a, c) => a + c.count, 0);
        const accepted = codes['202']?.count ?? 0;
        figures.set(s.name, {
          acceptedPerSecond: Math.round((accepted / SECONDS) * 10) / 10,
          p99Ms: results[i].latency.p99,
          cpuMsPerRequest: Math.round(((after[i].process - before[i].process) * 1000 * 1000) / answered) / 1000,
          mainThreadMsPerRequest: Math.round(((after[i].main - before[i].main) * 1000 * 1000) / answered) / 1000,
          otherAnswers: answered - accepted,
        });
      });
      const b = figures.get('baseline')!;
      const c = figures.get('candidate')!;
      const r = { accepted: c.acceptedPerSecond / b.acceptedPerSecond, cpu: c.cpuMsPerRequest / b.cpuMsPerRequest, main: c.mainThreadMsPerRequest / b.mainThreadMsPerRequest };
      ratios.push(r);
      const round3 = (x: number) => Math.round(x * 1000) / 1000;
      console.log(JSON.stringify({ round, startedFirst: order[0][0], baseline: { ref: baselineRef, commit, ...b }, candidate: { root: ROOT, nodeFlags: CANDIDATE_NODE_FLAGS.join(' '), ...c }, candidateToBaseline: { acceptedPerSecond: round3(r.accepted), cpuPerRequest: round3(r.cpu), mainThreadPerRequest: round3(r.main) } }));
      await Promise.all(sides.map((s) => s.gateway.kill('SIGTERM')));
    }
    const mean = (k: 'accepted' | 'cpu' | 'main') => Math.round((ratios.reduce((a, r) => a + r[k], 0) / ratios.length) * 1000) / 1000;
    console.log(JSON.stringify({ summary: { baseline: `${baselineRef} (${commit})`, rounds: ROUNDS, secondsPerRound: SECONDS, candidateToBaseline: { acceptedPerSecond: mean('accepted'), cpuPerRequest: mean('cpu'), mainThreadPerRequest: mean('main') } } }));
  } finally {
    await Promise.all(sides.map((s) => s.gateway.kill('SIGKILL').catch(() => undefined)));
    execFileSync('git', ['worktree', 'remove', '--force', baselineRoot], { cwd: ROOT, stdio: 'ignore' });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
