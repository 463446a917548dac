/**
 * The outbox worker on a real SQLite store, against nock-scripted answers of the National Genome
 * Database: what is retried, what is not, how long it waits, and when it stops sending at all.
 */
import os from 'node:os';
import nock from 'nock';
import { createDeliveryWorker, createNgcDatabaseTarget, makeIdempotent, transactionBytes, type DeliveryWorker, type DeliveryWorkerOptions, type BreakerState } from '../../src/delivery';
import type { DeliveryAttempt, GatewayStore } from '../../src/store';
import { createHarness, type AnyStore } from '../store/engines';
import { makeRecord } from '../store/records';
import { acceptSubmission, makeBundle, waitFor } from './bundles';

const ORIGIN = 'http://ngc-db.test';
const BASE = `${ORIGIN}/fhir`;

const harness = createHarness('sqlite');
let store: AnyStore;
const workers: DeliveryWorker[] = [];

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
beforeEach(async () => {
  store = await (await harness.fresh()).open();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  nock.abortPendingRequests();
  nock.cleanAll();
  await harness.cleanup();
});
afterAll(() => nock.enableNetConnect());

function worker(options: DeliveryWorkerOptions = {}, timeoutMs = 2000, hooks: { states?: BreakerState[]; attempts?: string[] } = {}): DeliveryWorker {
  const w = createDeliveryWorker({
    store,
    target: createNgcDatabaseTarget(BASE, { timeoutMs }),
    options: { workerId: 'w-test', baseDelayMs: 1, maxDelayMs: 10, pollIntervalMs: 20, ...options },
    metrics: {
      onBreakerState: (s) => hooks.states?.push(s),
      onAttempt: (outcome, _ms, status) => hooks.attempts?.push(`${outcome}:${status ?? '-'}`),
    },
  });
  workers.push(w);
  return w;
}

const okAnswer = { resourceType: 'Bundle', type: 'transaction-response', entry: [{ response: { status: '201 Created', location: 'Patient/1/_history/1' } }] };
const outcomes = (attempts: DeliveryAttempt[]) => attempts.map((a) => `${a.outcome}:${a.httpStatus ?? '-'}`);

describe('delivery worker', () => {
  it('delivers an accepted submission as conditional creates and records the answer', async () => {
    const { record } = await acceptSubmission(store);
    let sent: { entry: { request: { ifNoneExist?: string } }[] } | undefined;
    nock(BASE).post('/', (b) => ((sent = b), true)).reply(200, okAnswer);
    const attempts: string[] = [];
    expect(await worker({}, 2000, { attempts }).runOnce()).toBe(1);
    expect(sent!.entry.every((e) => /^_tag=http:\/\/ngc\.dk\/fhir\/genomics\/delivery-key\|urn:uuid:/.test(e.request.ifNoneExist ?? ''))).toBe(true);
    const sub = await store.getSubmission(record.id);
    expect(sub?.status).toBe('delivered');
    expect(sub?.delivery?.response).toMatchObject({ status: 200 });
    expect(await store.getPayload(record.id)).toBeUndefined();
    expect(outcomes(await store.listAttempts(record.id))).toEqual(['delivered:200']);
    expect(attempts).toEqual(['delivered:200']);
  });

  it('sends a payload stored as the transaction as it is, the same as it makes of one stored as the Bundle', async () => {
    const asBundle = await acceptSubmission(store);
    // What the intake stores: the accepted Bundle made idempotent for its submission id.
    const ready = makeBundle('rep-ready');
    const record = makeRecord({ bundleIdentifier: ready.identifier as { system: string; value: string } });
    const stored = transactionBytes(structuredClone(ready), record.id);
    await store.insertAccepted(record, stored, undefined, 'transaction');
    const bodies: string[] = [];
    nock(BASE)
      .post('/', (b) => (bodies.push(JSON.stringify(b)), true))
      .times(2)
      .reply(200, okAnswer);
    expect(await worker().runOnce()).toBe(2);
    expect(bodies).toContain(stored.toString());
    const tagged = bodies.map((b) => JSON.parse(b) as { identifier: { value: string } }).find((b) => b.identifier.value === asBundle.bundle.identifier!.value);
    expect(tagged).toEqual(makeIdempotent(asBundle.bundle, asBundle.record.id));
    for (const id of [record.id, asBundle.record.id]) expect((await store.getSubmission(id))?.status).toBe('delivered');
  });

  it('retries a 5xx with backoff and delivers once the database recovers', async () => {
    const { record } = await acceptSubmission(store);
    nock(BASE).post('/').reply(503, {}).post('/').reply(502, {}).post('/').reply(200, okAnswer);
    const w = worker();
    await w.runOnce();
    const after1 = await store.getSubmission(record.id);
    expect(after1?.status).toBe('accepted');
    expect(after1?.delivery?.lastError).toBe('HTTP 503 from the National Genome Database');
    expect(Date.parse(after1!.delivery!.nextAttemptAt!)).toBeGreaterThanOrEqual(Date.now() - 1000);
    await waitFor(async () => (await w.runOnce(), (await store.getSubmission(record.id))?.status === 'delivered'));
    expect(outcomes(await store.listAttempts(record.id))).toEqual(['retry:503', 'retry:502', 'delivered:200']);
    expect(nock.isDone()).toBe(true);
  });

  it('does not retry a 4xx: the submission is failed with the database reason, visible on its record', async () => {
    const { record } = await acceptSubmission(store);
    nock(BASE).post('/').reply(400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'Bundle.entry[2]: unknown code' }] });
    const w = worker();
    await w.runOnce();
    expect(await w.runOnce()).toBe(0);
    const sub = await store.getSubmission(record.id);
    expect(sub?.status).toBe('failed');
    expect(sub?.delivery?.lastError).toBe('HTTP 400 from the National Genome Database: error invalid Bundle.entry[2]: unknown code');
    expect(outcomes(await store.listAttempts(record.id))).toEqual(['failed:400']);
    expect(await store.outboxDepth()).toBe(0);
  });

  it('waits as long as Retry-After asks on a 429, longer than its own backoff', async () => {
    const { record } = await acceptSubmission(store);
    nock(BASE).post('/').reply(429, {}, { 'Retry-After': '2' });
    const before = Date.now();
    await worker({ maxDelayMs: 60_000 }).runOnce();
    const next = Date.parse((await store.getSubmission(record.id))!.delivery!.nextAttemptAt!);
    expect(next - before).toBeGreaterThanOrEqual(2000);
    expect(next - before).toBeLessThan(4000);
    expect(await worker({ workerId: 'other' }).runOnce()).toBe(0);
  });

  it('retries after a timeout and after a connection reset', async () => {
    const { record } = await acceptSubmission(store);
    nock(BASE).post('/').delay(1500).reply(200, okAnswer).post('/').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' }).post('/').reply(201, okAnswer);
    const w = worker({}, 100);
    await waitFor(async () => (await w.runOnce(), (await store.getSubmission(record.id))?.status === 'delivered'));
    const attempts = await store.listAttempts(record.id);
    expect(outcomes(attempts)).toEqual(['retry:-', 'retry:-', 'delivered:201']);
    expect(attempts[0].error).toBe('no answer within 100 ms');
    expect(attempts[1].error).toMatch(/ECONNRESET/);
  });

  it('opens the circuit while the database is down, probes after the cool-down, and drains once it is back', async () => {
    for (let i = 0; i < 6; i++) await acceptSubmission(store);
    let requests = 0;
    nock(BASE).post('/').times(100).reply(() => {
      requests += 1;
      return [503, {}];
    });
    const states: BreakerState[] = [];
    const w = worker({ concurrency: 1, failureThreshold: 3, cooldownMs: 600 }, 2000, { states });
    w.start();
    await waitFor(async () => states.includes('open'), 5000, 'circuit open');
    expect(requests).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(requests).toBe(3); // rows are due, but nothing is sent while the circuit is open
    await waitFor(async () => states.filter((s) => s === 'open').length === 2, 5000, 'failed probe');
    expect(requests).toBe(4);
    nock.cleanAll();
    nock(BASE).post('/').times(6).reply(200, okAnswer);
    await waitFor(async () => (await store.outboxDepth()) === 0, 10_000, 'outbox drained');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    expect(w.breakerState()).toBe('closed');
  });

  it('restarted under the same worker id, sends at once what its crashed predecessor had claimed', async () => {
    const { record } = await acceptSubmission(store);
    const stranded = await acceptSubmission(store);
    await store.claimOutbox('gateway-1', 10, 600_000); // claimed, then the process died
    nock(BASE).post('/').times(2).reply(200, okAnswer);
    const other = worker({ workerId: 'gateway-2' });
    expect(await other.runOnce()).toBe(0);
    worker({ workerId: 'gateway-1' }).start();
    await waitFor(async () => (await store.outboxDepth()) === 0, 5000, 'released rows delivered');
    expect((await store.getSubmission(record.id))?.status).toBe('delivered');
    expect((await store.getSubmission(stranded.record.id))?.status).toBe('delivered');
  });

  it('uses a stable default worker id on SQLite, so a restarted gateway frees its own claims', async () => {
    const { record } = await acceptSubmission(store);
    const crashed = worker({ workerId: undefined });
    expect(crashed.workerId).toBe(`sqlite:${os.hostname()}`);
    await store.claimOutbox(crashed.workerId, 10, 600_000);
    nock(BASE).post('/').reply(200, okAnswer);
    worker({ workerId: undefined }).start();
    await waitFor(async () => (await store.getSubmission(record.id))?.status === 'delivered', 5000);
  });

  it('finishes the send in flight when stopped, then claims nothing more', async () => {
    const { record } = await acceptSubmission(store);
    const second = await acceptSubmission(store);
    let arrived = false;
    nock(BASE).post('/').delay(400).reply(() => ((arrived = true), [200, okAnswer]));
    const w = worker({ concurrency: 1 });
    w.start();
    await waitFor(async () => (await store.listAttempts(record.id)).length > 0 || arrived || nock.pendingMocks().length === 0, 5000);
    await w.stop();
    const statuses = [(await store.getSubmission(record.id))?.status, (await store.getSubmission(second.record.id))?.status];
    expect(statuses.filter((s) => s === 'delivered')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(1);
    expect(await store.outboxDepth()).toBe(1);
  });

  it('claims and records in batches: far fewer store transactions than submissions, each delivered and recorded once', async () => {
    const subs = await Promise.all(Array.from({ length: 24 }, () => acceptSubmission(store)));
    nock(BASE).post('/').times(24).reply(200, okAnswer);
    const calls = { claims: 0, records: 0, recorded: 0 };
    const counted: GatewayStore = Object.create(store, {
      claimOutbox: { value: async (...a: Parameters<GatewayStore['claimOutbox']>) => (calls.claims++, store.claimOutbox(...a)) },
      completeDeliveries: {
        value: async (c: Parameters<GatewayStore['completeDeliveries']>[0]) => ((calls.records++, (calls.recorded += c.length)), store.completeDeliveries(c)),
      },
    });
    const attempts: string[] = [];
    const w = createDeliveryWorker({
      store: counted,
      target: createNgcDatabaseTarget(BASE, { timeoutMs: 2000 }),
      options: { workerId: 'w-batch', concurrency: 8, pollIntervalMs: 20 },
      metrics: { onAttempt: (outcome, _ms, status) => attempts.push(`${outcome}:${status}`) },
    });
    workers.push(w);
    w.start();
    await waitFor(async () => (await store.outboxDepth()) === 0, 10_000, 'outbox drained');
    await w.stop();
    for (const { record } of subs) {
      expect((await store.getSubmission(record.id))?.status).toBe('delivered');
      expect(outcomes(await store.listAttempts(record.id))).toEqual(['delivered:200']);
    }
    expect(calls.recorded).toBe(24);
    expect(attempts).toHaveLength(24);
    // Claims take half the slots (4) or more at a time; records gather what finished meanwhile.
    expect(calls.records).toBeLessThanOrEqual(12);
    expect(calls.claims).toBeLessThanOrEqual(12);
  });

  it('records the rest of a batch when the store refuses one record of it', async () => {
    const subs = await Promise.all(Array.from({ length: 6 }, () => acceptSubmission(store)));
    const refused = subs[2].record.id;
    nock(BASE).post('/').times(6).reply(200, okAnswer);
    const counted: GatewayStore = Object.create(store, {
      completeDeliveries: {
        value: async (c: Parameters<GatewayStore['completeDeliveries']>[0]) =>
          c.some((x) => x.attempt.submissionId === refused) ? Promise.reject(new Error('disk I/O error')) : store.completeDeliveries(c),
      },
    });
    const w = createDeliveryWorker({ store: counted, target: createNgcDatabaseTarget(BASE, { timeoutMs: 2000 }), options: { workerId: 'w-one', concurrency: 6 } });
    workers.push(w);
    expect(await w.runOnce()).toBe(6);
    for (const { record } of subs) expect((await store.getSubmission(record.id))?.status).toBe(record.id === refused ? 'accepted' : 'delivered');
    // The unrecorded one stays in the outbox under its lease, to be sent again once it runs out.
    expect(await store.outboxDepth()).toBe(1);
  });
});
