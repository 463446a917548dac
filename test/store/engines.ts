/**
 * Test harness for both store engines: each test gets a fresh, empty database (a temporary SQLite
 * file, or its own PostgreSQL schema so parallel jest workers and test files never collide) and
 * can open several store instances on it, as several gateway processes would.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { PostgresStore, SqliteStore, openStore, type GatewayStore, type StoreConfig } from '../../src/store';
import type { Migration } from '../../src/store/migrations';

export type EngineName = 'sqlite' | 'postgres';
export type AnyStore = (SqliteStore | PostgresStore) & GatewayStore;

export interface TestDatabase {
  engine: EngineName;
  /** What `openStore` needs for this database. */
  config: StoreConfig;
  /** Opens (and migrates) another store instance on this database; closed by `cleanup`. */
  open(): Promise<AnyStore>;
  /** A store instance with its own migration list, not migrated yet. */
  openWithMigrations(migrations: readonly Migration[]): AnyStore;
  /** A migrated store instance that purges expired key/value rows on every write. */
  openEagerPurge(): Promise<AnyStore>;
  /** Rows in a table, counted over a connection of its own. */
  countRows(table: string): Promise<number>;
}

export interface EngineHarness {
  engine: EngineName;
  fresh(): Promise<TestDatabase>;
  /** Closes every store opened and removes the databases created. */
  cleanup(): Promise<void>;
}

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is not set: the PostgreSQL store tests need a real PostgreSQL ' +
        '(the jest global set-up starts the local cluster; see scripts/start-postgres.sh)',
    );
  }
  return url;
}

export function createHarness(engine: EngineName): EngineHarness {
  const stores: GatewayStore[] = [];
  const dirs: string[] = [];
  const schemas: string[] = [];
  const track = <T extends GatewayStore>(s: T): T => {
    stores.push(s);
    return s;
  };

  return {
    engine,
    async fresh(): Promise<TestDatabase> {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-store-'));
      dirs.push(dataDir);
      if (engine === 'sqlite') {
        const config: StoreConfig = { dataDir };
        const file = path.join(dataDir, 'gateway.sqlite');
        return {
          engine,
          config,
          open: async () => track((await openStore(config)) as AnyStore),
          openWithMigrations: (migrations) => track(new SqliteStore({ file, migrations })),
          openEagerPurge: async () => {
            const s = track(new SqliteStore({ file, expiringPurgeIntervalMs: 0 }));
            await s.migrate();
            return s;
          },
          countRows: async (table) => {
            const raw = new Database(file, { readonly: true });
            try {
              return Number((raw.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
            } finally {
              raw.close();
            }
          },
        };
      }
      const databaseUrl = testDatabaseUrl();
      const schema = `t_${process.pid}_${crypto.randomBytes(5).toString('hex')}`;
      schemas.push(schema);
      const config: StoreConfig = { databaseUrl, dataDir, pgSchema: schema };
      return {
        engine,
        config,
        open: async () => track((await openStore(config)) as AnyStore),
        openWithMigrations: (migrations) =>
          track(new PostgresStore({ connectionString: databaseUrl, schema, migrations })),
        openEagerPurge: async () => {
          const s = track(new PostgresStore({ connectionString: databaseUrl, schema, expiringPurgeIntervalMs: 0 }));
          await s.migrate();
          return s;
        },
        countRows: async (table) => {
          const c = new Client({ connectionString: databaseUrl });
          await c.connect();
          try {
            return Number((await c.query(`SELECT count(*) AS n FROM "${schema}".${table}`)).rows[0].n);
          } finally {
            await c.end();
          }
        },
      };
    },
    async cleanup(): Promise<void> {
      await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
      for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
      if (schemas.length > 0) {
        const admin = new Client({ connectionString: testDatabaseUrl() });
        await admin.connect();
        try {
          for (const schema of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await admin.end();
        }
      }
    },
  };
}
