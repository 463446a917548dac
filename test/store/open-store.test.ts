import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store';
import { testDatabaseUrl } from './engines';

describe('openStore', () => {
  it('uses SQLite at <dataDir>/gateway.sqlite when no database URL is set, creating the directory', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-open-')), 'nested', 'data');
    const store = await openStore({ dataDir });
    try {
      expect(store.kind).toBe('sqlite');
      expect(fs.existsSync(path.join(dataDir, 'gateway.sqlite'))).toBe(true);
      await store.ping();
    } finally {
      await store.close();
      fs.rmSync(path.dirname(path.dirname(dataDir)), { recursive: true, force: true });
    }
  });

  it('uses PostgreSQL when a database URL is set', async () => {
    const store = await openStore({ databaseUrl: testDatabaseUrl(), dataDir: os.tmpdir(), pgSchema: `t_open_${process.pid}` });
    try {
      expect(store.kind).toBe('postgres');
      await store.ping();
    } finally {
      await store.close();
      const { Client } = await import('pg');
      const admin = new Client({ connectionString: testDatabaseUrl() });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS t_open_${process.pid} CASCADE`);
      await admin.end();
    }
  });

  it('fails with the database error when PostgreSQL cannot be reached', async () => {
    await expect(openStore({ databaseUrl: 'postgres://ngc:ngc@127.0.0.1:1/none', dataDir: os.tmpdir() })).rejects.toThrow(/ECONNREFUSED/);
  });
});
