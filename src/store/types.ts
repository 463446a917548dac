/**
 * Contract of the gateway's durable store. Two engines implement it (SQLite embedded default,
 * PostgreSQL shared) and one test suite runs against both. Owned by the store; the HTTP layer,
 * delivery worker, auth and audit depend only on this file.
 */
import type { OperationOutcome } from 'fhir/r4';

/** received → accepted → delivered | failed;  received → rejected. */
export type SubmissionStatus = 'accepted' | 'delivered' | 'failed' | 'rejected';

export interface SubmissionRecord {
  /** Gateway-assigned id (UUID); the submission's status resource is `Task/<id>`. */
  id: string;
  clientId: string;
  region?: string;
  /** SOR code of the performing laboratory, when the Bundle names one. */
  sorCode?: string;
  /** Bundle.identifier (absent only on some rejected submissions). */
  bundleIdentifier?: { system: string; value: string };
  /** The DiagnosticReport's identifier (system|value), to link corrections and resubmissions. */
  reportIdentifier?: string;
  /**
   * Person identifiers (CPR/eCPR) of the patients the Bundle is about, when the caller already
   * knows them: the audit turns them into keyed hashes (instead of parsing the payload again).
   * No engine stores this field.
   */
  subjectIdentifiers?: string[];
  /** SHA-256 (hex) of the exact request body bytes: SUB-11 compares content by it. */
  contentHash: string;
  sizeBytes: number;
  status: SubmissionStatus;
  /** ISO 8601 instants. */
  receivedAt: string;
  updatedAt: string;
  /** The OperationOutcome sent back (202 receipt, or 422 with every issue). */
  outcome: OperationOutcome;
  /** Rule id (or FHIR issue code for non-NGC issues) → count, for audit statistics. */
  ruleCounts: Record<string, number>;
  delivery?: DeliveryState;
}

export interface DeliveryState {
  attempts: number;
  lastAttemptAt?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  /** What the national database answered on success (status, Location / ids). */
  response?: { status: number; location?: string; body?: unknown };
  /** Why delivery failed for good (a 4xx), or the last transient error. */
  lastError?: string;
}

export interface DeliveryAttempt {
  submissionId: string;
  at: string;
  workerId: string;
  outcome: 'delivered' | 'retry' | 'failed';
  httpStatus?: number;
  error?: string;
  durationMs: number;
}

/**
 * What one delivery attempt came to, recorded together with others of its batch. The attempt's
 * outcome decides what happens to the submission: `delivered` (with the database's `response`; the
 * payload and outbox row go), `failed` for good (reason: the attempt's error; the outbox row goes),
 * or `retry` (the row is due again at `nextAttemptAt`, the attempt's error kept as the last one).
 */
export interface DeliveryCompletion {
  attempt: DeliveryAttempt;
  response?: DeliveryState['response'];
  nextAttemptAt?: Date;
  /** When the outcome was known (default: now). */
  at?: Date;
}

/**
 * What an accepted submission's stored payload is: `bundle`, the Bundle as accepted (the delivery
 * worker makes it idempotent before each send), or `transaction`, the Bundle already made
 * idempotent for this submission at intake (sent as stored, byte for byte).
 */
export type PayloadForm = 'bundle' | 'transaction';

/** A row of the outbox as claimed by one worker for a limited time (a lease). */
export interface OutboxItem {
  submissionId: string;
  payload: Buffer;
  payloadForm: PayloadForm;
  attempts: number;
  leaseUntil: string;
}

/**
 * A row another module (the audit) needs committed together with a store write, in the same
 * transaction: one statement with `?` placeholders that is valid SQL on both engines. The store
 * runs it after its own statements; if it fails, the store write fails with it.
 */
export interface LinkedWrite {
  sql: string;
  params: readonly unknown[];
}

export interface GatewayStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Apply schema migrations (idempotent); called at start-up. */
  migrate(): Promise<void>;
  /** Cheap round trip for /health/ready. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** The non-rejected submission with this Bundle.identifier from this client, if any (SUB-11). */
  findActiveByBundleIdentifier(clientId: string, system: string, value: string): Promise<SubmissionRecord | undefined>;
  /**
   * Stores an accepted submission and its outbox row in ONE committed transaction; resolves only
   * once durable. Rejects with `DuplicateSubmissionError` when a non-rejected submission with the
   * same (clientId, Bundle.identifier) exists (a concurrent duplicate). `linked` rows commit with them.
   * `form` says what the payload is (default `bundle`).
   */
  insertAccepted(record: SubmissionRecord, payload: Buffer, linked?: readonly LinkedWrite[], form?: PayloadForm): Promise<void>;
  /** Stores a rejected submission (and `linked` rows, in one transaction); the payload given is already encrypted by the caller. */
  insertRejected(record: SubmissionRecord, encryptedPayload: Buffer | undefined, linked?: readonly LinkedWrite[]): Promise<void>;
  getSubmission(id: string): Promise<SubmissionRecord | undefined>;
  /**
   * The stored payload bytes: an accepted submission's Bundle until it is delivered (then dropped,
   * the record stays), a rejected one's bytes exactly as given to insertRejected (encrypted).
   */
  getPayload(id: string): Promise<Buffer | undefined>;

  /** Claims up to `limit` due outbox rows not leased by another worker (FOR UPDATE SKIP LOCKED on PostgreSQL). */
  claimOutbox(workerId: string, limit: number, leaseMs: number, now?: Date): Promise<OutboxItem[]>;
  /**
   * Ends the leases held by `workerId` (a worker restarting under a stable id frees what its
   * previous incarnation had claimed instead of waiting for the leases to run out); returns how many.
   */
  releaseLeases(workerId: string): Promise<number>;
  recordAttempt(attempt: DeliveryAttempt): Promise<void>;
  /**
   * Records a batch of finished attempts and their effect on each submission (as recordAttempt
   * followed by markDelivered, markFailed or scheduleRetry would) in ONE transaction, with the
   * `linked` rows: all of the batch or none. The submissions of one batch must be distinct.
   */
  completeDeliveries(completions: readonly DeliveryCompletion[], linked?: readonly LinkedWrite[]): Promise<void>;
  markDelivered(submissionId: string, response: DeliveryState['response'], at?: Date, linked?: readonly LinkedWrite[]): Promise<void>;
  markFailed(submissionId: string, reason: string, at?: Date, linked?: readonly LinkedWrite[]): Promise<void>;
  /** Commits rows of another module that belong to no store write (refused requests' AuditEvents); resolves once durable. */
  commitLinked(linked: readonly LinkedWrite[]): Promise<void>;
  scheduleRetry(submissionId: string, nextAttemptAt: Date, lastError: string): Promise<void>;
  outboxDepth(): Promise<number>;
  listAttempts(submissionId: string): Promise<DeliveryAttempt[]>;

  /**
   * Remembers `key` in `namespace` until `expiresAt`; false when it is already remembered and not
   * expired. Atomic across instances sharing the database (JWT `jti` replay, SAML InResponseTo).
   */
  rememberOnce(namespace: string, key: string, expiresAt: Date): Promise<boolean>;
  /** Small expiring key/value entries (SAML request cache, sessions). */
  putExpiring(namespace: string, key: string, value: string, expiresAt: Date): Promise<void>;
  getExpiring(namespace: string, key: string): Promise<string | undefined>;
  deleteExpiring(namespace: string, key: string): Promise<void>;
}

export class DuplicateSubmissionError extends Error {
  constructor(message = 'a submission with this Bundle.identifier already exists') {
    super(message);
    this.name = 'DuplicateSubmissionError';
  }
}
