/**
 * Numbered schema migrations, one list per engine. A migration is never edited once released: a
 * change of schema is a new number. Each engine applies the missing ones at start-up inside one
 * transaction and records them in `schema_migrations`.
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The same SQL on both engines. */
const OUTBOX_PAYLOAD_FORM: Migration = {
  version: 2,
  name: 'outbox payload form: a Bundle to make idempotent, or the transaction ready to send',
  sql: `
    -- 'transaction': the intake stored the Bundle already made idempotent for delivery (see
    -- delivery/idempotency.ts), so the delivery worker sends the bytes as they are.
    ALTER TABLE outbox ADD COLUMN payload_form TEXT NOT NULL DEFAULT 'bundle' CHECK (payload_form IN ('bundle', 'transaction'));
  `,
};

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'submissions, outbox, delivery attempts, expiring keys',
    sql: `
      CREATE TABLE submissions (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        region TEXT,
        sor_code TEXT,
        bundle_system TEXT,
        bundle_value TEXT,
        report_identifier TEXT,
        content_hash TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'delivered', 'failed', 'rejected')),
        received_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        rule_counts TEXT NOT NULL,
        payload BLOB,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_attempt_at TEXT,
        next_attempt_at TEXT,
        delivered_at TEXT,
        response TEXT,
        last_error TEXT
      );
      -- SUB-11: one live submission per (client, Bundle.identifier); a rejected one does not count,
      -- so a corrected resubmission after a rejection is allowed.
      CREATE UNIQUE INDEX submissions_active_bundle_uq
        ON submissions (client_id, bundle_system, bundle_value) WHERE status <> 'rejected';
      CREATE INDEX submissions_received_at ON submissions (received_at);
      CREATE INDEX submissions_report_identifier ON submissions (report_identifier);

      -- Times compared in queries are integer milliseconds since the epoch.
      CREATE TABLE outbox (
        submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
        available_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX outbox_available_at ON outbox (available_at);

      CREATE TABLE delivery_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        submission_id TEXT NOT NULL REFERENCES submissions (id),
        at TEXT NOT NULL,
        worker_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        http_status INTEGER,
        error TEXT,
        duration_ms INTEGER NOT NULL
      );
      CREATE INDEX delivery_attempts_submission ON delivery_attempts (submission_id, id);

      CREATE TABLE expiring (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (namespace, key)
      );
      CREATE INDEX expiring_expires_at ON expiring (expires_at);
    `,
  },
  OUTBOX_PAYLOAD_FORM,
];

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'submissions, outbox, delivery attempts, expiring keys',
    sql: `
      CREATE TABLE submissions (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        region TEXT,
        sor_code TEXT,
        bundle_system TEXT,
        bundle_value TEXT,
        report_identifier TEXT,
        content_hash TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'delivered', 'failed', 'rejected')),
        received_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        outcome JSONB NOT NULL,
        rule_counts JSONB NOT NULL,
        payload BYTEA,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_attempt_at TIMESTAMPTZ,
        next_attempt_at TIMESTAMPTZ,
        delivered_at TIMESTAMPTZ,
        response JSONB,
        last_error TEXT
      );
      CREATE UNIQUE INDEX submissions_active_bundle_uq
        ON submissions (client_id, bundle_system, bundle_value) WHERE status <> 'rejected';
      CREATE INDEX submissions_received_at ON submissions (received_at);
      CREATE INDEX submissions_report_identifier ON submissions (report_identifier);

      CREATE TABLE outbox (
        submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
        available_at TIMESTAMPTZ NOT NULL,
        lease_owner TEXT,
        lease_until TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX outbox_available_at ON outbox (available_at);

      CREATE TABLE delivery_attempts (
        id BIGSERIAL PRIMARY KEY,
        submission_id TEXT NOT NULL REFERENCES submissions (id),
        at TIMESTAMPTZ NOT NULL,
        worker_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        http_status INTEGER,
        error TEXT,
        duration_ms INTEGER NOT NULL
      );
      CREATE INDEX delivery_attempts_submission ON delivery_attempts (submission_id, id);

      CREATE TABLE expiring (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT,
        expires_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (namespace, key)
      );
      CREATE INDEX expiring_expires_at ON expiring (expires_at);
    `,
  },
  OUTBOX_PAYLOAD_FORM,
];

/** Name of the partial unique index whose violation means a concurrent duplicate (SUB-11). */
export const ACTIVE_BUNDLE_INDEX = 'submissions_active_bundle_uq';
