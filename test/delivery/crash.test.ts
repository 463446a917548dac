/**
 * A delivery worker process is SIGKILLed at the worst moment: the National Genome Database has
 * committed the submission, the worker has not heard the answer, so nothing is recorded. A new
 * worker process (same stable id) sends it again; downstream there is still exactly one copy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startFakeNgcDatabase, type FakeNgcDatabase } from '../support/fake-ngc-database';
import { createHarness } from '../store/engines';
import { REPORT_SYSTEM, acceptSubmission, waitFor } from './bundles';

function startWorkerProcess(args: object): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, 'worker-process.ts'), JSON.stringify(args)],
    { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('started') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker process exited (${code}) before starting`)));
  });
}

function sigkill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe.each(['sqlite', 'postgres'] as const)('delivery worker killed with SIGKILL on %s', (engine) => {
  const harness = createHarness(engine);
  let fake: FakeNgcDatabase;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    fake = await startFakeNgcDatabase();
  });
  afterAll(() => fake.stop());
  afterEach(async () => {
    await Promise.all(children.splice(0).map(sigkill));
    await harness.cleanup();
  });

  it('after the database committed and before the answer was recorded: one copy downstream after the restart', async () => {
    const db = await harness.fresh();
    const store = await db.open();
    const { record, reportValue } = await acceptSubmission(store);
    const args = { store: db.config, targetUrl: fake.url, workerId: 'gateway-1' };
    await fake.control({ mode: 'commit-then-slow', delayMs: 10_000, times: 1 });

    const first = await startWorkerProcess(args);
    children.push(first);
    await waitFor(async () => (await fake.count(`${REPORT_SYSTEM}|${reportValue}`)) === 1, 20_000, 'downstream commit');
    await sigkill(first);
    expect((await store.getSubmission(record.id))?.status).toBe('accepted');
    expect(await store.outboxDepth()).toBe(1);

    children.push(await startWorkerProcess(args));
    await waitFor(async () => (await store.getSubmission(record.id))?.status === 'delivered', 20_000, 'redelivery');
    expect(await fake.received(`${REPORT_SYSTEM}|${reportValue}`)).toBe(2);
    expect(await fake.count(`${REPORT_SYSTEM}|${reportValue}`)).toBe(1);
    expect((await fake.resources()).length).toBe(4);
    const attempts = await store.listAttempts(record.id);
    expect(attempts.map((a) => `${a.workerId}:${a.outcome}`)).toEqual(['gateway-1:delivered']);
  }, 60_000);
});
