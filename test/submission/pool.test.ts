/**
 * The validation pool with real worker threads (compiled definitions in each): its verdicts are the
 * in-process ones, a dying worker fails only its own job and is replaced, and close() lets queued
 * work finish before the threads end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createSubmissionValidator, type SubmissionValidator } from '../../src/submission';
import { createSubmissionPool, PoolError, PoolOverloaded, type SubmissionPool } from '../../src/submission/pool';

jest.setTimeout(180_000);

const EXAMPLES = path.join(__dirname, '..', '..', 'implementation-guide', 'examples');
const NOW = new Date('2026-01-01T00:00:00Z');
const example = (rel: string): Buffer => fs.readFileSync(path.join(EXAMPLES, rel));

let judge: SubmissionValidator;
let pool: SubmissionPool;
const exits: Array<{ code: number; replaced: boolean }> = [];

beforeAll(async () => {
  judge = createSubmissionValidator();
  pool = createSubmissionPool({ size: 1, maxQueue: 4, onWorkerExit: (e) => exits.push(e) });
  await pool.ready;
});

afterAll(async () => {
  await pool?.close();
});

describe('submission validation pool (worker threads)', () => {
  it('does not report workers ended by close() as stopped workers (a shutdown is not a failure)', async () => {
    const seen: Array<{ code: number; replaced: boolean }> = [];
    const own = createSubmissionPool({ size: 2, maxQueue: 4, onWorkerExit: (e) => seen.push(e) });
    await own.ready;
    await own.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    expect(own.isReady()).toBe(false);
  });

  it('gives the in-process verdict for a valid example', async () => {
    const body = example('valid/wgs-germline-positive.json');
    const inProcess = judge.validateBytes(body, NOW);
    const pooled = await pool.validateBytes(body, NOW);
    expect(pooled).toMatchObject({ valid: true, status: 200 });
    expect(pooled.issues).toEqual(inProcess.issues);
  });

  it('gives the in-process verdict (same rule ids and wording) for an invalid example', async () => {
    const body = example('invalid/REP-03.json');
    const inProcess = judge.validateBytes(body, NOW);
    const pooled = await pool.validateBytes(body, NOW);
    expect(pooled).toMatchObject({ valid: false, status: 422 });
    expect(pooled.issues.some((i) => i.rule?.id === 'REP-03')).toBe(true);
    expect(pooled.issues).toEqual(inProcess.issues);
  });

  it('judges non-JSON bytes in the worker with the intake guard (400, SUB-01)', async () => {
    const pooled = await pool.validateBytes(Buffer.from('<Bundle/>'), NOW);
    expect(pooled).toMatchObject({ valid: false, status: 400 });
    expect(pooled.issues.map((i) => i.rule?.id)).toContain('SUB-01');
  });

  it('sheds beyond its queue with PoolOverloaded instead of growing', async () => {
    const body = example('valid/wgs-germline-positive.json');
    // One running + four queued fill a size-1 pool with maxQueue 4; the rest are refused at once.
    const settled = await Promise.allSettled(Array.from({ length: 8 }, () => pool.validateBytes(body, NOW)));
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PoolOverloaded);
    expect(settled.filter((s) => s.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
  });

  it('fails the job of a crashed worker with PoolError and replaces the worker', async () => {
    expect(pool.isReady()).toBe(true);
    pool.crashOneForTest();
    // Size 1: this job goes to the worker that exits before reading it.
    await expect(pool.validateBytes(example('valid/wgs-germline-positive.json'), NOW)).rejects.toBeInstanceOf(PoolError);
    expect(exits).toEqual([{ code: 70, replaced: true }]);
    // No worker is ready until the replacement has compiled its definitions.
    expect(pool.isReady()).toBe(false);
    // The replacement compiles its definitions, then judges as before.
    const deadline = Date.now() + 120_000;
    while (!pool.isReady() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const again = await pool.validateBytes(example('valid/wgs-germline-positive.json'), NOW);
    expect(again).toMatchObject({ valid: true, status: 200 });
  });

  it('with two jobs per worker, hands a worker its next job before it answers, and each caller gets its own verdict', async () => {
    const exited: Array<{ code: number; replaced: boolean }> = [];
    const own = createSubmissionPool({ size: 1, maxQueue: 4, jobsPerWorker: 2, onWorkerExit: (e) => exited.push(e) });
    try {
      await own.ready;
      const bodies = [example('valid/wgs-germline-positive.json'), example('invalid/REP-03.json'), Buffer.from('<Bundle/>'), example('invalid/REP-03.json')];
      expect((await Promise.all(bodies.map((b) => own.validateBytes(b, NOW)))).map((v) => v.status)).toEqual([200, 422, 400, 422]);
      // Both places of the worker are taken when it dies: both jobs fail; the third, still queued,
      // waits for the replacement.
      own.crashOneForTest();
      const jobs = bodies.slice(0, 3).map((b) => own.validateBytes(b, NOW));
      expect(own.pending()).toBe(3);
      const settled = await Promise.allSettled(jobs);
      expect(settled.slice(0, 2).map((s) => (s.status === 'rejected' ? (s.reason as Error).constructor : s.status))).toEqual([PoolError, PoolError]);
      expect(settled[2]).toMatchObject({ status: 'fulfilled', value: { status: 400 } });
      expect(exited).toEqual([{ code: 70, replaced: true }]);
    } finally {
      await own.close();
    }
  });

  it('on close, finishes queued work, then refuses new work', async () => {
    const body = example('invalid/REP-03.json');
    const inFlight = [pool.validateBytes(body, NOW), pool.validateBytes(body, NOW)];
    const closing = pool.close();
    await expect(pool.validateBytes(body, NOW)).rejects.toBeInstanceOf(PoolError);
    const verdicts = await Promise.all(inFlight);
    expect(verdicts.map((v) => v.status)).toEqual([422, 422]);
    await closing;
    expect(pool.isReady()).toBe(false);
  });
});
