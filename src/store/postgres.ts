/**
 * The shared engine: PostgreSQL (`pg`), for several gateway instances on one database. Each
 * connection forces `synchronous_commit=on` so a COMMIT that returned is on disk whatever the
 * server default, and works in one schema (search_path) so deployments and test runs can share a
 * database without seeing each other.
 */
import { Pool, type PoolClient } from 'pg';
import { POSTGRES_MIGRATIONS, ACTIVE_BUNDLE_INDEX, type Migration } from './migrations';
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

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema holding the gateway's tables (created when missing). Default `public`. */
  schema?: string;
  /** Connections in the pool. */
  poolSize?: number;
  /** Replaces the built-in migrations (tests of the migration runner). */
  migrations?: readonly Migration[];
  /** Expired key/value rows are deleted at most this often (default one minute). */
  expiringPurgeIntervalMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const INSERT_SUBMISSION = `INSERT INTO submissions (${SUBMISSION_COLUMNS.join(', ')})
  VALUES (${SUBMISSION_COLUMNS.map((c, i) => (c === 'outcome' || c === 'rule_counts' ? `$${i + 1}::jsonb` : `$${i + 1}`)).join(', ')})`;

const INSERT_ACCEPTED = `WITH s AS (${INSERT_SUBMISSION} RETURNING id)
  INSERT INTO outbox (submission_id, available_at, created_at, payload_form) SELECT id, now(), now(), $${SUBMISSION_COLUMNS.length + 1} FROM s`;

type Timestamp = Date | string | null;

function iso(value: Timestamp): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : value;
}

interface RawSubmissionRow extends Omit<SubmissionRow, 'received_at' | 'updated_at' | 'last_attempt_at' | 'next_attempt_at' | 'delivered_at'> {
  received_at: Timestamp;
  updated_at: Timestamp;
  last_attempt_at: Timestamp;
  next_attempt_at: Timestamp;
  delivered_at: Timestamp;
}

function parseRow(raw: RawSubmissionRow): SubmissionRow {
  return {
    ...raw,
    received_at: iso(raw.received_at) as string,
    updated_at: iso(raw.updated_at) as string,
    last_attempt_at: iso(raw.last_attempt_at),
    next_attempt_at: iso(raw.next_attempt_at),
    delivered_at: iso(raw.delivered_at),
  };
}

/** All columns but the payload, which is only read where it is needed. */
const RECORD_COLUMNS = `id, client_id, region, sor_code, bundle_system, bundle_value, report_identifier, content_hash,
  size_bytes, status, received_at, updated_at, outcome, rule_counts, attempts, last_attempt_at, next_attempt_at,
  delivered_at, response, last_error`;

/** `?` placeholders (the linked writes' portable form) to PostgreSQL's `$n`, cached per statement text. */
const pgText = new Map<string, string>();
function toPg(sql: string): string {
  let text = pgText.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (pgText.size >= 512) pgText.clear();
    pgText.set(sql, text);
  }
  return text;
}

async function runLinked(c: PoolClient, linked: readonly LinkedWrite[] | undefined): Promise<void> {
  if (linked) for (const w of linked) await c.query(toPg(w.sql), w.params as unknown[]);
}

export class PostgresStore implements GatewayStore {
  readonly kind = 'postgres' as const;
  readonly schema: string;
  private readonly pool: Pool;
  private readonly migrations: readonly Migration[];
  private lastPurge = 0;
  private readonly purgeIntervalMs: number;

  constructor(options: PostgresStoreOptions) {
    this.schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(this.schema)) throw new Error(`invalid PostgreSQL schema name '${this.schema}'`);
    this.purgeIntervalMs = options.expiringPurgeIntervalMs ?? EXPIRING_PURGE_INTERVAL_MS;
    this.migrations = options.migrations ?? POSTGRES_MIGRATIONS;
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      options: `-c search_path=${this.schema} -c synchronous_commit=on`,
    });
    // An idle client losing its connection (database restart) must not crash the process; the
    // pool replaces it and the next query reports the outage to its caller.
    this.pool.on('error', () => undefined);
  }

  private async tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Session settings of the pool's connections, for the tests that prove the durability configuration. */
  async settings(): Promise<{ synchronousCommit: string; searchPath: string }> {
    const { rows } = await this.pool.query<{ sc: string; sp: string }>(
      `SELECT current_setting('synchronous_commit') AS sc, current_setting('search_path') AS sp`,
    );
    return { synchronousCommit: rows[0].sc, searchPath: rows[0].sp };
  }

  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      // Two instances starting together: the second waits here until the first has committed,
      // then finds every migration applied.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ngc-gateway:migrate:${this.schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await c.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => Number(r.version)));
      for (const m of [...this.migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
    });
  }

  async appliedMigrations(): Promise<number[]> {
    const { rows } = await this.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    return rows.map((r) => Number(r.version));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async findActiveByBundleIdentifier(clientId: string, system: string, value: string): Promise<SubmissionRecord | undefined> {
    const { rows } = await this.pool.query<RawSubmissionRow>(
      `SELECT ${RECORD_COLUMNS} FROM submissions
       WHERE client_id = $1 AND bundle_system = $2 AND bundle_value = $3 AND status <> 'rejected'`,
      [clientId, system, value],
    );
    return rows[0] ? toRecord(parseRow(rows[0])) : undefined;
  }

  async insertAccepted(record: SubmissionRecord, payload: Buffer, linked?: readonly LinkedWrite[], form: PayloadForm = 'bundle'): Promise<void> {
    if (!record.bundleIdentifier) throw new Error('an accepted submission needs its Bundle.identifier');
    try {
      await this.tx(async (c) => {
        // One statement for the submission and its outbox row: a round trip less per submission.
        await c.query(INSERT_ACCEPTED, [...submissionValues(record, 'accepted', payload), form]);
        await runLinked(c, linked);
      });
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (e.code === '23505' && e.constraint === ACTIVE_BUNDLE_INDEX) throw new DuplicateSubmissionError();
      throw err;
    }
  }

  async insertRejected(record: SubmissionRecord, encryptedPayload: Buffer | undefined, linked?: readonly LinkedWrite[]): Promise<void> {
    if (!linked?.length) {
      await this.pool.query(INSERT_SUBMISSION, submissionValues(record, 'rejected', encryptedPayload ?? null));
      return;
    }
    await this.tx(async (c) => {
      await c.query(INSERT_SUBMISSION, submissionValues(record, 'rejected', encryptedPayload ?? null));
      await runLinked(c, linked);
    });
  }

  async commitLinked(linked: readonly LinkedWrite[]): Promise<void> {
    if (!linked.length) return;
    if (linked.length === 1) {
      await this.pool.query(toPg(linked[0].sql), linked[0].params as unknown[]);
      return;
    }
    await this.tx((c) => runLinked(c, linked));
  }

  async getSubmission(id: string): Promise<SubmissionRecord | undefined> {
    const { rows } = await this.pool.query<RawSubmissionRow>(`SELECT ${RECORD_COLUMNS} FROM submissions WHERE id = $1`, [id]);
    return rows[0] ? toRecord(parseRow(rows[0])) : undefined;
  }

  async getPayload(id: string): Promise<Buffer | undefined> {
    const { rows } = await this.pool.query<{ payload: Buffer | null }>('SELECT payload FROM submissions WHERE id = $1', [id]);
    return rows[0]?.payload ?? undefined;
  }

  async claimOutbox(workerId: string, limit: number, leaseMs: number, now?: Date): Promise<OutboxItem[]> {
    // SKIP LOCKED: rows another instance is claiming right now are passed over instead of waited
    // for; the lease makes a crashed worker's rows due again once it runs out. Without an explicit
    // `now` the database clock decides, so instances with skewed clocks agree on leases.
    const { rows } = await this.pool.query<{ submission_id: string; payload_form: PayloadForm; payload: Buffer | null; attempts: number; lease_until: Date }>(
      `WITH t AS (SELECT COALESCE($3::timestamptz, now()) AS now),
       due AS (
         SELECT o.submission_id FROM outbox o, t
         WHERE o.available_at <= t.now AND (o.lease_until IS NULL OR o.lease_until <= t.now)
         ORDER BY o.available_at, o.submission_id
         LIMIT $2
         FOR UPDATE OF o SKIP LOCKED
       )
       UPDATE outbox o SET lease_owner = $1, lease_until = t.now + make_interval(secs => $4::double precision / 1000)
       FROM due, t, submissions s
       WHERE o.submission_id = due.submission_id AND s.id = o.submission_id
       RETURNING o.submission_id, o.payload_form, s.payload, s.attempts, o.lease_until`,
      [workerId, limit, now ?? null, leaseMs],
    );
    return rows
      .map((r) => ({
        submissionId: r.submission_id,
        payload: r.payload ?? Buffer.alloc(0),
        payloadForm: r.payload_form,
        attempts: Number(r.attempts),
        leaseUntil: iso(r.lease_until) as string,
      }))
      .sort((a, b) => a.submissionId.localeCompare(b.submissionId));
  }

  async releaseLeases(workerId: string): Promise<number> {
    const { rowCount } = await this.pool.query('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [workerId]);
    return rowCount ?? 0;
  }

  async recordAttempt(attempt: DeliveryAttempt): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO delivery_attempts (submission_id, at, worker_id, outcome, http_status, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          attempt.submissionId, attempt.at, attempt.workerId, attempt.outcome,
          attempt.httpStatus ?? null, attempt.error ?? null, Math.round(attempt.durationMs),
        ],
      );
      await c.query(
        `UPDATE submissions SET attempts = attempts + 1, last_attempt_at = $1,
           last_error = COALESCE($2, last_error), updated_at = now() WHERE id = $3`,
        [attempt.at, attempt.outcome === 'delivered' ? null : attempt.error ?? null, attempt.submissionId],
      );
    });
  }

  async markDelivered(submissionId: string, response: DeliveryState['response'], at: Date = new Date(), linked?: readonly LinkedWrite[]): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        `UPDATE submissions SET status = 'delivered', delivered_at = $1, response = $2::jsonb, payload = NULL,
           next_attempt_at = NULL, updated_at = $1 WHERE id = $3 AND status IN ('accepted', 'failed', 'delivered')`,
        [at, response === undefined ? null : JSON.stringify(response), submissionId],
      );
      await c.query('DELETE FROM outbox WHERE submission_id = $1', [submissionId]);
      await runLinked(c, linked);
    });
  }

  async markFailed(submissionId: string, reason: string, at: Date = new Date(), linked?: readonly LinkedWrite[]): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        `UPDATE submissions SET status = 'failed', last_error = $1, next_attempt_at = NULL, updated_at = $2
         WHERE id = $3 AND status = 'accepted'`,
        [reason, at, submissionId],
      );
      await c.query('DELETE FROM outbox WHERE submission_id = $1', [submissionId]);
      await runLinked(c, linked);
    });
  }

  async scheduleRetry(submissionId: string, nextAttemptAt: Date, lastError: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query('UPDATE outbox SET available_at = $1, lease_owner = NULL, lease_until = NULL WHERE submission_id = $2', [
        nextAttemptAt,
        submissionId,
      ]);
      await c.query('UPDATE submissions SET next_attempt_at = $1, last_error = $2, updated_at = now() WHERE id = $3', [
        nextAttemptAt,
        lastError,
        submissionId,
      ]);
    });
  }

  async completeDeliveries(completions: readonly DeliveryCompletion[], linked?: readonly LinkedWrite[]): Promise<void> {
    if (completions.length === 0) return;
    const col = <T>(f: (c: DeliveryCompletion) => T): T[] => completions.map(f);
    // One statement, hence one transaction and one round trip for the whole batch. Its parts see
    // the same snapshot and touch disjoint rows (each submission once; its outbox row either
    // deleted or rescheduled), as data-modifying WITH queries must.
    // With linked rows (the audit's forward events) the statement and they share one transaction.
    const run = (q: (sql: string, params: unknown[]) => Promise<unknown>) => q(
      `WITH v AS (
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[],
                              $8::jsonb[], $9::timestamptz[], $10::timestamptz[]) WITH ORDINALITY
           AS v(id, at, worker_id, outcome, http_status, error, duration_ms, response, next_at, done_at, n)
       ),
       attempts AS (
         INSERT INTO delivery_attempts (submission_id, at, worker_id, outcome, http_status, error, duration_ms)
         SELECT id, at, worker_id, outcome, http_status, error, duration_ms FROM v ORDER BY n
       ),
       done AS (
         DELETE FROM outbox o USING v WHERE o.submission_id = v.id AND v.outcome IN ('delivered', 'failed')
       ),
       later AS (
         UPDATE outbox o SET available_at = v.next_at, lease_owner = NULL, lease_until = NULL
         FROM v WHERE o.submission_id = v.id AND v.outcome = 'retry'
       )
       UPDATE submissions s SET
         attempts = s.attempts + 1,
         last_attempt_at = v.at,
         status = CASE
           WHEN v.outcome = 'delivered' AND s.status IN ('accepted', 'failed', 'delivered') THEN 'delivered'
           WHEN v.outcome = 'failed' AND s.status = 'accepted' THEN 'failed'
           ELSE s.status END,
         last_error = CASE WHEN v.outcome = 'delivered' THEN s.last_error ELSE COALESCE(v.error, s.last_error) END,
         delivered_at = CASE WHEN v.outcome = 'delivered' AND s.status <> 'rejected' THEN v.done_at ELSE s.delivered_at END,
         response = CASE WHEN v.outcome = 'delivered' AND s.status <> 'rejected' THEN v.response ELSE s.response END,
         -- The payload is dropped once the database holds the report; the record stays for status and audit.
         payload = CASE WHEN v.outcome = 'delivered' AND s.status <> 'rejected' THEN NULL ELSE s.payload END,
         next_attempt_at = CASE
           WHEN v.outcome = 'retry' THEN v.next_at
           WHEN v.outcome = 'delivered' AND s.status <> 'rejected' THEN NULL
           WHEN v.outcome = 'failed' AND s.status = 'accepted' THEN NULL
           ELSE s.next_attempt_at END,
         updated_at = v.done_at
       FROM v WHERE s.id = v.id`,
      [
        col((c) => c.attempt.submissionId),
        col((c) => c.attempt.at),
        col((c) => c.attempt.workerId),
        col((c) => c.attempt.outcome),
        col((c) => c.attempt.httpStatus ?? null),
        col((c) => (c.attempt.outcome === 'failed' ? (c.attempt.error ?? 'delivery failed') : (c.attempt.error ?? null))),
        col((c) => Math.round(c.attempt.durationMs)),
        col((c) => (c.response === undefined ? null : JSON.stringify(c.response))),
        col((c) => (c.attempt.outcome === 'retry' ? (c.nextAttemptAt ?? c.at ?? new Date()) : null)),
        col((c) => c.at ?? new Date()),
      ],
    );
    if (!linked?.length) {
      await run((sql, params) => this.pool.query(sql, params));
      return;
    }
    await this.tx(async (c) => {
      await run((sql, params) => c.query(sql, params));
      await runLinked(c, linked);
    });
  }

  async outboxDepth(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox');
    return Number(rows[0].n);
  }

  async listAttempts(submissionId: string): Promise<DeliveryAttempt[]> {
    const { rows } = await this.pool.query<AttemptRow & { at: Timestamp }>(
      'SELECT * FROM delivery_attempts WHERE submission_id = $1 ORDER BY id',
      [submissionId],
    );
    return rows.map((r) => toAttempt({ ...r, at: iso(r.at) as string }));
  }

  private async purgeExpired(now: number): Promise<void> {
    if (now - this.lastPurge < this.purgeIntervalMs) return;
    this.lastPurge = now;
    await this.pool.query('DELETE FROM expiring WHERE expires_at <= $1', [new Date(now)]);
  }

  async rememberOnce(namespace: string, key: string, expiresAt: Date): Promise<boolean> {
    const now = Date.now();
    await this.purgeExpired(now);
    // One statement, so concurrent callers on any instance serialise on the primary key: exactly
    // one of them inserts (or takes over an expired entry) and sees a row returned.
    const { rowCount } = await this.pool.query(
      `INSERT INTO expiring (namespace, key, value, expires_at) VALUES ($1, $2, NULL, $3)
       ON CONFLICT (namespace, key) DO UPDATE SET value = NULL, expires_at = EXCLUDED.expires_at
         WHERE expiring.expires_at <= $4
       RETURNING 1`,
      [namespace, key, expiresAt, new Date(now)],
    );
    return rowCount === 1;
  }

  async putExpiring(namespace: string, key: string, value: string, expiresAt: Date): Promise<void> {
    await this.purgeExpired(Date.now());
    await this.pool.query(
      `INSERT INTO expiring (namespace, key, value, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [namespace, key, value, expiresAt],
    );
  }

  async getExpiring(namespace: string, key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string | null }>(
      'SELECT value FROM expiring WHERE namespace = $1 AND key = $2 AND expires_at > $3',
      [namespace, key, new Date()],
    );
    return rows[0]?.value ?? undefined;
  }

  async deleteExpiring(namespace: string, key: string): Promise<void> {
    await this.pool.query('DELETE FROM expiring WHERE namespace = $1 AND key = $2', [namespace, key]);
  }
}
