import crypto from 'node:crypto';
import type { SubmissionRecord } from '../../src/store';

/** A plausible submission record; each call gets a new id and Bundle.identifier unless given. */
export function makeRecord(overrides: Partial<SubmissionRecord> = {}): SubmissionRecord {
  const id = overrides.id ?? crypto.randomUUID();
  const now = new Date().toISOString();
  return {
    id,
    clientId: 'region-hovedstaden-lims',
    region: 'H',
    sorCode: '123456789012',
    bundleIdentifier: { system: 'https://lims.regionh.dk/submissions', value: `sub-${id}` },
    reportIdentifier: `https://lims.regionh.dk/reports|rep-${id}`,
    contentHash: crypto.createHash('sha256').update(id).digest('hex'),
    sizeBytes: 1234,
    status: 'accepted',
    receivedAt: now,
    updatedAt: now,
    outcome: {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', diagnostics: `accepted as ${id}` }],
    },
    ruleCounts: {},
    ...overrides,
  };
}

export function payloadFor(record: SubmissionRecord): Buffer {
  return Buffer.from(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', identifier: record.bundleIdentifier }));
}
