/**
 * The validation pool's cost per submission as the gateway pays it: the same jobs `POST /fhir` sends
 * (`judgeBytes`), one at a time, to a one-worker pool; CPU per job of the worker thread, of V8's
 * helper threads and of this (main) thread, from /proc.
 *
 *   node -r @swc-node/register test/bench/pool-cost.ts [runs] [workers]
 *
 * With several workers, twice as many jobs are kept in flight (as under load); the CPU of all
 * workers is then summed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createSubmissionPool } from '../../src/submission/pool';

const ticks = (tid: string): number => {
  const rest = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ').pop()!.split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100;
};
const threads = (): Map<string, { name: string; cpu: number }> => {
  const out = new Map<string, { name: string; cpu: number }>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      out.set(tid, { name: fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), cpu: ticks(tid) });
    } catch {
      // ended meanwhile
    }
  }
  return out;
};

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 2000);
  const template = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'implementation-guide', 'examples', 'valid', 'wgs-germline-positive.json'), 'utf8'));
  const body = (i: number) => Buffer.from(JSON.stringify({ ...template, identifier: { ...template.identifier, value: `${template.identifier.value}-pool-${i}` } }));
  const size = Number(process.argv[3] ?? 1);
  const pool = createSubmissionPool({ size });
  await pool.ready;
  for (let i = 0; i < 300; i++) await pool.judgeBytes(body(i));
  const bodies = Array.from({ length: runs }, (_, i) => body(i + 1000));
  const before = threads();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < runs) await pool.judgeBytes(bodies[next++]);
  };
  await Promise.all(Array.from({ length: size === 1 ? 1 : size * 2 }, lane));
  const after = threads();
  // The workers are the threads that used the most CPU; the other unnamed threads are V8's helpers (GC).
  const used = [...after]
    .map(([tid, t]) => ({ tid, name: t.name, cpu: t.cpu - (before.get(tid)?.cpu ?? 0) }))
    .filter((t) => t.cpu > 0 && t.tid !== String(process.pid))
    .sort((a, b) => b.cpu - a.cpu);
  const us = (sec: number) => Math.round((sec * 1e6) / runs);
  const main = after.get(String(process.pid))!.cpu - before.get(String(process.pid))!.cpu;
  console.log(
    JSON.stringify({
      runs,
      workers: size,
      cpuUsPerJob: {
        workers: us(used.slice(0, size).reduce((a, t) => a + t.cpu, 0)),
        otherThreads: us(used.slice(size).reduce((a, t) => a + t.cpu, 0)),
        main: us(main),
      },
    }),
  );
  await pool.close();
}

void main();
