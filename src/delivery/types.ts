/** Contracts of the delivery side: where accepted Bundles go, and how a send can fail. */

/** What the receiving end answered to a delivered Bundle (kept on the submission record). */
export interface DeliveryResult {
  status: number;
  /** Location of the stored DiagnosticReport (or of the first entry), e.g. `DiagnosticReport/12/_history/1`. */
  location?: string;
  /** Per-entry outcome, without resources: `{ entries: [{ status, location }] }`. */
  body?: unknown;
}

/** The National Genome Database, or the local development sink that stands in for it. */
export interface NgcDatabaseTarget {
  /** For logs and the status page: names the real database or says plainly that it is a dev sink. */
  readonly description: string;
  /** Longest a single send may take, when the target bounds it (the worker's lease must outlast it). */
  readonly timeoutMs?: number;
  /**
   * Sends one submission's transaction Bundle (already made idempotent), given as its JSON bytes:
   * the outbox holds it so, and a target that sends JSON need not parse and serialise it again.
   * Resolves with the answer on 2xx; rejects with a DeliveryError otherwise. `signal` aborts the
   * send (worker shutdown).
   */
  deliver(submissionId: string, transaction: Buffer, signal?: AbortSignal): Promise<DeliveryResult>;
  /** Waits for sends in progress and frees what the target holds open (after the worker stopped). */
  close?(): Promise<void>;
}

export type DeliveryErrorKind = 'timeout' | 'network' | 'http' | 'invalid';

export class DeliveryError extends Error {
  readonly kind: DeliveryErrorKind;
  readonly status?: number;
  /** From Retry-After on 429/503, in milliseconds from when the answer came. */
  readonly retryAfterMs?: number;
  /** Network errors, timeouts, 408, 429 and 5xx are worth retrying; any other answer is final. */
  readonly retryable: boolean;

  constructor(
    message: string,
    options: { kind: DeliveryErrorKind; status?: number; retryAfterMs?: number; retryable: boolean; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.kind = options.kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
