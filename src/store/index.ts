/**
 * The gateway's durable store: `openStore` picks the engine from the configuration and returns it
 * migrated and ready. Everything else depends only on the contract in ./types.
 */
import path from 'node:path';
import { PostgresStore } from './postgres';
import { SqliteStore } from './sqlite';
import type { GatewayStore } from './types';

export * from './types';
export { SqliteStore, type SqliteStoreOptions } from './sqlite';
export { PostgresStore, type PostgresStoreOptions } from './postgres';

export interface StoreConfig {
  /** PostgreSQL URL (DATABASE_URL); absent: the embedded SQLite engine. */
  databaseUrl?: string;
  /** DATA_DIR: where the SQLite file lives. */
  dataDir: string;
  /** PostgreSQL schema for the gateway's tables (default `public`). */
  pgSchema?: string;
}

/** File name of the embedded database inside DATA_DIR. */
export const SQLITE_FILE_NAME = 'gateway.sqlite';

/** Opens the configured engine and applies the schema migrations before returning it. */
export async function openStore(config: StoreConfig): Promise<GatewayStore> {
  const store: GatewayStore = config.databaseUrl
    ? new PostgresStore({ connectionString: config.databaseUrl, schema: config.pgSchema })
    : new SqliteStore({ file: path.join(config.dataDir, SQLITE_FILE_NAME) });
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
