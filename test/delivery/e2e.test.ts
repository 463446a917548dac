/**
 * End to end on both stores: accepted submissions in a real store, delivery workers, and the fake
 * National Genome Database as a separate HTTP process on loopback. Counts are taken downstream,
 * where a second copy would show.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDeliveryWorker, createNgcDatabaseTarget, type DeliveryWorker, type DeliveryWorkerOptions } from '../../src/delivery';
import type { GatewayStore } from '../../src/store';
import { startFakeNgcDatabase, type FakeNgcDatabase } from '../support/fake-ngc-database';
import { createHarness, type AnyStore, type TestDatabase } from '../store/engines';
import { REPORT_SYSTEM, acceptSubmission, waitFor } from './bundles';

describe.each(['sqlite', 'postgres'] as const)('delivery end to end on %s', (engine) => {
  const harness = createHarness(engine);
  let fake: FakeNgcDatabase;
  let stateDir: string;
  let db: TestDatabase;
  let store: AnyStore;
  const workers: DeliveryWorker[] = [];

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-fake-db-'));
    fake = await startFakeNgcDatabase({ stateFile: path.join(stateDir, 'state.json') });
  });
  afterAll(async () => {
    await fake.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await fake.reset();
    db = await harness.fresh();
    store = await db.open();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await harness.cleanup();
  });

  function worker(s: GatewayStore, options: DeliveryWorkerOptions = {}): DeliveryWorker {
    const w = createDeliveryWorker({
      store: s,
      target: createNgcDatabaseTarget(fake.url, { timeoutMs: 5000 }),
      options: { pollIntervalMs: 25, baseDelayMs: 20, maxDelayMs: 200, ...options },
    });
    workers.push(w);
    return w;
  }

  const reportCount = (value: string) => fake.count(`${REPORT_SYSTEM}|${value}`, 'DiagnosticReport');
  const reportReceived = (value: string) => fake.received(`${REPORT_SYSTEM}|${value}`);

  it('delivers every accepted submission once, with references resolved downstream', async () => {
    const subs = await Promise.all(Array.from({ length: 5 }, () => acceptSubmission(store)));
    worker(store).start();
    await waitFor(async () => (await store.outboxDepth()) === 0, 15_000, 'outbox drained');
    for (const { record, reportValue } of subs) {
      expect(await reportCount(reportValue)).toBe(1);
      const sub = await store.getSubmission(record.id);
      expect(sub?.status).toBe('delivered');
      expect(sub?.delivery?.response?.location).toMatch(/^DiagnosticReport\/\d+\/_history\/1$/);
    }
    expect(await fake.stats()).toMatchObject({ transactions: 5, resources: 20 });
    const reports = await fake.resources('DiagnosticReport');
    const patients = new Set((await fake.resources('Patient')).map((p) => `Patient/${p.id}`));
    for (const r of reports) expect(patients.has((r.subject as { reference: string }).reference)).toBe(true);

    // What the database keeps survives its own restart (the crash tests read it that way).
    await fake.stop();
    fake = await startFakeNgcDatabase({ stateFile: path.join(stateDir, 'state.json') });
    expect(await reportCount(subs[0].reportValue)).toBe(1);
  });

  it('creates no second copy when a submission is sent again after a crash between the 2xx and its record', async () => {
    const { record, reportValue } = await acceptSubmission(store);
    // Worker A "crashes" right after the database answered 2xx: its store never records it.
    const crashing: GatewayStore = Object.create(store, {
      completeDeliveries: { value: async () => Promise.reject(new Error('process killed')) },
    });
    const a = worker(crashing, { workerId: 'A', leaseMs: 300 });
    expect(await a.runOnce()).toBe(1);
    expect(await reportCount(reportValue)).toBe(1);
    expect((await store.getSubmission(record.id))?.status).toBe('accepted');

    // After A's lease runs out, worker B (another instance) finds the row and sends it again.
    const b = worker(await db.open(), { workerId: 'B' });
    await new Promise((r) => setTimeout(r, 350));
    expect(await b.runOnce()).toBe(1);
    expect(await reportReceived(reportValue)).toBe(2);
    expect(await reportCount(reportValue)).toBe(1);
    expect((await fake.stats()).resources).toBe(4);
    const sub = await store.getSubmission(record.id);
    expect(sub?.status).toBe('delivered');
    expect(sub?.delivery?.response?.body).toEqual({
      entries: expect.arrayContaining([expect.objectContaining({ status: '200 OK' })]),
    });
  });

  it('creates no second copy when the connection drops after the database committed', async () => {
    const { record, reportValue } = await acceptSubmission(store);
    await fake.control({ mode: 'drop-after-commit', times: 1 });
    const w = worker(store);
    await waitFor(async () => (await w.runOnce(), (await store.getSubmission(record.id))?.status === 'delivered'), 10_000);
    expect((await store.listAttempts(record.id)).map((a) => a.outcome)).toEqual(['retry', 'delivered']);
    expect(await reportReceived(reportValue)).toBe(2);
    expect(await reportCount(reportValue)).toBe(1);
  });

  it('rides out 503s and a 429 with Retry-After from the database', async () => {
    const { record, reportValue } = await acceptSubmission(store);
    await fake.control({ mode: 'fail', status: 503, times: 2 });
    const w = worker(store, { maxDelayMs: 5000 });
    w.start();
    await waitFor(async () => (await store.getSubmission(record.id))?.status === 'delivered', 10_000);
    expect((await store.listAttempts(record.id)).map((a) => `${a.outcome}:${a.httpStatus}`)).toEqual(['retry:503', 'retry:503', 'delivered:200']);

    const second = await acceptSubmission(store);
    await fake.control({ mode: 'fail', status: 429, retryAfter: 1, times: 1 });
    const t0 = Date.now();
    await waitFor(async () => (await store.getSubmission(second.record.id))?.status === 'delivered', 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(await reportCount(reportValue)).toBe(1);
    expect(await reportCount(second.reportValue)).toBe(1);
  });

  it('has two workers on one database deliver each of N submissions exactly once', async () => {
    const n = 30;
    const subs = [];
    for (let i = 0; i < n; i++) subs.push(await acceptSubmission(store));
    const other = await db.open();
    worker(store, { workerId: 'one', concurrency: 3 }).start();
    worker(other, { workerId: 'two', concurrency: 3 }).start();
    await waitFor(async () => (await store.outboxDepth()) === 0, 30_000, 'outbox drained');
    const byWorker: Record<string, number> = {};
    for (const { record, reportValue } of subs) {
      expect(await reportReceived(reportValue)).toBe(1);
      expect(await reportCount(reportValue)).toBe(1);
      const attempts = await store.listAttempts(record.id);
      expect(attempts.map((a) => a.outcome)).toEqual(['delivered']);
      byWorker[attempts[0].workerId] = (byWorker[attempts[0].workerId] ?? 0) + 1;
    }
    expect((byWorker.one ?? 0) + (byWorker.two ?? 0)).toBe(n);
    expect(await fake.stats()).toMatchObject({ transactions: n, resources: 4 * n });
  });
});
