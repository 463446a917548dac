/**
 * Validation on worker threads. One NGC submission costs milliseconds of CPU in the engine; done on
 * the event loop it serialises every request behind it and leaves the other core idle. The pool
 * keeps N workers, each with its own compiled definitions, and hands them raw request bytes: the
 * worker runs the intake guard and the verdict (`validateBytes`), so the main thread never waits
 * for the engine.
 *
 * A worker that dies takes only its own job with it: that job fails with `PoolError` (503, retry)
 * and a new worker is started in its place. The queue is bounded: beyond `maxQueue` waiting jobs
 * `validateBytes` fails at once with `PoolOverloaded`, which the HTTP layer answers 503 + Retry-After.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IntakeLimits } from '../http/intake';
import type { JudgedSubmission } from '../http/types';
import type { ValidationIssue } from '../validation/issue';
import type { SubmissionValidator } from './index';

export interface PoolWorkerData {
  limits?: Partial<IntakeLimits>;
}

export type PoolJob = { type: 'validate' | 'judge'; id: number; body: Uint8Array; now: number; submissionId?: string } | { type: 'crash' };

export type PoolReply =
  | { type: 'ready' }
  | { type: 'start-failed'; message: string }
  | { type: 'verdict'; id: number; valid: boolean; status: 200 | 400 | 413 | 422; issues: ValidationIssue[]; normalised?: string }
  | { type: 'judgement'; id: number; judgement: JudgedSubmission }
  | { type: 'failed'; id: number; message: string };

/** A worker's verdict: `SubmissionVerdict` without the live Bundle; `normalised` is its JSON when TERM-01 rewrote it. */
export interface PooledVerdict {
  valid: boolean;
  status: 200 | 400 | 413 | 422;
  issues: ValidationIssue[];
  normalised?: string;
}

export interface SubmissionPoolOptions {
  /** Worker threads (at least 1). */
  size: number;
  /** Jobs that may wait for a free worker; beyond: `PoolOverloaded`. */
  maxQueue?: number;
  /** The intake guard's limits, as the HTTP layer applies them. */
  limits?: Partial<IntakeLimits>;
  /**
   * Jobs handed to one worker at a time (default 1): with 2, the next job already waits in the
   * worker's message queue when it posts a verdict, so it does not idle while the event loop is busy
   * elsewhere before dispatching again.
   */
  jobsPerWorker?: number;
  /** Told when a worker died (and was replaced) while the pool was running, for the log; not for close(). */
  onWorkerExit?: (info: { code: number; replaced: boolean }) => void;
}

export interface SubmissionPool {
  readonly size: number;
  /** Resolves once every worker has compiled its definitions; rejects when one cannot. */
  readonly ready: Promise<void>;
  /** Once every worker has started: while at least one is ready (a replacement compiles meanwhile) and the pool is not closing. */
  isReady(): boolean;
  /** Jobs waiting for a worker plus jobs running. */
  pending(): number;
  validateBytes(body: Buffer, now?: Date): Promise<PooledVerdict>;
  /**
   * The intake guard, the submission's facts and the verdict for `POST /fhir` bytes, in one job;
   * with `submissionId`, an acceptable Bundle comes back as the transaction to store (see judge.ts).
   */
  judgeBytes(body: Buffer, now?: Date, submissionId?: string): Promise<JudgedSubmission>;
  /** Lets running and queued jobs finish, then ends the workers. */
  close(): Promise<void>;
  /** Test hook: makes one idle worker exit as a crash would. */
  crashOneForTest(): void;
}

/** The pool's worker died or failed on this job; the request may be retried. */
export class PoolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoolError';
  }
}

/** More jobs are waiting than the queue holds. */
export class PoolOverloaded extends Error {
  constructor(readonly retryAfterSec: number) {
    super('all validation workers are busy and the queue is full');
    this.name = 'PoolOverloaded';
  }
}

/**
 * The engine compiles a profile on first use; one throw-away Bundle naming every NGC profile moves
 * that cost (seconds) to start-up, before the gateway turns ready. Returns the NGC profiles.
 */
export function warmUpSubmissionValidator(sv: SubmissionValidator): Array<{ url: string; type: string }> {
  const engine = sv.validator as unknown as { warmUp?: () => void };
  engine.warmUp?.();
  const profiles = sv.validator.conformance
    .allStructureDefinitions()
    .filter((sd) => sd.kind === 'resource' && sd.url.startsWith('http://ngc.dk/fhir/genomics/StructureDefinition/'))
    .map((sd) => ({ url: sd.url, type: sd.type }));
  sv.validateParsed(
    {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: profiles.map((p, i) => ({
        fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        resource: { resourceType: p.type, meta: { profile: [p.url] } },
        request: { method: 'POST', url: p.type },
      })),
    },
    new Date(),
  );
  return profiles;
}

/** The worker entry: compiled JS under dist/, TypeScript (through @swc-node/register) under jest and `node -r`. */
function workerEntry(): { file: string; execArgv: string[] } {
  const ts = __filename.endsWith('.ts');
  const file = path.join(__dirname, ts ? 'pool-worker.ts' : 'pool-worker.js');
  return { file, execArgv: ts ? ['-r', '@swc-node/register'] : [] };
}

interface Job {
  type: 'validate' | 'judge';
  id: number;
  body: Buffer;
  now: number;
  submissionId?: string;
  resolve: (v: PooledVerdict | JudgedSubmission) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Handed to the worker and not answered yet, oldest first (a worker answers in order). */
  jobs: Job[];
}

export function createSubmissionPool(options: SubmissionPoolOptions): SubmissionPool {
  if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('a validation pool needs at least one worker');
  const maxQueue = options.maxQueue ?? 256;
  const jobsPerWorker = options.jobsPerWorker ?? 1;
  if (!Number.isInteger(jobsPerWorker) || jobsPerWorker < 1) throw new RangeError('jobsPerWorker must be a positive integer');
  const entry = workerEntry();
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closing = false;
  let readyCount = 0;
  let allReady = false;
  let markReady!: () => void;
  let markFailed!: (e: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  // A pool nobody awaits must not crash the process with an unhandled rejection.
  ready.catch(() => undefined);
  let closed: (() => void) | undefined;

  function dispatch(): void {
    // Fill every worker's first place before any second one: an idle worker goes before a busy one.
    for (let depth = 1; depth <= jobsPerWorker && queue.length; depth++) {
      for (const slot of slots) {
        if (!queue.length) break;
        if (!slot.ready || slot.jobs.length >= depth) continue;
        const job = queue.shift()!;
        slot.jobs.push(job);
        // The worker gets its own copy of the bytes; the caller keeps `body` for hashing and storage.
        const copy = new Uint8Array(job.body);
        slot.worker.postMessage({ type: job.type, id: job.id, body: copy, now: job.now, submissionId: job.submissionId } satisfies PoolJob, [copy.buffer]);
      }
    }
    if (closing && closed && !queue.length && slots.every((s) => !s.jobs.length)) closed();
  }

  function spawn(): Slot {
    const worker = new Worker(entry.file, { execArgv: entry.execArgv, workerData: { limits: options.limits } satisfies PoolWorkerData });
    const slot: Slot = { worker, ready: false, jobs: [] };
    worker.on('message', (msg: PoolReply) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        readyCount++;
        if (!allReady && readyCount >= options.size) {
          allReady = true;
          markReady();
        }
      } else if (msg.type === 'start-failed') {
        markFailed(new Error(`a validation worker cannot compile the definitions: ${msg.message}`));
      } else if (slot.jobs.length && slot.jobs[0].id === msg.id) {
        const job = slot.jobs.shift()!;
        if (msg.type === 'verdict') job.resolve({ valid: msg.valid, status: msg.status, issues: msg.issues, normalised: msg.normalised });
        else if (msg.type === 'judgement') job.resolve(msg.judgement);
        else job.reject(new PoolError(`validation failed in a worker: ${msg.message}`));
      }
      dispatch();
    });
    // 'error' is followed by 'exit'; the exit handler does the bookkeeping.
    worker.on('error', () => undefined);
    worker.on('exit', (code) => {
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
      if (slot.ready) readyCount--;
      for (const job of slot.jobs) job.reject(new PoolError('the validation worker handling this submission stopped; retry'));
      slot.jobs = [];
      const replace = !closing;
      if (!slot.ready && !allReady && !closing) {
        // Dying before ready is a start-up failure (bad definitions), not a crash to retry forever.
        markFailed(new Error(`a validation worker exited with code ${code} during start-up`));
        options.onWorkerExit?.({ code, replaced: false });
        return;
      }
      if (replace) slots.push(spawn());
      // Workers ended by close() are a shutdown, not a failure worth an operator's attention.
      if (!closing) options.onWorkerExit?.({ code, replaced: replace });
      dispatch();
    });
    return slot;
  }

  for (let i = 0; i < options.size; i++) slots.push(spawn());

  function submit(type: Job['type'], body: Buffer, now: Date, submissionId?: string): Promise<PooledVerdict | JudgedSubmission> {
    if (closing) return Promise.reject(new PoolError('the validation pool is shutting down'));
    if (queue.length >= maxQueue) return Promise.reject(new PoolOverloaded(1));
    return new Promise((resolve, reject) => {
      queue.push({ type, id: nextId++, body, now: now.getTime(), submissionId, resolve, reject });
      dispatch();
    });
  }

  return {
    size: options.size,
    ready,
    isReady: () => allReady && !closing && readyCount > 0,
    pending: () => queue.length + slots.reduce((n, s) => n + s.jobs.length, 0),
    validateBytes(body: Buffer, now: Date = new Date()): Promise<PooledVerdict> {
      return submit('validate', body, now) as Promise<PooledVerdict>;
    },
    judgeBytes(body: Buffer, now: Date = new Date(), submissionId?: string): Promise<JudgedSubmission> {
      return submit('judge', body, now, submissionId) as Promise<JudgedSubmission>;
    },
    async close(): Promise<void> {
      if (!closing) {
        closing = true;
        await new Promise<void>((resolve) => {
          closed = resolve;
          dispatch();
        });
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
    crashOneForTest(): void {
      const slot = slots.find((s) => s.ready) ?? slots[0];
      slot?.worker.postMessage({ type: 'crash' } satisfies PoolJob);
    },
  };
}
