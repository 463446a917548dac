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
import type { DeliveryAttempt, GatewayStore, OutboxItem } from '../store';
import { backoffDelay } from './backoff';
import { CircuitBreaker, type BreakerState } from './circuit-breaker';
import { makeIdempotent } from './idempotency';
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
  /** Sends in flight at once. Default 4. */
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

const silentLogger: DeliveryLogger = { info() {}, warn() {}, error() {} };

export function createDeliveryWorker(params: CreateDeliveryWorkerParams): DeliveryWorker {
  const { store, target } = params;
  const logger = params.logger ?? silentLogger;
  const metrics = params.metrics ?? {};
  const o = params.options ?? {};
  const workerId =
    o.workerId ?? (store.kind === 'sqlite' ? `sqlite:${os.hostname()}` : `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  const concurrency = Math.max(1, o.concurrency ?? 4);
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

  async function record(attempt: DeliveryAttempt): Promise<void> {
    await store.recordAttempt(attempt);
    metrics.onAttempt?.(attempt.outcome, attempt.durationMs, attempt.httpStatus);
  }

  async function deliverOne(item: OutboxItem): Promise<void> {
    const id = item.submissionId;
    const attemptNo = item.attempts + 1;
    let bundle: Bundle;
    try {
      bundle = JSON.parse(item.payload.toString('utf8')) as Bundle;
      if (bundle?.resourceType !== 'Bundle') throw new Error('not a Bundle');
    } catch {
      // Cannot happen for a payload the gateway validated; if it does, retrying will not help.
      const reason = 'the stored payload is not a readable Bundle';
      await record({ submissionId: id, at: new Date().toISOString(), workerId, outcome: 'failed', error: reason, durationMs: 0 });
      await store.markFailed(id, reason);
      logger.error({ workerId, submissionId: id }, 'delivery failed: stored payload unreadable');
      return;
    }

    const started = Date.now();
    const at = new Date(started).toISOString();
    breaker.onStart();
    let result: DeliveryResult;
    try {
      result = await target.deliver(id, makeIdempotent(bundle, id));
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
        const next = new Date(Date.now() + delay);
        await record({ submissionId: id, at, workerId, outcome: 'retry', httpStatus: e.status, error, durationMs });
        await store.scheduleRetry(id, next, error);
        logger.warn(
          { workerId, submissionId: id, attempt: attemptNo, kind: e.kind, httpStatus: e.status, retryInMs: delay, durationMs },
          'delivery attempt failed; retry scheduled',
        );
      } else {
        // The database answered, so it is up; the Bundle itself is the problem.
        breaker.onSuccess();
        await record({ submissionId: id, at, workerId, outcome: 'failed', httpStatus: e.status, error, durationMs });
        await store.markFailed(id, error);
        logger.error({ workerId, submissionId: id, attempt: attemptNo, httpStatus: e.status, durationMs }, 'delivery refused by the database; submission failed');
      }
      return;
    }
    const durationMs = Date.now() - started;
    breaker.onSuccess();
    await record({ submissionId: id, at, workerId, outcome: 'delivered', httpStatus: result.status, durationMs });
    await store.markDelivered(id, result);
    logger.info({ workerId, submissionId: id, attempt: attemptNo, httpStatus: result.status, durationMs }, 'submission delivered');
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
        wake?.();
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

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function loop(): Promise<void> {
    while (running) {
      const free = concurrency - inFlight.size;
      const items = free > 0 ? await claim(free) : [];
      for (const item of items) launch(item);
      if (!running) break;
      // A full claim means more may be waiting: go again as soon as a slot is free.
      if (items.length > 0 && items.length === free && inFlight.size < concurrency) continue;
      const breakerWait = breaker.waitMs();
      await pause(breakerWait > 0 ? Math.min(pollIntervalMs, breakerWait) : pollIntervalMs);
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
      wake?.();
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
