/** Mapping between table rows and the records of the store contract, shared by both engines. */
import type { DeliveryAttempt, DeliveryState, SubmissionRecord, SubmissionStatus } from './types';

/** A submissions row after each engine has turned its native types into strings/objects. */
export interface SubmissionRow {
  id: string;
  client_id: string;
  region: string | null;
  sor_code: string | null;
  bundle_system: string | null;
  bundle_value: string | null;
  report_identifier: string | null;
  content_hash: string;
  size_bytes: number;
  status: SubmissionStatus;
  received_at: string;
  updated_at: string;
  outcome: SubmissionRecord['outcome'];
  rule_counts: Record<string, number>;
  attempts: number;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
  response: DeliveryState['response'] | null;
  last_error: string | null;
}

export interface AttemptRow {
  submission_id: string;
  at: string;
  worker_id: string;
  outcome: DeliveryAttempt['outcome'];
  http_status: number | null;
  error: string | null;
  duration_ms: number;
}

/** Submission columns in the order the insert statements of both engines use. */
export const SUBMISSION_COLUMNS = [
  'id', 'client_id', 'region', 'sor_code', 'bundle_system', 'bundle_value', 'report_identifier',
  'content_hash', 'size_bytes', 'status', 'received_at', 'updated_at', 'outcome', 'rule_counts', 'payload',
] as const;

/** Values for SUBMISSION_COLUMNS; JSON columns are passed as strings (both engines accept that). */
export function submissionValues(record: SubmissionRecord, status: SubmissionStatus, payload: Buffer | null): unknown[] {
  return [
    record.id,
    record.clientId,
    record.region ?? null,
    record.sorCode ?? null,
    record.bundleIdentifier?.system ?? null,
    record.bundleIdentifier?.value ?? null,
    record.reportIdentifier ?? null,
    record.contentHash,
    record.sizeBytes,
    status,
    record.receivedAt,
    record.updatedAt,
    JSON.stringify(record.outcome),
    JSON.stringify(record.ruleCounts ?? {}),
    payload,
  ];
}

export function toRecord(row: SubmissionRow): SubmissionRecord {
  const record: SubmissionRecord = {
    id: row.id,
    clientId: row.client_id,
    contentHash: row.content_hash,
    sizeBytes: Number(row.size_bytes),
    status: row.status,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    outcome: row.outcome,
    ruleCounts: row.rule_counts,
  };
  if (row.region !== null) record.region = row.region;
  if (row.sor_code !== null) record.sorCode = row.sor_code;
  if (row.bundle_system !== null && row.bundle_value !== null) {
    record.bundleIdentifier = { system: row.bundle_system, value: row.bundle_value };
  }
  if (row.report_identifier !== null) record.reportIdentifier = row.report_identifier;
  // Rejected submissions are never delivered, so they carry no delivery state at all.
  if (row.status !== 'rejected') {
    const delivery: DeliveryState = { attempts: Number(row.attempts) };
    if (row.last_attempt_at !== null) delivery.lastAttemptAt = row.last_attempt_at;
    if (row.next_attempt_at !== null) delivery.nextAttemptAt = row.next_attempt_at;
    if (row.delivered_at !== null) delivery.deliveredAt = row.delivered_at;
    if (row.response !== null) delivery.response = row.response;
    if (row.last_error !== null) delivery.lastError = row.last_error;
    record.delivery = delivery;
  }
  return record;
}

export function toAttempt(row: AttemptRow): DeliveryAttempt {
  const attempt: DeliveryAttempt = {
    submissionId: row.submission_id,
    at: row.at,
    workerId: row.worker_id,
    outcome: row.outcome,
    durationMs: Number(row.duration_ms),
  };
  if (row.http_status !== null) attempt.httpStatus = Number(row.http_status);
  if (row.error !== null) attempt.error = row.error;
  return attempt;
}

/** Expired rows of the expiring table are purged lazily, at most this often per store instance. */
export const EXPIRING_PURGE_INTERVAL_MS = 60_000;
