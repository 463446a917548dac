/**
 * The outbox worker: claims accepted submissions from the store under a lease, sends each to the
 * target, and records what happened. Retries (network errors, timeouts, 408, 429, 5xx) wait with
 * exponential backoff and full jitter, or as long as Retry-After asks; any other answer is final
 * and the submission is marked failed with the database's reason. A circuit breaker stops sending
 * while the database is down. Several workers (in one process or in several gateway instances on
 * one PostgreSQL) can run at once: the store's claim hands each row to one of them at a time.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Bundle } from 'fhir/r4';
import type { DeliveryAttempt, DeliveryCompletion, GatewayStore, OutboxItem } from '../store';
import { backoffDelay } from './backoff';
import { CircuitBreaker, type BreakerState } from './circuit-breaker';
import { tagForRedelivery } from './idempotency';
import { redactCpr } from './ngc-target';
import { DeliveryError, type DeliveryResult, type NgcDatabaseTarget } from './types';

/** The part of a pino logger the worker uses. */
export interface DeliveryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Hooks for Prometheus (or anything else); none of them may throw. */
export interface DeliveryMetrics {
  onAttempt?(outcome: DeliveryAttempt['outcome'], durationMs: number, httpStatus?: number): void;
  onBreakerState?(state: BreakerState): void;
}

export interface DeliveryWorkerOptions {
  /**
   * Names this worker in leases and attempt records. Give a STABLE id per gateway instance (the
   * same after a restart): start() then frees the rows its previous incarnation had claimed when it
   * died, instead of leaving them until their leases run out. Default on SQLite (one gateway
   * process per database file): `sqlite:<hostname>`, stable. Default on PostgreSQL, where several
   * instances may share a host: host, pid and a random suffix (always new, so a crashed instance's
   * rows wait for their leases).
   */
  workerId?: string;
  /**
   * Sends in flight at once. Default 16: claims and records go in batches of about half of this,
   * so it also sets how many submissions share one store transaction; at 4 the worker fell behind
   * an intake of 300 submissions per second (npm run bench:delivery).
   */
  concurrency?: number;
  /** How often an idle worker looks at the outbox. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How long a claimed row stays hidden from other workers; must exceed one send. Default 60 s, or twice the target's timeout plus 10 s when that is longer. */
  leaseMs?: number;
  /** Backoff: first retry waits up to this long. Default 1 s. */
  baseDelayMs?: number;
  /** Backoff cap, and cap on Retry-After. Default 5 min. */
  maxDelayMs?: number;
  /** Consecutive failed sends that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe. Default 30 s. */
  cooldownMs?: number;
  /** Jitter source (tests). */
  random?: () => number;
}

export interface CreateDeliveryWorkerParams {
  store: GatewayStore;
  target: NgcDatabaseTarget;
  logger?: DeliveryLogger;
  metrics?: DeliveryMetrics;
  options?: DeliveryWorkerOptions;
}

export interface DeliveryWorker {
  readonly workerId: string;
  /** Starts the poll loop (idempotent). */
  start(): void;
  /** Stops claiming new work and resolves once every in-flight send has been recorded. */
  stop(): Promise<void>;
  /** One claim-and-deliver round (tests, or a one-shot drain); resolves with the rows handled. */
  runOnce(): Promise<number>;
  /** Current circuit state (for /health and metrics). */
  breakerState(): BreakerState;
}

/**
 * A payload stored as the accepted Bundle, made idempotent for this submission (see
 * idempotency.ts); throws when it is not a Bundle. Payloads stored at intake as the transaction
 * skip this.
 */
function transactionOf(payload: Buffer, submissionId: string): Buffer {
  const bundle = JSON.parse(payload.toString('utf8')) as Bundle;
  if (bundle?.resourceType !== 'Bundle') throw new Error('not a Bundle');
  // Parsed for this send alone: tagging it in place spares a deep copy.
  return Buffer.from(JSON.stringify(tagForRedelivery(bundle, submissionId)), 'utf8');
}

/** Most finished sends recorded in one transaction. */
const RECORD_BATCH = 256;

const silentLogger: DeliveryLogger = { info() {}, warn() {}, error() {} };

export function createDeliveryWorker(params: CreateDeliveryWorkerParams): DeliveryWorker {
  const { store, target } = params;
  const logger = params.logger ?? silentLogger;
  const metrics = params.metrics ?? {};
  const o = params.options ?? {};
  const workerId =
    o.workerId ?? (store.kind === 'sqlite' ? `sqlite:${os.hostname()}` : `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  const concurrency = Math.max(1, o.concurrency ?? 16);
  const claimAtLeast = Math.ceil(concurrency / 2);
  const pollIntervalMs = o.pollIntervalMs ?? 1000;
  // A lease shorter than a send would let a second worker send the same submission while the
  // first is still waiting for the answer (harmless thanks to the conditional creates, but wasteful).
  const leaseMs = o.leaseMs ?? Math.max(60_000, 2 * (target.timeoutMs ?? 0) + 10_000);
  const backoff = { baseDelayMs: o.baseDelayMs ?? 1000, maxDelayMs: o.maxDelayMs ?? 300_000 };
  const random = o.random ?? Math.random;
  const breaker = new CircuitBreaker({
    failureThreshold: o.failureThreshold ?? 5,
    cooldownMs: o.cooldownMs ?? 30_000,
    onStateChange: (state) => {
      const log = state === 'open' ? logger.warn : logger.info;
      log.call(logger, { workerId, breaker: state, target: target.description }, `delivery circuit ${state}`);
      metrics.onBreakerState?.(state);
    },
  });

  const inFlight = new Set<Promise<void>>();
  let running = false;
  let loopDone: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  /** A finished send, and what to log once its record is committed. */
  interface Finished {
    completion: DeliveryCompletion;
    log: () => void;
  }
  interface Waiting extends Finished {
    resolve: () => void;
    reject: (err: unknown) => void;
  }
  // Finished sends wait here for the recorder, which writes all that have gathered in one
  // transaction while the previous one commits: one commit per batch instead of two per send.
  let waiting: Waiting[] = [];
  let recorder: Promise<void> | undefined;

  function record(finished: Finished): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      waiting.push({ ...finished, resolve, reject });
      recorder ??= recordWaiting();
    });
  }

  async function recordWaiting(): Promise<void> {
    // Sends finishing in the same turn of the event loop join one batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (waiting.length > 0) {
      const batch = takeBatch();
      try {
        await store.completeDeliveries(batch.map((w) => w.completion));
        batch.forEach(settled);
      } catch (err) {
        if (batch.length === 1) {
          batch[0].reject(err);
          continue;
        }
        // One by one, so that a record the store refuses does not hold back the others.
        for (const w of batch) {
          await store.completeDeliveries([w.completion]).then(
            () => settled(w),
            (e: unknown) => w.reject(e),
          );
        }
      }
    }
    recorder = undefined;
  }

  /** Up to RECORD_BATCH waiting records, one per submission (the store's batch contract). */
  function takeBatch(): Waiting[] {
    const seen = new Set<string>();
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const w of waiting) {
      const id = w.completion.attempt.submissionId;
      if (batch.length < RECORD_BATCH && !seen.has(id)) {
        seen.add(id);
        batch.push(w);
      } else rest.push(w);
    }
    waiting = rest;
    return batch;
  }

  function settled(w: Waiting): void {
    const { attempt } = w.completion;
    metrics.onAttempt?.(attempt.outcome, attempt.durationMs, attempt.httpStatus);
    w.log();
    w.resolve();
  }

  async function deliverOne(item: OutboxItem): Promise<void> {
    await record(await send(item));
  }

  /** Sends one claimed submission; says what is to be recorded (nothing is written here). */
  async function send(item: OutboxItem): Promise<Finished> {
    const id = item.submissionId;
    const attemptNo = item.attempts + 1;
    let transaction: Buffer;
    try {
      transaction = item.payloadForm === 'transaction' ? item.payload : transactionOf(item.payload, id);
    } catch {
      // Cannot happen for a payload the gateway validated; if it does, retrying will not help.
      const error = 'the stored payload is not a readable Bundle';
      return {
        completion: { attempt: { submissionId: id, at: new Date().toISOString(), workerId, outcome: 'failed', error, durationMs: 0 } },
        log: () => logger.error({ workerId, submissionId: id }, 'delivery failed: stored payload unreadable'),
      };
    }

    const started = Date.now();
    const at = new Date(started).toISOString();
    breaker.onStart();
    let result: DeliveryResult;
    try {
      result = await target.deliver(id, transaction);
    } catch (err) {
      const durationMs = Date.now() - started;
      const e =
        err instanceof DeliveryError
          ? err
          : new DeliveryError(`delivery error: ${(err as Error)?.message ?? String(err)}`, { kind: 'network', retryable: true, cause: err });
      const error = redactCpr(e.message);
      if (e.retryable) {
        breaker.onFailure();
        const delay = Math.min(backoff.maxDelayMs, Math.max(e.retryAfterMs ?? 0, backoffDelay(attemptNo, backoff, random)));
        return {
          completion: {
            attempt: { submissionId: id, at, workerId, outcome: 'retry', httpStatus: e.status, error, durationMs },
            nextAttemptAt: new Date(Date.now() + delay),
          },
          log: () =>
            logger.warn(
              { workerId, submissionId: id, attempt: attemptNo, kind: e.kind, httpStatus: e.status, retryInMs: delay, durationMs },
              'delivery attempt failed; retry scheduled',
            ),
        };
      }
      // The database answered, so it is up; the Bundle itself is the problem.
      breaker.onSuccess();
      return {
        completion: { attempt: { submissionId: id, at, workerId, outcome: 'failed', httpStatus: e.status, error, durationMs } },
        log: () =>
          logger.error({ workerId, submissionId: id, attempt: attemptNo, httpStatus: e.status, durationMs }, 'delivery refused by the database; submission failed'),
      };
    }
    const durationMs = Date.now() - started;
    breaker.onSuccess();
    return {
      completion: { attempt: { submissionId: id, at, workerId, outcome: 'delivered', httpStatus: result.status, durationMs }, response: result },
      log: () => logger.info({ workerId, submissionId: id, attempt: attemptNo, httpStatus: result.status, durationMs }, 'submission delivered'),
    };
  }

  function launch(item: OutboxItem): Promise<void> {
    const p = deliverOne(item)
      .catch((err) => {
        // The store failed while recording: the lease runs out and the row is claimed again; the
        // conditional creates make the resend harmless.
        logger.error({ workerId, submissionId: item.submissionId, err: (err as Error)?.message }, 'could not record a delivery');
      })
      .finally(() => {
        inFlight.delete(p);
        if (inFlight.size <= concurrency - claimAtLeast) wake?.();
      });
    inFlight.add(p);
    return p;
  }

  async function claim(wanted: number): Promise<OutboxItem[]> {
    const n = breaker.permits(wanted);
    if (n <= 0) return [];
    try {
      return await store.claimOutbox(workerId, n, leaseMs);
    } catch (err) {
      logger.error({ workerId, err: (err as Error)?.message }, 'could not claim from the outbox');
      return [];
    }
  }

  /** Waits `ms`; `stop()` ends the wait, and so does a freed batch of slots when `onSlots`. */
  function pause(ms: number, onSlots: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = onSlots ? done : undefined;
      stopWaiting = done;
    });
  }
  let stopWaiting: (() => void) | undefined;

  async function loop(): Promise<void> {
    while (running) {
      const free = concurrency - inFlight.size;
      let backlog = false;
      // Claims go in batches (one transaction for half the slots or more), not one per freed slot.
      if (free >= claimAtLeast || inFlight.size === 0) {
        const items = await claim(free);
        for (const item of items) launch(item);
        if (!running) break;
        // A full claim means more may be waiting: claim again as soon as enough slots are free.
        backlog = items.length > 0 && items.length === free;
      } else backlog = true;
      const breakerWait = breaker.waitMs();
      await pause(breakerWait > 0 ? Math.min(pollIntervalMs, breakerWait) : pollIntervalMs, backlog && breakerWait === 0);
    }
    await Promise.allSettled([...inFlight]);
  }

  return {
    workerId,
    start() {
      if (running) return;
      running = true;
      logger.info({ workerId, target: target.description, concurrency }, 'delivery worker started');
      loopDone = store
        .releaseLeases(workerId)
        .then(
          (n) => n > 0 && logger.warn({ workerId, released: n }, 'released deliveries claimed before a restart'),
          (err) => logger.error({ workerId, err: (err as Error)?.message }, 'could not release earlier leases'),
        )
        .then(loop);
    },
    async stop() {
      running = false;
      stopWaiting?.();
      await loopDone;
      await Promise.allSettled([...inFlight]);
      loopDone = undefined;
    },
    async runOnce() {
      const items = await claim(concurrency);
      await Promise.all(items.map(launch));
      return items.length;
    },
    breakerState: () => breaker.current,
  };
}
