/**
 * A stand-in for the National Genome Database on a developer's machine (no NGC_DATABASE_URL): each
 * delivered Bundle is appended as one line to the journal `<DATA_DIR>/dev-sink/deliveries.ndjson`,
 * next to a README that says what the folder is. Refused in production, where "delivered" must
 * mean the national database has it.
 *
 * One append-only file, not a file per submission: creating, syncing and renaming a file costs
 * this kind of machine about 1-2 ms of kernel time per delivery (measured), which at the intake
 * target is a quarter of the gateway's CPU; appending to one file and syncing once per batch costs
 * a few hundredths of that.
 *
 * The journal keeps the promises a FHIR server's conditional create makes:
 * - Once per submission: a submission already in the journal (or being written) is not appended
 *   again, before or after a restart (the journal's ids are read at start-up); the send answers 200
 *   with the existing line, as a database answers a conditional create that matched.
 * - Durable on answer: a send resolves only after its line has been fdatasync'ed. Sends in flight
 *   at once share one write and one sync (a group commit).
 * - Whole lines only: a write cut short (a crash, a full disk) is cut off the file, at start-up or
 *   at once, so every line is a complete delivery.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Bundle } from 'fhir/r4';
import type { DeliveryResult, NgcDatabaseTarget } from './types';

export const DEV_SINK_DIR = 'dev-sink';
export const DEV_SINK_JOURNAL = 'deliveries.ndjson';

const README = `LOCAL DEVELOPMENT SINK - NOT THE NATIONAL GENOME DATABASE

The NGC gateway writes accepted submissions here because NGC_DATABASE_URL is not set.
Nothing in this folder has been reported to the National Genome Database.
${DEV_SINK_JOURNAL}: one line per delivered submission, in the order delivered:
  {"submissionId": "...", "deliveredAt": "...", "bundle": <the transaction Bundle as it would have been sent>}
  e.g.  jq -c 'select(.submissionId == "<id>") | .bundle' ${DEV_SINK_JOURNAL}
The gateway refuses to use this sink when NODE_ENV=production.
`;

const SUBMISSION_ID = /^[A-Za-z0-9-]{1,64}$/;
/** Every line starts so; the id follows, up to the next quote. */
const LINE_PREFIX = '{"submissionId":"';
const NEWLINE = 0x0a;
const LINE_END = Buffer.from('}\n');

/** One line of the journal, as `readDevSinkJournal` returns it. */
export interface DevSinkDelivery {
  submissionId: string;
  deliveredAt: string;
  bundle: Bundle;
}

export interface DevSinkTarget extends NgcDatabaseTarget {
  /** Where the journal is. */
  readonly journal: string;
}

/** The whole journal, parsed (tests and developers; the gateway itself never reads it back). */
export function readDevSinkJournal(dataDir: string): DevSinkDelivery[] {
  const file = path.resolve(dataDir, DEV_SINK_DIR, DEV_SINK_JOURNAL);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as DevSinkDelivery);
}

/**
 * Reads the journal's submission ids (line number of each) without parsing the Bundles, and says
 * where the last whole line ends: anything after it is a write that never completed.
 */
function scanJournal(fd: number): { ids: Map<string, number>; lines: number; wholeBytes: number } {
  const ids = new Map<string, number>();
  const chunk = Buffer.alloc(1 << 20);
  let lines = 0;
  let wholeBytes = 0;
  let position = 0;
  // Bytes of the line being read that came in an earlier chunk (a line can span chunks).
  let head = Buffer.alloc(0);
  for (;;) {
    const n = fs.readSync(fd, chunk, 0, chunk.length, position);
    if (n === 0) break;
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, 0); nl >= 0 && nl < n; nl = chunk.indexOf(NEWLINE, start)) {
      const lineStart = head.length ? Buffer.concat([head, chunk.subarray(0, Math.min(nl, 200))]) : chunk.subarray(start, Math.min(nl, start + 200));
      head = Buffer.alloc(0);
      lines++;
      const text = lineStart.toString('latin1');
      if (text.startsWith(LINE_PREFIX)) {
        const end = text.indexOf('"', LINE_PREFIX.length);
        if (end > LINE_PREFIX.length) ids.set(text.slice(LINE_PREFIX.length, end), lines);
      }
      start = nl + 1;
      wholeBytes = position + start;
    }
    // Only the line's first bytes matter (they hold the id).
    if (start < n && head.length < 200) head = Buffer.concat([head, chunk.subarray(start, Math.min(n, start + 200 - head.length))]);
    position += n;
  }
  return { ids, lines, wholeBytes };
}

interface Pending {
  submissionId: string;
  /** The line's parts: its head, the transaction's bytes, its end. */
  line: Buffer[];
  resolve: (r: DeliveryResult) => void;
  reject: (e: unknown) => void;
}

export function createDevSinkTarget(dataDir: string, nodeEnv: string | undefined = process.env.NODE_ENV): DevSinkTarget {
  if (nodeEnv === 'production') {
    throw new Error(
      'NGC_DATABASE_URL is not set and NODE_ENV=production: refusing to deliver accepted reports to the local development sink',
    );
  }
  const dir = path.resolve(dataDir, DEV_SINK_DIR);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.txt'), README);
  const journal = path.join(dir, DEV_SINK_JOURNAL);
  // O_APPEND: every write lands at the end, whatever was cut off before it.
  const fd = fs.openSync(journal, 'a+');
  const scanned = scanJournal(fd);
  const delivered = scanned.ids;
  let lines = scanned.lines;
  let size = scanned.wholeBytes;
  if (fs.fstatSync(fd).size > size) fs.ftruncateSync(fd, size);

  const location = (line: number) => `file://${journal}#line=${line}`;
  /** Sends queued or being written, by submission id: a second send of one joins the first. */
  const inFlight = new Map<string, Promise<DeliveryResult>>();
  let queue: Pending[] = [];
  let writer: Promise<void> | undefined;
  let closed = false;

  function writeAll(buffers: Buffer[], total: number): Promise<void> {
    return new Promise((resolve, reject) =>
      fs.writev(fd, buffers, (err, written) => {
        if (err) reject(err);
        // A short write to a regular file means the disk is full; the batch fails as a whole.
        else if (written !== total) reject(new Error(`dev sink: wrote ${written} of ${total} bytes to ${journal}`));
        else resolve();
      }),
    );
  }

  const sync = (): Promise<void> => new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));

  async function writeQueued(): Promise<void> {
    // Sends started in the same turn of the event loop (a claimed batch) share one write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const buffers = batch.flatMap((p) => p.line);
      const total = buffers.reduce((sum, b) => sum + b.length, 0);
      try {
        await writeAll(buffers, total);
        await sync();
      } catch (err) {
        // Nothing of a failed batch may stay: a later retry must not find half a line or a second copy.
        try {
          fs.ftruncateSync(fd, size);
        } catch {
          // The next write fails the same way and tries again.
        }
        for (const p of batch) {
          inFlight.delete(p.submissionId);
          p.reject(err);
        }
        continue;
      }
      size += total;
      for (const p of batch) {
        delivered.set(p.submissionId, ++lines);
        inFlight.delete(p.submissionId);
        p.resolve({ status: 201, location: location(lines) });
      }
    }
    writer = undefined;
  }

  return {
    description: `LOCAL DEVELOPMENT SINK in ${dir} (not the National Genome Database)`,
    journal,
    deliver(submissionId: string, transaction: Buffer): Promise<DeliveryResult> {
      if (!SUBMISSION_ID.test(submissionId)) return Promise.reject(new Error(`unexpected submission id '${submissionId}'`));
      if (closed) return Promise.reject(new Error('the development sink is closed'));
      const existing = delivered.get(submissionId);
      if (existing !== undefined) return Promise.resolve({ status: 200, location: location(existing) });
      const running = inFlight.get(submissionId);
      if (running) return running;
      // The Bundle is written as it would be sent, byte for byte.
      const head = Buffer.from(`${LINE_PREFIX}${submissionId}","deliveredAt":"${new Date().toISOString()}","bundle":`, 'utf8');
      const sent = new Promise<DeliveryResult>((resolve, reject) => queue.push({ submissionId, line: [head, transaction, LINE_END], resolve, reject }));
      inFlight.set(submissionId, sent);
      writer ??= writeQueued();
      return sent;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight.values()]);
      await writer;
      fs.closeSync(fd);
    },
  };
}
