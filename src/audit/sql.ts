/**
 * A tiny SQL executor over either engine, so the audit queries are written once. The audit module
 * opens its own connection (a second SQLite connection on the same WAL file, or its own PostgreSQL
 * pool in the store's schema) and keeps its tables in its own migration list, so the submission
 * store's schema and code stay untouched.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { SQLITE_FILE_NAME } from '../store';

export interface SqlExecutor {
  readonly kind: 'sqlite' | 'postgres';
  /** `?` placeholders in both engines. */
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs `fn` in one transaction. */
  tx<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface AuditDbConfig {
  databaseUrl?: string;
  dataDir: string;
  pgSchema?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function toPg(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function openSqlExecutor(config: AuditDbConfig): SqlExecutor {
  if (config.databaseUrl) {
    const schema = config.pgSchema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name '${schema}'`);
    const pool = new Pool({ connectionString: config.databaseUrl, max: 4, options: `-c search_path=${schema} -c synchronous_commit=on` });
    pool.on('error', () => undefined);
    const make = (q: (sql: string, params: unknown[]) => Promise<{ rows: unknown[]; rowCount: number | null }>, inTx: boolean): SqlExecutor => ({
      kind: 'postgres',
      async all<T>(sql: string, params: unknown[] = []) {
        return (await q(toPg(sql), params)).rows as T[];
      },
      async run(sql, params = []) {
        return (await q(toPg(sql), params)).rowCount ?? 0;
      },
      async exec(sql) {
        await q(sql, []);
      },
      async tx<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
        if (inTx) return fn(this);
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const out = await fn(make((s, p) => client.query(s, p), true));
          await client.query('COMMIT');
          return out;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      },
      async close() {
        if (!inTx) await pool.end();
      },
    });
    return make((s, p) => pool.query(s, p), false);
  }
  const db = new Database(path.join(config.dataDir, SQLITE_FILE_NAME), { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // One connection: transactions take turns, so another request's transaction never runs inside
  // (and commits or rolls back with) this one while it awaits.
  let queue: Promise<unknown> = Promise.resolve();
  // Preparing a statement costs more than running a small one, and the delivery worker asks for
  // each delivered submission's facts; the query texts are few (filters combine into a bounded set).
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let stmt = statements.get(sql);
    if (!stmt) {
      if (statements.size >= 256) statements.clear();
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const ex: SqlExecutor = {
    kind: 'sqlite',
    async all<T>(sql: string, params: unknown[] = []) {
      return prepared(sql).all(...params) as T[];
    },
    async run(sql, params = []) {
      return prepared(sql).run(...params).changes;
    },
    async exec(sql) {
      db.exec(sql);
    },
    async tx<T>(fn: (e: SqlExecutor) => Promise<T>): Promise<T> {
      const run = async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const out = await fn(inTx);
          db.exec('COMMIT');
          return out;
        } catch (err) {
          db.exec('ROLLBACK');
          throw err;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      db.close();
    },
  };
  // Nested transactions (inside `fn`) are part of the outer one.
  const inTx: SqlExecutor = { ...ex, tx: (fn) => fn(inTx), close: async () => undefined };
  return ex;
}

/** ISO string of a timestamp as either engine returns it. */
export function isoOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  return v instanceof Date ? v.toISOString() : String(v);
}

/** JSON column as either engine returns it. */
export function jsonOf<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}
