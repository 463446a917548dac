/**
 * Delivery of accepted submissions to the National Genome Database (or, on a developer machine,
 * to a clearly labelled local sink). The HTTP layer never calls the database itself: it commits a
 * submission with its outbox row, and a worker from here sends it.
 */
export { createDeliveryWorker, type DeliveryWorker, type DeliveryWorkerOptions, type DeliveryLogger, type DeliveryMetrics, type CreateDeliveryWorkerParams } from './worker';
export { createNgcDatabaseTarget, type NgcDatabaseTargetOptions } from './ngc-target';
export { createDevSinkTarget, readDevSinkJournal, DEV_SINK_DIR, DEV_SINK_JOURNAL, type DevSinkDelivery, type DevSinkTarget } from './dev-sink';
export { makeIdempotent, tagForRedelivery, transactionBytes, deliveryKey, DELIVERY_TAG_SYSTEM } from './idempotency';
export { backoffDelay, parseRetryAfter } from './backoff';
export { CircuitBreaker, type BreakerState } from './circuit-breaker';
export { DeliveryError, type DeliveryResult, type NgcDatabaseTarget } from './types';

import type { NgcDatabaseTarget } from './types';
import { createDevSinkTarget } from './dev-sink';
import { createNgcDatabaseTarget } from './ngc-target';

/** NGC_DATABASE_URL set: the real database; unset: the dev sink (which refuses production). */
export function createTargetFromEnv(config: { ngcDatabaseUrl?: string; dataDir: string; nodeEnv?: string; timeoutMs?: number }): NgcDatabaseTarget {
  return config.ngcDatabaseUrl
    ? createNgcDatabaseTarget(config.ngcDatabaseUrl, { timeoutMs: config.timeoutMs })
    : createDevSinkTarget(config.dataDir, config.nodeEnv);
}
