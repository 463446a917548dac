/**
 * The embedded engine: one SQLite file in DATA_DIR (better-sqlite3). WAL lets readers run while a
 * writer commits. Durability: every write goes through the group commit below, and its promise
 * settles only after the WAL holding its COMMIT has been fdatasync'ed, so a write that has resolved
 * survives a crash of the process or of the machine ("202 only after the report is durable").
 * SQLite itself runs with synchronous=NORMAL (a COMMIT does not wait for the disk; checkpoints still
 * sync): the store does the WAL's sync itself, on the libuv thread pool, because with
 * synchronous=FULL the fsync inside COMMIT would hold the event loop for milliseconds per commit.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS, type Migration } from './migrations';
import { WalCheckpointer } from './wal-checkpointer';
import {
  EXPIRING_PURGE_INTERVAL_MS,
  SUBMISSION_COLUMNS,
  submissionValues,
  toAttempt,
  toRecord,
  type AttemptRow,
  type SubmissionRow,
} from './rows';
import {
  DuplicateSubmissionError,
  type DeliveryAttempt,
  type DeliveryCompletion,
  type DeliveryState,
  type GatewayStore,
  type LinkedWrite,
  type OutboxItem,
  type PayloadForm,
  type SubmissionRecord,
} from './types';

export interface SqliteStoreOptions {
  /** Path of the database file (created with its directory when missing). */
  file: string;
  /** How long a writer waits for another connection's write lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Replaces the built-in migrations (tests of the migration runner). */
  migrations?: readonly Migration[];
  /** Expired key/value rows are deleted at most this often (default one minute). */
  expiringPurgeIntervalMs?: number;
  /**
   * WAL checkpoints on a worker thread, asked for every this many commits (default 32); 0 leaves
   * them to SQLite's automatic checkpoint inside COMMIT, on the event loop.
   */
  checkpointEveryCommits?: number;
}

interface RawSubmissionRow extends Omit<SubmissionRow, 'outcome' | 'rule_counts' | 'response'> {
  outcome: string;
  rule_counts: string;
  response: string | null;
}

/** A write of a group commit threw (as opposed to BEGIN or COMMIT). */
class WriteFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('a write of the group commit failed');
  }
}

interface PendingWrite {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * The real setImmediate, captured at load: a test that fakes timers later must not leave committed
 * writes waiting for a flush that never comes.
 */
const deferFlush: (fn: () => void) => void = setImmediate;

/** Most writes committed in one group commit (bounds the time the event loop is held). */
const MAX_GROUP_COMMIT = 256;

const INSERT_SUBMISSION = `INSERT INTO submissions (${SUBMISSION_COLUMNS.join(', ')})
  VALUES (${SUBMISSION_COLUMNS.map(() => '?').join(', ')})`;

function parseRow(raw: RawSubmissionRow): SubmissionRow {
  return {
    ...raw,
    outcome: JSON.parse(raw.outcome),
    rule_counts: JSON.parse(raw.rule_counts),
    response: raw.response === null ? null : JSON.parse(raw.response),
  };
}

function isActiveBundleViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  // SQLite names the columns, not the index, in the message of a unique violation.
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' && /submissions\.client_id, submissions\.bundle_system/.test(e.message ?? '');
}

export class SqliteStore implements GatewayStore {
  readonly kind = 'sqlite' as const;
  readonly file: string;
  private readonly db: Database.Database;
  private readonly migrations: readonly Migration[];
  private lastPurge = 0;
  private readonly pendingWrites: PendingWrite[] = [];
  private flushScheduled = false;
  /** Runs `fn` in a savepoint of the current transaction (better-sqlite3 nests transactions that way). */
  private readonly savepoint: (fn: () => unknown) => unknown;
  /** One group commit's writes in one IMMEDIATE transaction (see flushWrites). */
  private readonly runBatch: Database.Transaction<(batch: PendingWrite[], results: unknown[], errors?: unknown[]) => void>;
  private readonly purgeIntervalMs: number;
  /** Prepared statements by SQL text: preparing costs more than running a small insert. */
  private readonly statements = new Map<string, Database.Statement>();
  /** Descriptor of the WAL file, opened at the first sync (the file exists once anything was written). */
  private walFd: number | undefined;
  /** Waiting for the sync now running (everything committed before it started is covered by it). */
  private syncRunning: ((err?: unknown) => void)[] | undefined;
  /** Committed after the running sync started: they wait for the next one. */
  private syncNext: ((err?: unknown) => void)[] = [];
  /** A COMMIT returned after the running sync started (or, with none running, since the last one). */
  private committedSinceSyncStart = false;
  /** Writes were held back while a sync or checkpoint ran: committed as soon as it ends (see flushWrites). */
  private flushHeld = false;
  /** Runs the WAL checkpoints off the event loop (absent: SQLite's automatic checkpoints on this connection). */
  private readonly checkpointer: WalCheckpointer | undefined;

  constructor(options: SqliteStoreOptions) {
    this.file = options.file;
    this.purgeIntervalMs = options.expiringPurgeIntervalMs ?? EXPIRING_PURGE_INTERVAL_MS;
    this.migrations = options.migrations ?? SQLITE_MIGRATIONS;
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    this.db = new Database(options.file, { timeout: options.busyTimeoutMs ?? 5000 });
    this.db.pragma('journal_mode = WAL');
    // The store syncs the WAL itself before any write resolves (see above).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    const every = options.checkpointEveryCommits ?? 32;
    if (every > 0) {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new WalCheckpointer({
        file: options.file,
        busyTimeoutMs: options.busyTimeoutMs ?? 5000,
        everyCommits: every,
        onIdle: () => this.flushHeldWrites(),
        // Without the worker, SQLite checkpoints inside COMMIT again (slower, but the WAL stays bounded).
        onFailure: () => {
          if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
        },
      });
    }
    this.savepoint = this.db.transaction((fn: () => unknown) => fn());
    // Without `errors`, a failing write fails the whole transaction; with it, each write runs in a
    // savepoint of its own and its failure is only noted.
    this.runBatch = this.db.transaction((batch: PendingWrite[], results: unknown[], errors?: unknown[]) => {
      for (let i = 0; i < batch.length; i++) {
        if (errors) {
          try {
            results[i] = this.savepoint(batch[i].write);
          } catch (err) {
            errors[i] = isActiveBundleViolation(err) ? new DuplicateSubmissionError() : err;
          }
        } else {
          try {
            results[i] = batch[i].write();
          } catch (err) {
            throw new WriteFailed(err);
          }
        }
      }
    });
  }

  private runLinked(linked: readonly LinkedWrite[] | undefined): void {
    if (linked) for (const w of linked) this.statement(w.sql).run(...w.params);
  }

  /** Connection settings, for the tests that prove the durability configuration. */
  pragmas(): { journalMode: string; synchronous: number; busyTimeout: number } {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      busyTimeout: Number(this.db.pragma('busy_timeout', { simple: true })),
    };
  }

  async migrate(): Promise<void> {
    // IMMEDIATE takes the write lock before reading the applied versions, so two processes
    // starting on the same file apply each migration once.
    this.db.transaction(() => {
      this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      const applied = new Set(
        (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
      );
      for (const m of [...this.migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        this.db.exec(m.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
      }
    }).immediate();
    // Outside the group commit: synced here, before the store is used.
    this.committedSinceSyncStart = true;
    await this.durable();
  }

  async appliedMigrations(): Promise<number[]> {
    return (this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
      (r) => r.version,
    );
  }

  async ping(): Promise<void> {
    this.statement('SELECT 1').get();
  }

  async close(): Promise<void> {
    // The checkpoint worker goes first: held-back writes are then committed by this connection, and
    // its close checkpoints what is left.
    await this.checkpointer?.close();
    while (this.pendingWrites.length > 0) {
      await this.durable();
      this.flushWrites();
    }
    await this.durable();
    if (this.walFd !== undefined) fs.closeSync(this.walFd);
    this.walFd = undefined;
    if (this.db.open) this.db.close();
  }

  /**
   * Calls `settle` once everything committed so far is on disk, or with the error of the sync that
   * failed. A sync already running covers only what was committed before it started, so a caller
   * joins it only when nothing was committed since; otherwise it waits for the next one, and all
   * commits made meanwhile share that next fdatasync.
   */
  private afterSync(settle: (err?: unknown) => void): void {
    if (this.syncRunning && !this.committedSinceSyncStart) this.syncRunning.push(settle);
    else this.syncNext.push(settle);
    if (!this.syncRunning) this.startSync();
  }

  private startSync(): void {
    const waiting = this.syncNext;
    this.syncNext = [];
    this.syncRunning = waiting;
    this.committedSinceSyncStart = false;
    const done = (err?: unknown) => {
      this.syncRunning = undefined;
      for (const settle of waiting) settle(err);
      this.flushHeldWrites();
      if (!this.syncRunning && this.syncNext.length) this.startSync();
    };
    try {
      this.walFd ??= fs.openSync(`${this.file}-wal`, 'r');
    } catch (err) {
      done(err);
      return;
    }
    fs.fdatasync(this.walFd, (err) => done(err ?? undefined));
  }

  /** Resolves once everything committed so far is on disk. */
  private durable(): Promise<void> {
    if (!this.syncRunning && this.syncNext.length === 0 && !this.committedSinceSyncStart) return Promise.resolve();
    return new Promise((resolve, reject) => this.afterSync((err) => (err ? reject(err) : resolve())));
  }

  // Reads that answer clients wait until what they could see is durable: they must not reveal a
  // submission that a power cut could still take back.
  async findActiveByBundleIdentifier(clientId: string, system: string, value: string): Promise<SubmissionRecord | undefined> {
    await this.durable();
    const raw = this.statement(
        `SELECT * FROM submissions
         WHERE client_id = ? AND bundle_system = ? AND bundle_value = ? AND status <> 'rejected'`,
      )
      .get(clientId, system, value) as RawSubmissionRow | undefined;
    return raw ? toRecord(parseRow(raw)) : undefined;
  }

  /**
   * Group commit. Each sync of the WAL costs several ms on a shared disk, so one transaction and
   * one sync per submission would cap the gateway near 1/fsync-time submissions per second.
   * Instead, the writes requested during one turn of the event loop are committed together: one
   * transaction in which a failing write fails alone (see flushWrites), and the batches that
   * commit while a sync runs share the next one. Every caller's promise settles only after the WAL
   * holding its COMMIT was synced, so "resolved" still means "on disk".
   */
  private groupCommit<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pendingWrites.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        deferFlush(() => this.flushWrites());
      }
    });
  }

  /** Commits the writes held back during a sync or checkpoint, once neither runs. */
  private flushHeldWrites(): void {
    if (!this.flushHeld || this.syncRunning || this.checkpointer?.running) return;
    this.flushHeld = false;
    // Commits and starts the next sync itself.
    this.flushWrites();
  }

  private flushWrites(): void {
    this.flushScheduled = false;
    // A write committed while a sync runs waits for the next sync anyway: held back until the
    // running one ends, the writes of that whole window share one transaction instead of one per
    // turn of the event loop. Fewer commits cost the event loop less (each rewrites the B-tree
    // pages it touches into the WAL), and no write waits longer for its fsync than before.
    // A checkpoint that runs while nothing commits reaches the end of the WAL, so that the next
    // commit starts the WAL file over (see wal-checkpointer.ts): writes wait for it the same way.
    if ((this.syncRunning || this.checkpointer?.running) && this.pendingWrites.length < MAX_GROUP_COMMIT) {
      if (this.pendingWrites.length > 0) this.flushHeld = true;
      return;
    }
    const batch = this.pendingWrites.splice(0, MAX_GROUP_COMMIT);
    if (this.pendingWrites.length > 0) {
      this.flushScheduled = true;
      deferFlush(() => this.flushWrites());
    }
    if (batch.length === 0) return;
    const results: unknown[] = new Array(batch.length);
    let errors: unknown[] | undefined;
    try {
      // Optimistic first: the whole batch in one transaction without a savepoint per write, since
      // savepoints copy every page they touch into a sub-journal. Writes almost never fail; when
      // one does, the transaction is rolled back and the batch runs again with a savepoint per
      // write, so that the failed write fails alone (a duplicate does not take others with it).
      try {
        this.runBatch.immediate(batch, results);
      } catch (err) {
        if (!(err instanceof WriteFailed)) throw err;
        errors = new Array(batch.length);
        this.runBatch.immediate(batch, results, errors);
      }
    } catch (err) {
      // BEGIN or COMMIT itself failed (busy, disk full, I/O error): nothing of the batch is stored.
      for (const item of batch) item.reject(err);
      return;
    }
    this.committedSinceSyncStart = true;
    this.checkpointer?.committed();
    // The event loop goes on while the WAL is synced; the batch's callers hear back only after.
    this.afterSync((syncErr) => {
      batch.forEach((item, i) => {
        if (syncErr) item.reject(syncErr);
        else if (errors?.[i] === undefined) item.resolve(results[i]);
        else item.reject(errors[i]);
      });
    });
  }

  async insertAccepted(record: SubmissionRecord, payload: Buffer, linked?: readonly LinkedWrite[], form: PayloadForm = 'bundle'): Promise<void> {
    if (!record.bundleIdentifier) throw new Error('an accepted submission needs its Bundle.identifier');
    await this.groupCommit(() => {
      const now = Date.now();
      this.statement(INSERT_SUBMISSION).run(...submissionValues(record, 'accepted', payload));
      this.statement('INSERT INTO outbox (submission_id, available_at, created_at, payload_form) VALUES (?, ?, ?, ?)').run(record.id, now, now, form);
      this.runLinked(linked);
    });
  }

  async insertRejected(record: SubmissionRecord, encryptedPayload: Buffer | undefined, linked?: readonly LinkedWrite[]): Promise<void> {
    await this.groupCommit(() => {
      this.statement(INSERT_SUBMISSION).run(...submissionValues(record, 'rejected', encryptedPayload ?? null));
      this.runLinked(linked);
    });
  }

  async commitLinked(linked: readonly LinkedWrite[]): Promise<void> {
    if (linked.length) await this.groupCommit(() => this.runLinked(linked));
  }

  async getSubmission(id: string): Promise<SubmissionRecord | undefined> {
    await this.durable();
    const raw = this.statement('SELECT * FROM submissions WHERE id = ?').get(id) as RawSubmissionRow | undefined;
    return raw ? toRecord(parseRow(raw)) : undefined;
  }

  /** The stored payload bytes (accepted until delivered; rejected as given, i.e. encrypted). */
  async getPayload(id: string): Promise<Buffer | undefined> {
    const row = this.statement('SELECT payload FROM submissions WHERE id = ?').get(id) as { payload: Buffer | null } | undefined;
    return row?.payload ?? undefined;
  }

  /** Prepared once per connection: the delivery side runs these for every submission. */
  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      // Linked writes bring their own SQL; a caller building it from data must not grow this forever.
      if (this.statements.size >= 512) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  async claimOutbox(workerId: string, limit: number, leaseMs: number, now: Date = new Date()): Promise<OutboxItem[]> {
    const t = now.getTime();
    const leaseUntil = t + leaseMs;
    // Part of a group commit, which runs as one IMMEDIATE transaction: SQLite has one writer at a
    // time, so no other connection can claim the same rows between the select and the update, and
    // a claim shares its fsync with the submissions committed in the same turn of the event loop.
    return this.groupCommit(() => {
      const rows = this.statement(
        `SELECT o.submission_id, o.payload_form, s.payload, s.attempts FROM outbox o JOIN submissions s ON s.id = o.submission_id
         WHERE o.available_at <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?)
         ORDER BY o.available_at, o.submission_id LIMIT ?`,
      ).all(t, t, limit) as { submission_id: string; payload_form: PayloadForm; payload: Buffer | null; attempts: number }[];
      const lease = this.statement('UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE submission_id = ?');
      const until = new Date(leaseUntil).toISOString();
      return rows.map((r) => {
        lease.run(workerId, leaseUntil, r.submission_id);
        return { submissionId: r.submission_id, payload: r.payload ?? Buffer.alloc(0), payloadForm: r.payload_form, attempts: Number(r.attempts), leaseUntil: until };
      });
    });
  }

  async completeDeliveries(completions: readonly DeliveryCompletion[], linked?: readonly LinkedWrite[]): Promise<void> {
    if (completions.length === 0) return;
    // A group-commit write stands or falls as a whole (see flushWrites): the batch is all-or-nothing.
    await this.groupCommit(() => {
      for (const c of completions) this.applyCompletion(c);
      this.runLinked(linked);
    });
  }

  private applyCompletion({ attempt, response, nextAttemptAt, at = new Date() }: DeliveryCompletion): void {
    const iso = at.toISOString();
    const id = attempt.submissionId;
    this.statement(
      `INSERT INTO delivery_attempts (submission_id, at, worker_id, outcome, http_status, error, duration_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, attempt.at, attempt.workerId, attempt.outcome, attempt.httpStatus ?? null, attempt.error ?? null, Math.round(attempt.durationMs));
    const countAttempt = () =>
      this.statement(
        `UPDATE submissions SET attempts = attempts + 1, last_attempt_at = ?,
           last_error = COALESCE(?, last_error), updated_at = ? WHERE id = ?`,
      ).run(attempt.at, attempt.outcome === 'delivered' ? null : attempt.error ?? null, iso, id);
    if (attempt.outcome === 'delivered') {
      // The payload is dropped once the database holds the report; the record stays for status and
      // audit. Dropped first: SQLite rewrites the whole row on an update, and the attempt count
      // updated after it rewrites a small row instead of one carrying the sealed Bundle (the two
      // updates set different columns, so their order changes nothing else).
      this.statement(
        `UPDATE submissions SET status = 'delivered', delivered_at = ?, response = ?, payload = NULL,
           next_attempt_at = NULL, updated_at = ? WHERE id = ? AND status IN ('accepted', 'failed', 'delivered')`,
      ).run(iso, response === undefined ? null : JSON.stringify(response), iso, id);
      countAttempt();
      this.statement('DELETE FROM outbox WHERE submission_id = ?').run(id);
      return;
    }
    countAttempt();
    if (attempt.outcome === 'failed') {
      this.statement(
        `UPDATE submissions SET status = 'failed', last_error = ?, next_attempt_at = NULL, updated_at = ?
         WHERE id = ? AND status = 'accepted'`,
      ).run(attempt.error ?? 'delivery failed', iso, id);
      this.statement('DELETE FROM outbox WHERE submission_id = ?').run(id);
    } else {
      const next = nextAttemptAt ?? at;
      this.statement('UPDATE outbox SET available_at = ?, lease_owner = NULL, lease_until = NULL WHERE submission_id = ?').run(next.getTime(), id);
      this.statement('UPDATE submissions SET next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?').run(
        next.toISOString(), attempt.error ?? null, iso, id,
      );
    }
  }

  async releaseLeases(workerId: string): Promise<number> {
    return this.groupCommit(
      () => this.statement('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?').run(workerId).changes,
    );
  }

  async recordAttempt(attempt: DeliveryAttempt): Promise<void> {
    await this.groupCommit(() => {
      this.statement(
          `INSERT INTO delivery_attempts (submission_id, at, worker_id, outcome, http_status, error, duration_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          attempt.submissionId, attempt.at, attempt.workerId, attempt.outcome,
          attempt.httpStatus ?? null, attempt.error ?? null, Math.round(attempt.durationMs),
        );
      this.statement(
          `UPDATE submissions SET attempts = attempts + 1, last_attempt_at = ?,
             last_error = COALESCE(?, last_error), updated_at = ? WHERE id = ?`,
        )
        .run(attempt.at, attempt.outcome === 'delivered' ? null : attempt.error ?? null, new Date().toISOString(), attempt.submissionId);
    });
  }

  async markDelivered(submissionId: string, response: DeliveryState['response'], at: Date = new Date(), linked?: readonly LinkedWrite[]): Promise<void> {
    const iso = at.toISOString();
    await this.groupCommit(() => {
      // The payload is dropped once the database holds the report; the record stays for status and audit.
      this.statement(
          `UPDATE submissions SET status = 'delivered', delivered_at = ?, response = ?, payload = NULL,
             next_attempt_at = NULL, updated_at = ? WHERE id = ? AND status IN ('accepted', 'failed', 'delivered')`,
        )
        .run(iso, response === undefined ? null : JSON.stringify(response), iso, submissionId);
      this.statement('DELETE FROM outbox WHERE submission_id = ?').run(submissionId);
      this.runLinked(linked);
    });
  }

  async markFailed(submissionId: string, reason: string, at: Date = new Date(), linked?: readonly LinkedWrite[]): Promise<void> {
    const iso = at.toISOString();
    await this.groupCommit(() => {
      this.statement(
          `UPDATE submissions SET status = 'failed', last_error = ?, next_attempt_at = NULL, updated_at = ?
           WHERE id = ? AND status = 'accepted'`,
        )
        .run(reason, iso, submissionId);
      this.statement('DELETE FROM outbox WHERE submission_id = ?').run(submissionId);
      this.runLinked(linked);
    });
  }

  async scheduleRetry(submissionId: string, nextAttemptAt: Date, lastError: string): Promise<void> {
    await this.groupCommit(() => {
      this.statement('UPDATE outbox SET available_at = ?, lease_owner = NULL, lease_until = NULL WHERE submission_id = ?')
        .run(nextAttemptAt.getTime(), submissionId);
      this.statement('UPDATE submissions SET next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?')
        .run(nextAttemptAt.toISOString(), lastError, new Date().toISOString(), submissionId);
    });
  }

  async outboxDepth(): Promise<number> {
    return Number((this.statement('SELECT count(*) AS n FROM outbox').get() as { n: number }).n);
  }

  async listAttempts(submissionId: string): Promise<DeliveryAttempt[]> {
    const rows = this.statement('SELECT * FROM delivery_attempts WHERE submission_id = ? ORDER BY id')
      .all(submissionId) as AttemptRow[];
    return rows.map(toAttempt);
  }

  private purgeExpired(now: number): void {
    if (now - this.lastPurge < this.purgeIntervalMs) return;
    this.lastPurge = now;
    this.statement('DELETE FROM expiring WHERE expires_at <= ?').run(now);
  }

  async rememberOnce(namespace: string, key: string, expiresAt: Date): Promise<boolean> {
    const now = Date.now();
    this.purgeExpired(now);
    // Insert, or take over an expired entry; a live entry makes the upsert a no-op (no row returned).
    const row = await this.groupCommit(() =>
      this.statement(
        `INSERT INTO expiring (namespace, key, value, expires_at) VALUES (?, ?, NULL, ?)
         ON CONFLICT (namespace, key) DO UPDATE SET value = NULL, expires_at = excluded.expires_at
           WHERE expiring.expires_at <= ?
         RETURNING 1 AS ok`,
      )
      .get(namespace, key, expiresAt.getTime(), now));
    return row !== undefined;
  }

  async putExpiring(namespace: string, key: string, value: string, expiresAt: Date): Promise<void> {
    this.purgeExpired(Date.now());
    await this.groupCommit(() => this.statement(
        `INSERT INTO expiring (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
      )
      .run(namespace, key, value, expiresAt.getTime()));
  }

  async getExpiring(namespace: string, key: string): Promise<string | undefined> {
    const row = this.statement('SELECT value FROM expiring WHERE namespace = ? AND key = ? AND expires_at > ?')
      .get(namespace, key, Date.now()) as { value: string | null } | undefined;
    return row?.value ?? undefined;
  }

  async deleteExpiring(namespace: string, key: string): Promise<void> {
    await this.groupCommit(() => this.statement('DELETE FROM expiring WHERE namespace = ? AND key = ?').run(namespace, key));
  }
}
