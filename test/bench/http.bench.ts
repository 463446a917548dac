/**
 * `npm run bench:http`: load on the real gateway process over loopback (autocannon), with durable
 * SQLite writes and the delivery worker running (to the local development sink).
 *
 * Phases: (1) the typical valid Bundle, each request with its own Bundle.identifier, so every one
 * is validated, stored and queued (202); (2) a Bundle that breaks a rule (422, stored as rejected);
 * (3) overload: far more connections than processing slots plus queue, to show that the gateway
 * sheds load with 503 + Retry-After instead of growing. Reports throughput, p50/p99 latency and the
 * gateway's memory: RSS of the server process (all its threads) and the outbox backlog, sampled
 * every second; for the accepted phase the RSS once warmed up (a quarter in), at the end, the peak
 * and the slope over its second half. Before phase 1, a warm-up of BENCH_WARMUP_SECONDS (default
 * 45) under the same load lets the JIT, the engine's memos and the caches settle; it is reported but
 * not counted. 45 s because the RSS left after a forced GC still rises by some 30-50 MiB over the
 * first 40 s of load and then stays level (a 200 s run forcing one every 30 s: 427 MiB after
 * 25 s of load, then 451-458 MiB at each of the six after it).
 *
 * V8 collects its old space lazily, so RSS climbs between major GCs whether or not anything leaks.
 * What must not grow is the live heap: the bench has the gateway run a full GC in each of its
 * threads (a preload, test/bench/support/gc-on-signal.js) right after the warm-up and right after
 * phase 1, and reads the live main-thread heap and the RSS left each time. Memory is flat when both,
 * after phase 1, are within 5% of their values before it. No GC is forced while phase 1 is timed: a
 * forced full GC also throws away optimised code that refers to objects it found dead (V8 logs
 * "weak objects"), and recompiling some 130 functions afterwards cost 3-6% of the throughput
 * measured when it was done every 20 s (alternating 30 s runs with and without one); the gateway's
 * own major GCs (counted below) are part of the measurement. As a second look, without any forced
 * GC, `rssFlatWithoutForcedGc` holds when the highest RSS of phase 1's second half is within 5% of
 * the highest of its first half (a leak lifts the sawtooth's peaks). A backlog that keeps growing
 * means delivery does not keep up.
 *
 * BENCH_SECONDS (default 60) sets the length of phase 1; phases 2 and 3 take a third of it, or
 * BENCH_OVERLOAD_SECONDS for phase 3. BENCH_CONNECTIONS (default 10) sets the concurrent senders of
 * phases 1 and 2. At 10 the 2 cores still idle about a tenth of the time (vmstat), the requests
 * waiting on their group commit's fsync meanwhile; 16 fill more of it at a higher p50.
 *
 * Each phase also reports the gateway's CPU time per answered request (whole process and main
 * thread, from /proc): on a machine shared with other work, throughput and latency say more about
 * the neighbours than about the gateway. CPU per request says less about them, yet it too swings
 * by a third between runs minutes apart (so does `bench:submission` run back to back on an idle
 * machine): compare runs side by side, alternating. BENCH_THREADS=1 adds the split
 * per thread (validation workers, V8's GC helpers, the libuv pool). BENCH_NODE_OPTIONS goes to the
 * gateway's NODE_OPTIONS, e.g. `--require ./test/bench/main-thread-profile.js` for a CPU profile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accessToken, freePort, readExample, spawnServe, writeClientRegistry } from '../http/support/gateway-process';
import { autocannon, benchGatewayEnv, cpuSeconds, performerSor, type BundleJson as Json } from './support/load';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SIDE_SECONDS = Math.max(5, Math.round(SECONDS / 3));
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 45);
/** Long enough to see whether memory under overload levels off (it must not grow without bound). */
const OVERLOAD_SECONDS = Number(process.env.BENCH_OVERLOAD_SECONDS ?? SIDE_SECONDS);
/** Concurrent senders in phases 1 and 2 (BENCH_CONNECTIONS, default 10). */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const EXAMPLE = 'wgs-germline-positive.json';
const INVALID = path.join(__dirname, '..', '..', 'implementation-guide', 'examples', 'invalid', 'REP-03.json');


function rssMiB(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Bytes the process has written towards storage so far (/proc/<pid>/io: the WAL, the database, the dev sink's journal). */
function storageWriteBytes(pid: number): number {
  return Number(/^write_bytes: (\d+)/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
}

/**
 * The machine's CPU time so far, all cores, in clock ticks (/proc/stat): how much was left idle, and
 * how much the hypervisor gave to other guests while this one wanted to run (steal).
 */
function machineTicks(): { total: number; idle: number; steal: number } {
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const f = /^cpu\s+(.*)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))![1].trim().split(/\s+/).map(Number);
  return { total: f.slice(0, 8).reduce((a, b) => a + b, 0), idle: f[3] + f[4], steal: f[7] };
}

/** CPU seconds of each thread of the process (for BENCH_THREADS=1: where the time goes besides the main thread). */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const rest = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ').pop()!.split(' ');
      out.set(tid, (Number(rest[11]) + Number(rest[12])) / 100);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Least-squares slope of (seconds, MiB) points, in MiB per minute. */
function slopePerMinute(points: Array<[number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 60;
}

async function main(): Promise<void> {
  const valid = JSON.parse(readExample(EXAMPLE).toString()) as Json;
  const invalid = JSON.parse(fs.readFileSync(INVALID, 'utf8')) as Json;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-bench-'));
  const port = await freePort();
  const { file, client } = writeClientRegistry(dir, [...new Set([performerSor(valid), performerSor(invalid)])]);
  const g = spawnServe({
    ...benchGatewayEnv(dir, port, file),
    // Passed through so runs can compare pool sizes (0 = on the event loop), holding early retries or not, or profile the gateway.
    ...(process.env.VALIDATION_WORKERS ? { VALIDATION_WORKERS: process.env.VALIDATION_WORKERS } : {}),
    ...(process.env.MAX_RETRY_AFTER_HOLD_MS ? { MAX_RETRY_AFTER_HOLD_MS: process.env.MAX_RETRY_AFTER_HOLD_MS } : {}),
    NODE_OPTIONS: [`--expose-gc --require ${path.join(__dirname, 'support', 'gc-on-signal.js')}`, process.env.BENCH_NODE_OPTIONS ?? ''].join(' ').trim(),
  });
  const pid = g.proc.pid!;
  try {
    await g.waitReady(120_000);
    const token = await accessToken(g.url, client);
    const headers = { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` };
    let n = 0;
    // Each request is a new submission: same content apart from its Bundle.identifier. The Bundle
    // is serialised once around a marker, so the load generator, which shares the 2 cores with the
    // gateway, spends as little CPU as it can per request.
    const MARK = '\u0000bench-marker\u0000';
    const templates = new Map<Json, [string, string]>();
    const variant = (b: Json): string => {
      let t = templates.get(b);
      if (!t) {
        const [head, tail] = JSON.stringify({ ...b, identifier: { ...b.identifier, value: `${b.identifier.value}-bench-${MARK}` } }).split(JSON.stringify(MARK).slice(1, -1));
        t = [head, tail];
        templates.set(b, t);
      }
      return t[0] + String(++n) + t[1];
    };

    // The first submissions compile what the engine compiles lazily, one at a time, before any load.
    for (let i = 0; i < 20; i++) await fetch(`${g.url}/fhir`, { method: 'POST', headers, body: variant(valid) });

    const samples: { at: number; rss: number; outbox: number; heap: number; external: number }[] = [];
    const t0 = Date.now();
    let sampling = Promise.resolve();
    const sampler = setInterval(() => {
      const rss = rssMiB(pid).rss;
      const at = (Date.now() - t0) / 1000;
      sampling = sampling.then(async () => {
        samples.push({ at, rss, ...(await gauges()) });
      });
    }, 1000);
    // The main thread's own view (prom-client default metrics): tells its heap apart from the rest of RSS.
    const gauges = async (): Promise<{ outbox: number; heap: number; external: number; majorGcs: number; gcSeconds: number }> => {
      const text = await (await fetch(`${g.url}/metrics`)).text();
      // The first sample of a metric, or the one whose labels include `label`; summed over all with `sum`.
      const samplesOf = (name: string, label = '') => [...text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)`, 'gm'))].filter((m) => (m[1] ?? '').includes(label)).map((m) => Number(m[2]));
      const num = (name: string, label?: string) => samplesOf(name, label)[0] ?? NaN;
      return {
        outbox: num('ngc_outbox_depth'),
        heap: Math.round(num('ngc_gateway_nodejs_heap_size_used_bytes') / 2 ** 20),
        external: Math.round(num('ngc_gateway_nodejs_external_memory_bytes') / 2 ** 20),
        // (no sample until the first major GC the metric saw)
        majorGcs: samplesOf('ngc_gateway_nodejs_gc_duration_seconds_count', 'kind="major"')[0] ?? 0,
        gcSeconds: samplesOf('ngc_gateway_nodejs_gc_duration_seconds_sum').reduce((a, b) => a + b, 0),
      };
    };
    const outboxDepth = async (): Promise<number> => (await gauges()).outbox;
    /** Full GCs this bench had the gateway run (SIGUSR2, below). */
    let forcedGcs = 0;
    const phase = async (name: string, body: Json, connections: number, seconds: number) => {
      const before = rssMiB(pid);
      const cpuBefore = cpuSeconds(pid);
      const loadGeneratorBefore = process.cpuUsage();
      const threadsBefore = threadSeconds(pid);
      const writtenBefore = storageWriteBytes(pid);
      const machineBefore = machineTicks();
      const gcBefore = await gauges();
      const forcedBefore = forcedGcs;
      const result = await autocannon({
        url: `${g.url}/fhir`,
        method: 'POST',
        headers,
        connections,
        duration: seconds,
        requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: variant(body) }) }],
      });
      const codes: Record<string, number> = {};
      for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) codes[code] = v.count;
      const after = rssMiB(pid);
      const cpuAfter = cpuSeconds(pid);
      const loadGenerator = process.cpuUsage(loadGeneratorBefore);
      const gcAfter = await gauges();
      const written = storageWriteBytes(pid) - writtenBefore;
      const machineAfter = machineTicks();
      const machineTotal = machineAfter.total - machineBefore.total;
      const machineShare = (k: 'idle' | 'steal') => (machineTotal ? Math.round(((machineAfter[k] - machineBefore[k]) * 1000) / machineTotal) / 10 : NaN);
      const answered = Object.values(codes).reduce((a, b) => a + b, 0);
      if (process.env.BENCH_THREADS) {
        const deltas = [...threadSeconds(pid)].map(([tid, sec]) => [tid === String(pid) ? 'main' : tid, answered ? Math.round(((sec - (threadsBefore.get(tid) ?? 0)) * 100000) / answered) / 100 : 0] as const);
        console.log(JSON.stringify({ phase: name, cpuMsPerRequestByThread: Object.fromEntries(deltas.filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1])) }));
      }
      const perRequestMs = (k: 'process' | 'main') => (answered ? Math.round(((cpuAfter[k] - cpuBefore[k]) * 1000 * 100) / answered) / 100 : NaN);
      const line = {
        phase: name,
        connections,
        seconds,
        requestsPerSecond: Math.round(result.requests.average),
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        statusCodes: codes,
        errors: result.errors,
        timeouts: result.timeouts,
        // Includes the delivery worker's share (it runs on the main thread while the phase lasts).
        cpuMsPerRequest: {
          process: perRequestMs('process'),
          mainThread: perRequestMs('main'),
          // autocannon and this script, on the same 2 cores: what the gateway cannot have.
          loadGenerator: answered ? Math.round((loadGenerator.user + loadGenerator.system) / 10 / answered) / 100 : NaN,
        },
        // What each answer cost the disk (and the kernel's writeback): SQLite's WAL and checkpoints, the dev sink.
        storageWriteKiBPerRequest: answered ? Math.round((written / 1024 / answered) * 10) / 10 : NaN,
        loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
        // Of all cores' time during the phase: left idle (with I/O wait), and taken by the hypervisor
        // for other guests (steal): a slow run with steal says the machine, not the gateway, changed.
        machinePercent: { idle: machineShare('idle'), steal: machineShare('steal') },
        rssMiB: { before: Math.round(before.rss), after: Math.round(after.rss), peak: Math.round(after.peak) },
        // The main thread's collections (prom-client's GC metrics), apart from the full GCs this
        // bench forces: a major GC marks the whole live heap, definitions included, so more than a
        // few a minute means V8's heap limits keep it collecting (see src/cli/heap-growth.ts).
        mainThreadGc: {
          majorNotForced: gcAfter.majorGcs - gcBefore.majorGcs - (forcedGcs - forcedBefore),
          msPerRequest: answered ? Math.round(((gcAfter.gcSeconds - gcBefore.gcSeconds) * 1000 * 100) / answered) / 100 : NaN,
        },
      };
      console.log(JSON.stringify(line));
      return { result, codes };
    };

    // A full GC in every thread of the gateway (bench preload), then its live main-thread heap and RSS.
    const collect = async (): Promise<{ heap: number; rss: number }> => {
      forcedGcs++;
      process.kill(pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 500));
      return { heap: (await gauges()).heap, rss: Math.round(rssMiB(pid).rss) };
    };
    if (WARMUP_SECONDS > 0) await phase('warm-up (valid Bundle, 202; not counted)', valid, CONNECTIONS, WARMUP_SECONDS);
    const liveBefore = await collect();
    const phaseStart = (Date.now() - t0) / 1000;
    const accepted = await phase('accepted (valid Bundle, 202)', valid, CONNECTIONS, SECONDS);
    const acceptedEnd = (Date.now() - t0) / 1000;
    const liveAfter = await collect();
    const rejected = await phase('rejected (REP-03, 422)', invalid, CONNECTIONS, SIDE_SECONDS);
    const overload = await phase('overload (400 connections)', valid, 400, OVERLOAD_SECONDS);
    clearInterval(sampler);

    const retryAfter = await (async () => {
      // One more burst to catch a shed answer's headers.
      const settled = await Promise.allSettled(Array.from({ length: 300 }, () => fetch(`${g.url}/fhir`, { method: 'POST', headers, body: variant(valid) })));
      const answers = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const shed = answers.find((r) => r.status === 503 || r.status === 429);
      await Promise.all(answers.map((r) => r.arrayBuffer().catch(() => undefined)));
      return shed ? `${shed.status} Retry-After: ${shed.headers.get('retry-after')}` : 'no request shed';
    })();

    await sampling;

    // Only samples taken while phase 1 ran: the next one already shows the forced GC's drop.
    const during = samples.filter((x) => x.at >= phaseStart && x.at <= acceptedEnd);
    const length = acceptedEnd - phaseStart;
    const warmed = during.find((x) => x.at >= phaseStart + length / 4) ?? during[0];
    const last = during[during.length - 1];
    const firstHalf = during.filter((x) => x.at < phaseStart + length / 2);
    const secondHalf = during.filter((x) => x.at >= phaseStart + length / 2);
    const slope = slopePerMinute(secondHalf.map((x) => [x.at, x.rss]));
    // Without forced GCs RSS is a sawtooth (V8 collects its old space lazily, some 60 MiB apart
    // here): its end and its slope depend on where the gateway's own major GCs fell. A leak raises
    // the sawtooth's peaks, so those are compared, the second half's against the first half's.
    const peak = (xs: typeof during) => Math.max(...xs.map((x) => x.rss));
    const flat = secondHalf.length > 0 && firstHalf.length > 0 && peak(secondHalf) <= 1.05 * peak(firstHalf);
    const liveFlat = liveAfter.heap <= liveBefore.heap * 1.05 + 2 && liveAfter.rss <= liveBefore.rss * 1.05;
    console.log(
      JSON.stringify({
        summary: {
          cpus: os.cpus().length,
          acceptedPerSecond: Math.round((accepted.codes['202'] ?? 0) / SECONDS),
          acceptedP99Ms: accepted.result.latency.p99,
          rejectedPerSecond: Math.round((rejected.codes['422'] ?? 0) / SIDE_SECONDS),
          overloadStatusCodes: overload.codes,
          shedExample: retryAfter,
          rssMiBDuringAcceptedPhase: {
            start: Math.round(during[0]?.rss ?? 0),
            warmedUp: Math.round(warmed.rss),
            end: Math.round(last.rss),
            max: Math.round(peak(during)),
            peakFirstHalf: Math.round(peak(firstHalf)),
            peakSecondHalf: Math.round(peak(secondHalf)),
            slopeSecondHalfMiBPerMinute: Number(slope.toFixed(1)),
          },
          rssFlatWithoutForcedGc: flat,
          liveAfterForcedGc: { beforeAcceptedPhase: liveBefore, afterAcceptedPhase: liveAfter },
          memoryFlat: liveFlat,
          outboxDepthDuringAcceptedPhase: { max: Math.max(...during.map((x) => x.outbox)), end: last.outbox },
          peakRssMiB: Math.round(rssMiB(pid).peak),
          outboxDepthAtEnd: await outboxDepth(),
        },
        // Per second from the start of the warm-up; phase 1 starts at this second.
        acceptedPhaseStartsAtSecond: Math.round(phaseStart),
        rssMiBPerSecond: samples.map((x) => Math.round(x.rss)),
        outboxDepthPerSecond: samples.map((x) => x.outbox),
        mainHeapUsedMiBPerSecond: samples.map((x) => x.heap),
        mainExternalMiBPerSecond: samples.map((x) => x.external),
      }),
    );
  } finally {
    await g.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
