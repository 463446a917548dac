/** The submission's status as a FHIR Task, the resource a submitter polls (Content-Location). */
import type { Task, TaskOutput } from 'fhir/r4';
import type { SubmissionRecord } from '../store/types';
import { narrative } from './narrative';

export const CLIENT_ID_SYSTEM = 'http://ngc.dk/fhir/genomics/sid/gateway-client';
export const SUBMISSION_ID_SYSTEM = 'http://ngc.dk/fhir/genomics/sid/submission';

const TASK_STATUS: Record<SubmissionRecord['status'], Task['status']> = {
  accepted: 'accepted',
  delivered: 'completed',
  failed: 'failed',
  rejected: 'rejected',
};

const BUSINESS_STATUS: Record<SubmissionRecord['status'], string> = {
  accepted: 'Accepted; waiting for delivery to the National Genome Database',
  delivered: 'Delivered to the National Genome Database',
  failed: 'Delivery to the National Genome Database failed; NGC operators have been notified',
  rejected: 'Rejected by validation; see the OperationOutcome',
};

export function submissionTask(record: SubmissionRecord): Task {
  const outcome = { ...record.outcome, id: 'outcome' };
  const output: TaskOutput[] = [{ type: { text: 'gateway-outcome' }, valueReference: { reference: '#outcome' } }];
  const d = record.delivery;
  if (d?.response) {
    output.push({ type: { text: 'national-database-status' }, valueInteger: d.response.status });
    if (d.response.location) output.push({ type: { text: 'national-database-location' }, valueUri: d.response.location });
  }
  if (d?.deliveredAt) output.push({ type: { text: 'delivered-at' }, valueDateTime: d.deliveredAt });
  if (d && d.attempts > 0) output.push({ type: { text: 'delivery-attempts' }, valueInteger: d.attempts });
  if (d?.nextAttemptAt && record.status === 'accepted') output.push({ type: { text: 'next-attempt-at' }, valueDateTime: d.nextAttemptAt });

  const task: Task = {
    resourceType: 'Task',
    id: record.id,
    text: narrative(`Submission ${record.id} (received ${record.receivedAt}): ${BUSINESS_STATUS[record.status]}.`),
    contained: [outcome],
    identifier: [{ system: SUBMISSION_ID_SYSTEM, value: record.id }],
    status: TASK_STATUS[record.status],
    businessStatus: { coding: [{ code: record.status }], text: BUSINESS_STATUS[record.status] },
    intent: 'order',
    authoredOn: record.receivedAt,
    lastModified: record.updatedAt,
    owner: { identifier: { system: CLIENT_ID_SYSTEM, value: record.clientId } },
    output,
  };
  if (record.bundleIdentifier) task.groupIdentifier = { system: record.bundleIdentifier.system, value: record.bundleIdentifier.value };
  if (d?.lastError && (record.status === 'failed' || record.status === 'accepted')) task.statusReason = { text: d.lastError };
  return task;
}
