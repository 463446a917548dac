/**
 * WAL checkpoints on a thread of their own. A checkpoint copies the pages the WAL holds back into
 * the database file and syncs that file. SQLite's automatic checkpoint does this inside the COMMIT
 * that crosses a thousand WAL pages, i.e. on the event loop, which then also waits for the fsync
 * of the database file. Here a worker thread with its own connection does it when the store asks
 * (every few commits); the store's connection has automatic checkpoints off.
 *
 * The store commits nothing while a checkpoint runs (as it commits nothing while the WAL is being
 * synced, see sqlite.ts): the checkpoint then reaches the end of the WAL, and SQLite starts the WAL
 * over at the next commit instead of letting the file grow.
 */
import { Worker } from 'node:worker_threads';

/** The worker: plain JavaScript, so it runs the same from dist/ and under ts-node-like loaders. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
// The checkpoint syncs the WAL before it copies pages and the database file after.
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ ok: true, busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String((err && err.message) || err) });
  }
});
`;

export interface CheckpointResult {
  ok: boolean;
  /** Frames in the WAL and frames copied to the database file (SQLite's wal_checkpoint result). */
  log?: number;
  checkpointed?: number;
  error?: string;
}

export interface WalCheckpointerOptions {
  file: string;
  busyTimeoutMs: number;
  /** A checkpoint is asked for after this many commits (default 32). */
  everyCommits?: number;
  /** Called once a checkpoint has ended (the store commits what it held back). */
  onIdle: () => void;
  /** The worker could not run checkpoints: the store checkpoints on its own connection again. */
  onFailure: (err: Error) => void;
}

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly everyCommits: number;
  private commitsSince = 0;
  private failed = false;
  private closing = false;
  /** A checkpoint is running in the worker (the store holds its commits back meanwhile). */
  running = false;
  /** The last checkpoint's result (tests, diagnostics). */
  last: CheckpointResult | undefined;
  private exited: Promise<void>;

  constructor(private readonly options: WalCheckpointerOptions) {
    this.everyCommits = Math.max(1, options.everyCommits ?? 32);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Plain JavaScript: none of the parent's loaders (a TypeScript hook would cost the thread megabytes).
      execArgv: [],
      workerData: { driver: require.resolve('better-sqlite3'), file: options.file, busyTimeoutMs: options.busyTimeoutMs },
    });
    // A store nobody closes must not keep the process alive.
    this.worker.unref();
    this.worker.on('message', (m: CheckpointResult) => {
      this.running = false;
      this.last = m;
      options.onIdle();
    });
    this.worker.on('error', (err) => this.fail(err));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        if (!this.closing) this.fail(new Error(`the WAL checkpoint worker exited (code ${code})`));
        resolve();
      }),
    );
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    const wasRunning = this.running;
    this.running = false;
    this.options.onFailure(err);
    if (wasRunning) this.options.onIdle();
  }

  /** Counts a commit of the store; asks for a checkpoint every `everyCommits`. */
  committed(): void {
    if (this.failed || this.closing) return;
    if (++this.commitsSince < this.everyCommits || this.running) return;
    this.checkpoint();
  }

  /** Asks for a checkpoint now (unless one is running). */
  checkpoint(): void {
    if (this.failed || this.closing || this.running) return;
    this.commitsSince = 0;
    this.running = true;
    this.worker.postMessage('checkpoint');
  }

  /** Waits for a running checkpoint, then ends the worker (the store's own close checkpoints the rest). */
  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    // Held by its own reference while it closes: with the server closed, an unreferenced thread and
    // timer would let the process end before the store (and the shutdown after it) had finished.
    this.worker.ref();
    if (!this.failed) this.worker.postMessage('close');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    if (!this.failed) await this.worker.terminate().catch(() => undefined);
  }
}
