import crypto from 'node:crypto';
import type { Bundle, FhirResource } from 'fhir/r4';
import type { GatewayStore, SubmissionRecord } from '../../src/store';
import { makeRecord } from '../store/records';

export const REPORT_SYSTEM = 'https://lims.regionh.dk/reports';

/** A small transaction Bundle shaped like an NGC submission (references between entries by urn:uuid). */
export function makeBundle(reportValue: string): Bundle<FhirResource> {
  const u = () => `urn:uuid:${crypto.randomUUID()}`;
  const [patient, org, report, obs] = [u(), u(), u(), u()];
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    identifier: { system: 'https://lims.regionh.dk/submissions', value: `sub-${reportValue}` },
    timestamp: new Date().toISOString(),
    entry: [
      {
        fullUrl: patient,
        resource: { resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.208.176.1.2', value: '0101701234', use: 'official' }] },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: org,
        resource: { resourceType: 'Organization', identifier: [{ system: 'urn:oid:1.2.208.176.1.1', value: '123456789012' }] },
        request: { method: 'POST', url: 'Organization' },
      },
      {
        fullUrl: report,
        resource: {
          resourceType: 'DiagnosticReport',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '51969-4' }] },
          identifier: [{ system: REPORT_SYSTEM, value: reportValue }],
          subject: { reference: patient },
          performer: [{ reference: org }],
          result: [{ reference: obs }],
        },
        request: { method: 'POST', url: 'DiagnosticReport' },
      },
      {
        fullUrl: obs,
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] },
          subject: { reference: patient },
        },
        request: { method: 'POST', url: 'Observation' },
      },
    ],
  };
}

/** Stores an accepted submission whose payload is a fresh Bundle; returns the record and report id. */
export async function acceptSubmission(store: GatewayStore, reportValue = `rep-${crypto.randomUUID()}`): Promise<{ record: SubmissionRecord; reportValue: string; bundle: Bundle<FhirResource> }> {
  const bundle = makeBundle(reportValue);
  const record = makeRecord({ bundleIdentifier: bundle.identifier as { system: string; value: string }, reportIdentifier: `${REPORT_SYSTEM}|${reportValue}` });
  await store.insertAccepted(record, Buffer.from(JSON.stringify(bundle)));
  return { record, reportValue, bundle };
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
