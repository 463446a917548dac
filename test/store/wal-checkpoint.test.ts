import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite';
import { makeRecord } from './records';

/** A payload the size of a real submission, so that every commit adds a dozen pages to the WAL. */
function bigPayload(seed: string): Buffer {
  return Buffer.from(JSON.stringify({ resourceType: 'Bundle', note: seed.repeat(1 + Math.floor(40_000 / seed.length)) }));
}

describe('SQLite WAL checkpoints on their own thread', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-wal-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const sizeOf = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);

  it('copies committed pages into the database file and starts the WAL over, instead of letting it grow', async () => {
    const file = path.join(dir, 'gateway.sqlite');
    const store = new SqliteStore({ file, checkpointEveryCommits: 4 });
    await store.migrate();
    const ids: string[] = [];
    let walPeak = 0;
    try {
      // One commit each (awaited one by one): 60 commits of ~40 kB, 2.4 MB in all.
      for (let i = 0; i < 60; i++) {
        const r = makeRecord();
        ids.push(r.id);
        await store.insertAccepted(r, bigPayload(r.id));
        walPeak = Math.max(walPeak, sizeOf(`${file}-wal`));
      }
      // The WAL file is reused from its start after each checkpoint: its size is a few commits' worth.
      expect(walPeak).toBeLessThan(1_000_000);
      // What the checkpoints copied is in the database file itself.
      expect(sizeOf(file)).toBeGreaterThan(2_000_000);
    } finally {
      await store.close();
    }
    // Nothing committed was lost on the way: another connection reads every submission.
    const check = new Database(file, { readonly: true });
    try {
      const n = (check.prepare(`SELECT count(*) AS n FROM submissions WHERE id IN (${ids.map(() => '?').join(',')})`).get(...ids) as { n: number }).n;
      expect(n).toBe(ids.length);
    } finally {
      check.close();
    }
  }, 60_000);
});
