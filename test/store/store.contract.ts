/**
 * The store contract, as one suite that runs unchanged against every engine (store.test.ts). Each
 * test gets an empty database; "two instances" means two store objects with their own connections
 * on the same database, as two gateway processes would have.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DuplicateSubmissionError, type PostgresStore, type SqliteStore, type GatewayStore } from '../../src/store';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from '../../src/store/migrations';
import { createHarness, type AnyStore, type EngineName, type TestDatabase } from './engines';
import { makeRecord, payloadFor } from './records';

async function insertMany(store: GatewayStore, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = makeRecord();
    await store.insertAccepted(r, payloadFor(r));
    ids.push(r.id);
  }
  return ids;
}

/** Runs `insert-and-wait.ts` in a child process and SIGKILLs it as soon as it reports a commit. */
function insertThenSigkill(config: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', path.join(__dirname, 'insert-and-wait.ts'), JSON.stringify(config)],
      { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /committed (\S+)\n/.exec(out);
      if (m) {
        child.kill('SIGKILL');
        child.on('exit', () => resolve(m[1]));
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited (${code}) before committing: ${err}`));
    });
  });
}

export function storeContract(engine: EngineName): void {
  const harness = createHarness(engine);
  let db: TestDatabase;
  let store: AnyStore;

  beforeEach(async () => {
    db = await harness.fresh();
    store = await db.open();
  });
  afterEach(() => harness.cleanup());

  describe('migrations', () => {
    it('records each applied migration once, and re-running them is a no-op', async () => {
      const all = (engine === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS).map((m) => m.version);
      expect(await store.appliedMigrations()).toEqual(all);
      await store.migrate();
      await store.migrate();
      expect(await store.appliedMigrations()).toEqual(all);
      const r = makeRecord();
      await store.insertAccepted(r, payloadFor(r));
      await store.migrate();
      expect((await store.getSubmission(r.id))?.id).toBe(r.id);
    });

    it('lets several instances start together on an empty database without racing', async () => {
      const fresh = await harness.fresh();
      const opened = await Promise.all([fresh.open(), fresh.open(), fresh.open()]);
      const all = (engine === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS).map((m) => m.version);
      for (const s of opened) expect(await s.appliedMigrations()).toEqual(all);
      const r = makeRecord();
      await opened[0].insertAccepted(r, payloadFor(r));
      expect((await opened[2].getSubmission(r.id))?.status).toBe('accepted');
    });

    it('applies a failing migration not at all (its transaction rolls back)', async () => {
      const base = engine === 'sqlite' ? SQLITE_MIGRATIONS : POSTGRES_MIGRATIONS;
      const released = base.map((m) => m.version);
      const next = Math.max(...released) + 1;
      const broken = db.openWithMigrations([
        ...base,
        { version: next, name: 'half done', sql: 'CREATE TABLE half_done (a INTEGER); SELECT * FROM no_such_table;' },
      ]);
      const outcome = await broken.migrate().then(
        async () => `resolved; applied ${JSON.stringify(await broken.appliedMigrations())}`,
        (e: Error) => e.message,
      );
      expect(outcome).toMatch(/no_such_table/);
      expect(await store.appliedMigrations()).toEqual(released);
      const fixed = db.openWithMigrations([...base, { version: next, name: 'half done', sql: 'CREATE TABLE half_done (a INTEGER);' }]);
      await fixed.migrate();
      expect(await fixed.appliedMigrations()).toEqual([...released, next]);
    });
  });

  describe('accepted submissions', () => {
    it('stores the record and its outbox row together, and returns them as given', async () => {
      const r = makeRecord({ ruleCounts: { 'VAR-03': 2 } });
      const payload = payloadFor(r);
      await store.insertAccepted(r, payload);
      const got = await store.getSubmission(r.id);
      expect(got).toEqual({ ...r, delivery: { attempts: 0 } });
      expect(await store.getPayload(r.id)).toEqual(payload);
      expect(await store.outboxDepth()).toBe(1);
      expect(await store.findActiveByBundleIdentifier(r.clientId, r.bundleIdentifier!.system, r.bundleIdentifier!.value)).toEqual(got);
      expect(await store.findActiveByBundleIdentifier('another-client', r.bundleIdentifier!.system, r.bundleIdentifier!.value)).toBeUndefined();
      expect(await store.getSubmission('no-such-id')).toBeUndefined();
    });

    it('refuses a second live submission with the same Bundle.identifier, leaving no outbox row behind', async () => {
      const first = makeRecord();
      await store.insertAccepted(first, payloadFor(first));
      const second = makeRecord({ bundleIdentifier: first.bundleIdentifier });
      await expect(store.insertAccepted(second, payloadFor(second))).rejects.toBeInstanceOf(DuplicateSubmissionError);
      expect(await store.getSubmission(second.id)).toBeUndefined();
      expect(await store.outboxDepth()).toBe(1);
      // Another client may use the same identifier: the key is per client.
      const other = makeRecord({ bundleIdentifier: first.bundleIdentifier, clientId: 'region-syd-lims' });
      await store.insertAccepted(other, payloadFor(other));
      expect(await store.outboxDepth()).toBe(2);
    });

    it('lets exactly one of many concurrent duplicates (over two instances) win', async () => {
      const other = await db.open();
      const bundleIdentifier = { system: 'https://lims.example/sub', value: 'same' };
      const attempts = Array.from({ length: 12 }, (_, i) => {
        const r = makeRecord({ bundleIdentifier });
        return (i % 2 ? store : other).insertAccepted(r, payloadFor(r));
      });
      const results = await Promise.allSettled(attempts);
      expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      for (const x of results.filter((x) => x.status === 'rejected')) {
        expect((x as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateSubmissionError);
      }
      expect(await store.outboxDepth()).toBe(1);
    });

    it('commits concurrent inserts independently: a duplicate among them fails alone', async () => {
      const records = Array.from({ length: 20 }, () => makeRecord());
      const dup = makeRecord({ bundleIdentifier: records[7].bundleIdentifier });
      const rejected = makeRecord({ status: 'rejected' });
      const results = await Promise.allSettled([
        ...records.map((r) => store.insertAccepted(r, payloadFor(r))),
        store.insertAccepted(dup, payloadFor(dup)),
        store.insertRejected(rejected, Buffer.from('sealed')),
      ]);
      // The two with the same Bundle.identifier race (on PostgreSQL over separate connections, so
      // either may commit first): the one that loses fails alone, everything else is committed.
      const loser = results[7].status === 'rejected' ? 7 : 20;
      expect(results.map((r) => r.status)).toEqual(results.map((_, i) => (i === loser ? 'rejected' : 'fulfilled')));
      expect((results[loser] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateSubmissionError);
      const winners = [...records.slice(0, 7), loser === 7 ? dup : records[7], ...records.slice(8)];
      expect(await store.outboxDepth()).toBe(20);
      expect(await store.getSubmission((loser === 7 ? records[7] : dup).id)).toBeUndefined();
      expect((await store.getSubmission(rejected.id))?.status).toBe('rejected');
      const reopened = await db.open();
      for (const r of winners) expect((await reopened.getSubmission(r.id))?.status).toBe('accepted');
    });

    it('commits linked rows (the audit record) in the submission\'s transaction, or nothing at all', async () => {
      // A row of another module, written through the store: here a delivery attempt naming a submission.
      const note = (submissionId: string, workerId: string) => ({
        sql: 'INSERT INTO delivery_attempts (submission_id, at, worker_id, outcome, duration_ms) VALUES (?, ?, ?, ?, ?)',
        params: [submissionId, new Date().toISOString(), workerId, 'retry', 0],
      });
      // The engine's error message (a native error, which jest's toThrow does not always recognise).
      const failure = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => e.message);
      const r = makeRecord();
      await store.insertAccepted(r, payloadFor(r), [note(r.id, 'linked-1'), note(r.id, 'linked-2')]);
      expect((await store.listAttempts(r.id)).map((a) => a.workerId)).toEqual(['linked-1', 'linked-2']);

      // A linked row that cannot be written (it names no submission) takes its submission with it,
      // and only it: a submission committed alongside stays.
      const broken = makeRecord();
      const alongside = makeRecord();
      const results = await Promise.allSettled([
        store.insertAccepted(broken, payloadFor(broken), [note(broken.id, 'ok'), note('no-such-submission', 'bad')]),
        store.insertAccepted(alongside, payloadFor(alongside), [note(alongside.id, 'alongside')]),
      ]);
      expect(results.map((x) => x.status)).toEqual(['rejected', 'fulfilled']);
      expect(((results[0] as PromiseRejectedResult).reason as Error).message).toMatch(/foreign key/i);
      expect(await store.getSubmission(broken.id)).toBeUndefined();
      expect(await store.listAttempts(broken.id)).toEqual([]);
      expect(await store.outboxDepth()).toBe(2);

      const rejected = makeRecord({ status: 'rejected' });
      expect(await failure(store.insertRejected(rejected, Buffer.from('sealed'), [note('no-such-submission', 'bad')]))).toMatch(/foreign key/i);
      expect(await store.getSubmission(rejected.id)).toBeUndefined();
      await store.insertRejected(rejected, Buffer.from('sealed'), [note(rejected.id, 'rejected-note')]);
      expect((await store.listAttempts(rejected.id)).map((a) => a.workerId)).toEqual(['rejected-note']);

      await store.markDelivered(r.id, { status: 201 }, new Date(), [note(r.id, 'forwarded')]);
      expect((await store.listAttempts(r.id)).map((a) => a.workerId)).toEqual(['linked-1', 'linked-2', 'forwarded']);
      expect(await failure(store.markFailed(alongside.id, 'HTTP 400', new Date(), [note('no-such-submission', 'bad')]))).toMatch(/foreign key/i);
      expect((await store.getSubmission(alongside.id))?.status).toBe('accepted');
      await store.commitLinked([note(alongside.id, 'on-its-own')]);
      expect((await store.listAttempts(alongside.id)).map((a) => a.workerId)).toEqual(['alongside', 'on-its-own']);
    });

    it('survives a SIGKILL of the process right after insertAccepted resolved', async () => {
      const id = await insertThenSigkill(db.config);
      const reopened = await db.open();
      expect((await reopened.getSubmission(id))?.status).toBe('accepted');
      expect(await reopened.outboxDepth()).toBe(1);
      const [item] = await reopened.claimOutbox('after-crash', 10, 60_000);
      expect(item.submissionId).toBe(id);
      expect(JSON.parse(item.payload.toString('utf8')).resourceType).toBe('Bundle');
    }, 60_000);

    if (engine === 'sqlite') {
      it('runs SQLite in WAL mode with a busy timeout, syncing the WAL itself (synchronous=NORMAL)', () => {
        expect((store as SqliteStore).pragmas()).toEqual({ journalMode: 'wal', synchronous: 1, busyTimeout: 5000 });
      });

      it('resolves a write only once the WAL holding its commit is synced to disk, and reads of it wait too', async () => {
        const real = fs.fdatasync;
        const held: (() => void)[] = [];
        // The real fdatasync, run only when the test lets it.
        const spy = jest.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, cb: fs.NoParamCallback) => void held.push(() => real(fd, cb))) as typeof fs.fdatasync);
        const settled = (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))]);
        try {
          const r = makeRecord();
          const insert = store.insertAccepted(r, payloadFor(r));
          while (held.length === 0) await new Promise((res) => setTimeout(res, 5));
          // Committed (the sync was asked for), not yet on disk: neither the writer nor a reader hears of it.
          const read = store.findActiveByBundleIdentifier(r.clientId, r.bundleIdentifier!.system, r.bundleIdentifier!.value);
          expect(await settled(insert)).toBe(false);
          expect(await settled(read)).toBe(false);
          // Writes committed meanwhile share the next sync.
          const others = Array.from({ length: 5 }, () => makeRecord());
          const more = Promise.all(others.map((o) => store.insertAccepted(o, payloadFor(o))));
          await new Promise((res) => setTimeout(res, 20));
          expect(held).toHaveLength(1);
          held.shift()!();
          await insert;
          expect((await read)?.id).toBe(r.id);
          while (held.length === 0) await new Promise((res) => setTimeout(res, 5));
          expect(await settled(more)).toBe(false);
          held.shift()!();
          await more;
          expect(await store.outboxDepth()).toBe(6);
        } finally {
          spy.mockRestore();
          for (const release of held) release();
        }
      });
    } else {
      it('forces synchronous_commit=on and works in its own schema', async () => {
        expect(await (store as PostgresStore).settings()).toEqual({
          synchronousCommit: 'on',
          searchPath: db.config.pgSchema,
        });
      });
    }
  });

  describe('rejected submissions', () => {
    it('keeps the (encrypted) bytes as given, without delivery state, and does not block a resubmission', async () => {
      const rejected = makeRecord({ status: 'rejected', ruleCounts: { 'PAT-01': 1 } });
      const encrypted = Buffer.from([0, 1, 2, 250, 251, 252]);
      await store.insertRejected(rejected, encrypted);
      await store.insertRejected(makeRecord({ status: 'rejected', bundleIdentifier: rejected.bundleIdentifier }), undefined);
      const got = await store.getSubmission(rejected.id);
      expect(got).toEqual(rejected);
      expect(got?.delivery).toBeUndefined();
      expect(await store.getPayload(rejected.id)).toEqual(encrypted);
      expect(await store.outboxDepth()).toBe(0);
      const b = rejected.bundleIdentifier!;
      expect(await store.findActiveByBundleIdentifier(rejected.clientId, b.system, b.value)).toBeUndefined();

      const corrected = makeRecord({ bundleIdentifier: b });
      await store.insertAccepted(corrected, payloadFor(corrected));
      expect((await store.findActiveByBundleIdentifier(rejected.clientId, b.system, b.value))?.id).toBe(corrected.id);
    });

    it('stores a rejected submission that has no Bundle.identifier', async () => {
      const r = makeRecord({ status: 'rejected', bundleIdentifier: undefined });
      await store.insertRejected(r, undefined);
      expect(await store.getSubmission(r.id)).toEqual(r);
      expect(await store.getPayload(r.id)).toBeUndefined();
    });
  });

  describe('outbox', () => {
    it('claims due rows under a lease that hides them from others until it runs out', async () => {
      const ids = await insertMany(store, 3);
      const t0 = new Date(Date.now() + 1000);
      const first = await store.claimOutbox('w1', 2, 30_000, t0);
      expect(first).toHaveLength(2);
      for (const item of first) {
        expect(item.attempts).toBe(0);
        expect(Date.parse(item.leaseUntil)).toBe(t0.getTime() + 30_000);
      }
      const second = await store.claimOutbox('w2', 10, 30_000, new Date(t0.getTime() + 1000));
      expect(second.map((i) => i.submissionId)).toEqual(ids.filter((id) => !first.some((f) => f.submissionId === id)));
      expect(await store.claimOutbox('w3', 10, 30_000, new Date(t0.getTime() + 29_000))).toEqual([]);
      // The lease of a worker that died runs out: its rows come back.
      const after = await store.claimOutbox('w3', 10, 30_000, new Date(t0.getTime() + 30_500));
      expect(after.map((i) => i.submissionId).sort()).toEqual(first.map((i) => i.submissionId).sort());
      expect(await store.outboxDepth()).toBe(3);
    });

    it('hands each claimed row out with the form its payload was stored in (a Bundle unless said otherwise)', async () => {
      const asBundle = makeRecord();
      const asTransaction = makeRecord();
      await store.insertAccepted(asBundle, payloadFor(asBundle));
      await store.insertAccepted(asTransaction, Buffer.from('{"resourceType":"Bundle","type":"transaction"}'), undefined, 'transaction');
      const claimed = await store.claimOutbox('w1', 10, 30_000);
      expect(Object.fromEntries(claimed.map((i) => [i.submissionId, i.payloadForm]))).toEqual({ [asBundle.id]: 'bundle', [asTransaction.id]: 'transaction' });
      expect(claimed.find((i) => i.submissionId === asTransaction.id)?.payload.toString()).toBe('{"resourceType":"Bundle","type":"transaction"}');
    });

    it('frees the leases of one worker on request (a restart under a stable worker id)', async () => {
      await insertMany(store, 3);
      const [a] = await store.claimOutbox('instance-1', 1, 600_000);
      await store.claimOutbox('instance-2', 5, 600_000);
      expect(await store.claimOutbox('instance-3', 5, 600_000)).toEqual([]);
      expect(await store.releaseLeases('instance-1')).toBe(1);
      expect((await store.claimOutbox('instance-3', 5, 600_000)).map((i) => i.submissionId)).toEqual([a.submissionId]);
      expect(await store.releaseLeases('nobody')).toBe(0);
    });

    it('never hands the same row to two concurrent claimers on two instances', async () => {
      const other = await db.open();
      const ids = await insertMany(store, 40);
      const claimed: Record<string, string[]> = { a: [], b: [] };
      const drain = async (name: 'a' | 'b', s: GatewayStore) => {
        for (;;) {
          const items = await s.claimOutbox(`worker-${name}`, 3, 60_000);
          if (items.length === 0) return;
          claimed[name].push(...items.map((i) => i.submissionId));
        }
      };
      await Promise.all([drain('a', store), drain('b', other), drain('a', store), drain('b', other)]);
      const all = [...claimed.a, ...claimed.b];
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual([...ids].sort());
    });

    it('keeps a rescheduled row back until its next attempt is due, and records attempts', async () => {
      const [id] = await insertMany(store, 1);
      const [item] = await store.claimOutbox('w1', 1, 60_000);
      const at = new Date().toISOString();
      await store.recordAttempt({ submissionId: id, at, workerId: 'w1', outcome: 'retry', httpStatus: 503, error: 'HTTP 503', durationMs: 12.4 });
      const next = new Date(Date.now() + 10 * 60_000);
      await store.scheduleRetry(id, next, 'HTTP 503 from the National Genome Database');
      expect(item.attempts).toBe(0);
      expect(await store.claimOutbox('w2', 10, 60_000)).toEqual([]);
      const again = await store.claimOutbox('w2', 10, 60_000, new Date(next.getTime() + 1));
      expect(again.map((i) => [i.submissionId, i.attempts])).toEqual([[id, 1]]);

      const sub = await store.getSubmission(id);
      expect(sub?.status).toBe('accepted');
      expect(sub?.delivery).toEqual({
        attempts: 1,
        lastAttemptAt: at,
        nextAttemptAt: next.toISOString(),
        lastError: 'HTTP 503 from the National Genome Database',
      });
      expect(await store.listAttempts(id)).toEqual([
        { submissionId: id, at, workerId: 'w1', outcome: 'retry', httpStatus: 503, error: 'HTTP 503', durationMs: 12 },
      ]);
    });

    it('marks a delivery done: the record stays with the answer, the payload and outbox row go', async () => {
      const [id, other] = await insertMany(store, 2);
      await store.claimOutbox('w1', 10, 60_000);
      await store.recordAttempt({ submissionId: id, at: new Date().toISOString(), workerId: 'w1', outcome: 'delivered', httpStatus: 200, durationMs: 5 });
      const deliveredAt = new Date('2026-11-25T12:00:00.000Z');
      const response = { status: 200, location: 'DiagnosticReport/42/_history/1', body: { resourceType: 'Bundle', type: 'transaction-response' } };
      await store.markDelivered(id, response, deliveredAt);
      const sub = await store.getSubmission(id);
      expect(sub?.status).toBe('delivered');
      expect(sub?.delivery).toMatchObject({ attempts: 1, deliveredAt: deliveredAt.toISOString(), response });
      expect(sub?.updatedAt).toBe(deliveredAt.toISOString());
      expect(await store.getPayload(id)).toBeUndefined();
      expect(await store.outboxDepth()).toBe(1);
      const later = await store.claimOutbox('w2', 10, 60_000, new Date(Date.now() + 3600_000));
      expect(later.map((i) => i.submissionId)).toEqual([other]);
    });

    it('hands out batches: two instances claiming 32 rows at a time share 150 rows, each row once', async () => {
      const other = await db.open();
      const ids = await insertMany(store, 150);
      const batches: string[][] = [];
      const drain = async (s: GatewayStore, name: string) => {
        for (;;) {
          const items = await s.claimOutbox(name, 32, 60_000);
          if (items.length === 0) return;
          batches.push(items.map((i) => i.submissionId));
        }
      };
      await Promise.all([drain(store, 'a'), drain(other, 'b'), drain(store, 'a2'), drain(other, 'b2')]);
      const all = batches.flat();
      expect(all).toHaveLength(150);
      expect(new Set(all).size).toBe(150);
      expect(all.sort()).toEqual([...ids].sort());
      expect(batches.every((b) => b.length <= 32)).toBe(true);
    });

    it('records a batch of finished attempts at once, each with its effect on its submission', async () => {
      const [done, refused, later, untouched] = await insertMany(store, 4);
      await store.claimOutbox('w1', 10, 60_000);
      const at = new Date('2026-11-25T12:00:00.000Z');
      const next = new Date(Date.now() + 10 * 60_000);
      const response = { status: 200, location: 'DiagnosticReport/7/_history/1' };
      const attempt = (submissionId: string, outcome: 'delivered' | 'failed' | 'retry', httpStatus: number, error?: string) => ({
        submissionId, at: at.toISOString(), workerId: 'w1', outcome, httpStatus, durationMs: 3.6, ...(error ? { error } : {}),
      });
      await store.completeDeliveries([
        { attempt: attempt(done, 'delivered', 201), response, at },
        { attempt: attempt(refused, 'failed', 422, 'HTTP 422 from the National Genome Database: unknown code'), at },
        { attempt: attempt(later, 'retry', 503, 'HTTP 503 from the National Genome Database'), nextAttemptAt: next, at },
      ]);

      const [d, f, l, u] = await Promise.all([done, refused, later, untouched].map((id) => store.getSubmission(id)));
      expect(d?.status).toBe('delivered');
      expect(d?.delivery).toEqual({ attempts: 1, lastAttemptAt: at.toISOString(), deliveredAt: at.toISOString(), response });
      expect(await store.getPayload(done)).toBeUndefined();
      expect(f?.status).toBe('failed');
      expect(f?.delivery).toEqual({ attempts: 1, lastAttemptAt: at.toISOString(), lastError: 'HTTP 422 from the National Genome Database: unknown code' });
      expect(l?.status).toBe('accepted');
      expect(l?.delivery).toEqual({
        attempts: 1, lastAttemptAt: at.toISOString(), nextAttemptAt: next.toISOString(), lastError: 'HTTP 503 from the National Genome Database',
      });
      expect(await store.getPayload(later)).toBeDefined();
      expect(u?.delivery).toEqual({ attempts: 0 });
      expect(await store.listAttempts(done)).toEqual([{ ...attempt(done, 'delivered', 201), durationMs: 4 }]);
      expect(await store.listAttempts(refused)).toEqual([{ ...attempt(refused, 'failed', 422, 'HTTP 422 from the National Genome Database: unknown code'), durationMs: 4 }]);

      // Delivered and failed rows have left the outbox; the retry waits (lease released) until it is due.
      expect(await store.outboxDepth()).toBe(2);
      expect(await store.claimOutbox('w2', 10, 60_000)).toEqual([]);
      const due = await store.claimOutbox('w2', 10, 60_000, new Date(next.getTime() + 1));
      expect(due.map((i) => [i.submissionId, i.attempts]).sort()).toEqual([[later, 1], [untouched, 0]].sort());
    });

    it('records all of a batch or none of it', async () => {
      const [id] = await insertMany(store, 1);
      await store.claimOutbox('w1', 10, 60_000);
      const at = new Date().toISOString();
      const [other] = await insertMany(store, 1);
      // The second completion cannot be stored (its time is not a time), after the first was applied.
      await expect(
        store.completeDeliveries([
          { attempt: { submissionId: id, at, workerId: 'w1', outcome: 'delivered', httpStatus: 200, durationMs: 1 }, response: { status: 200 } },
          { attempt: { submissionId: other, at, workerId: 'w1', outcome: 'delivered', httpStatus: 200, durationMs: 1 }, response: { status: 200 }, at: new Date(Number.NaN) },
        ]),
      ).rejects.toThrow();
      expect((await store.getSubmission(other))?.status).toBe('accepted');
      expect((await store.getSubmission(id))?.status).toBe('accepted');
      expect(await store.listAttempts(id)).toEqual([]);
      expect(await store.outboxDepth()).toBe(2);
      expect(await store.getPayload(id)).toBeDefined();
    });

    it('marks a submission failed for good with a reason operators can read', async () => {
      const [id] = await insertMany(store, 1);
      await store.markFailed(id, 'HTTP 422 from the National Genome Database: unknown profile');
      const sub = await store.getSubmission(id);
      expect(sub?.status).toBe('failed');
      expect(sub?.delivery?.lastError).toBe('HTTP 422 from the National Genome Database: unknown profile');
      expect(await store.outboxDepth()).toBe(0);
      expect(await store.claimOutbox('w', 10, 1000, new Date(Date.now() + 3600_000))).toEqual([]);
    });
  });

  describe('expiring keys', () => {
    it('remembers a key once until it expires', async () => {
      const soon = new Date(Date.now() + 300);
      expect(await store.rememberOnce('jti', 'abc', soon)).toBe(true);
      expect(await store.rememberOnce('jti', 'abc', soon)).toBe(false);
      expect(await store.rememberOnce('saml', 'abc', soon)).toBe(true);
      await new Promise((r) => setTimeout(r, 400));
      expect(await store.rememberOnce('jti', 'abc', new Date(Date.now() + 60_000))).toBe(true);
      expect(await store.rememberOnce('jti', 'abc', new Date(Date.now() + 60_000))).toBe(false);
    });

    it('lets exactly one of many concurrent callers on two instances remember a key', async () => {
      const other = await db.open();
      const until = new Date(Date.now() + 60_000);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).rememberOnce('jti', 'replayed-token', until)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('purges expired rows lazily, on later writes', async () => {
      const eager = await db.openEagerPurge();
      const past = new Date(Date.now() - 1000);
      const future = new Date(Date.now() + 60_000);
      await store.putExpiring('s', 'old-1', 'x', past);
      await store.rememberOnce('jti', 'old-2', past);
      await store.putExpiring('s', 'live', 'y', future);
      expect(await db.countRows('expiring')).toBe(3);
      await eager.putExpiring('s', 'new', 'z', future);
      expect(await db.countRows('expiring')).toBe(2);
      expect(await eager.getExpiring('s', 'live')).toBe('y');
    });

    it('stores, overwrites, expires and deletes values', async () => {
      const later = new Date(Date.now() + 60_000);
      expect(await store.getExpiring('saml-request', 'id1')).toBeUndefined();
      await store.putExpiring('saml-request', 'id1', 'v1', later);
      await store.putExpiring('saml-request', 'id1', 'v2', later);
      expect(await store.getExpiring('saml-request', 'id1')).toBe('v2');
      expect(await store.getExpiring('other', 'id1')).toBeUndefined();
      await store.deleteExpiring('saml-request', 'id1');
      expect(await store.getExpiring('saml-request', 'id1')).toBeUndefined();
      await store.putExpiring('saml-request', 'id2', 'v', new Date(Date.now() - 1));
      expect(await store.getExpiring('saml-request', 'id2')).toBeUndefined();
    });
  });
}
