/**
 * What `POST /fhir` needs from raw request bytes, in the order it is found in-process: the intake
 * guard, the facts (read before TERM-01 rewrites anything), and the engine only where the route
 * would run it. A validation worker (pool-worker.ts) runs this; so does the cost bench.
 */
import { parseSubmissionBody, type IntakeLimits } from '../http/intake';
import { extractSubmissionFacts } from '../http/submission-facts';
import type { JudgedSubmission } from '../http/types';
import { transactionBytes } from '../delivery/idempotency';
import type { ValidationIssue } from '../validation/issue';
import type { SubmissionValidator } from './index';

export const termRewrote = (issues: ValidationIssue[]): boolean => issues.some((i) => i.rule?.id === 'TERM-01');

export function judgeSubmission(sv: SubmissionValidator, body: Buffer, now: Date, limits?: Partial<IntakeLimits>, submissionId?: string): JudgedSubmission {
  const intake = parseSubmissionBody(body, limits);
  const value = intake.value as Record<string, unknown> | undefined;
  const judged: JudgedSubmission = {
    intake: { issues: intake.issues, status: intake.status },
    resourceType: value ? (typeof value.resourceType === 'string' ? value.resourceType : null) : undefined,
    bundleType: typeof value?.type === 'string' ? value.type : undefined,
    facts: extractSubmissionFacts(value ?? {}),
  };
  const engineRuns = value?.resourceType === 'Bundle' && (intake.status === undefined || intake.status === 422) && !intake.issues.some((i) => i.rule?.id === 'SUB-10');
  if (engineRuns) {
    const verdict = sv.validateParsed(value, now);
    judged.engineIssues = verdict.issues;
    // An acceptable Bundle leaves here ready to send; the rest is not needed after the verdict.
    if (verdict.valid && submissionId && verdict.bundle) judged.transaction = transactionBytes(verdict.bundle, submissionId);
    else if (termRewrote(verdict.issues)) judged.normalised = JSON.stringify(verdict.bundle);
  }
  return judged;
}
