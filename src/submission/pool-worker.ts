/**
 * The body of one validation worker thread (see pool.ts). It compiles the definitions once, says
 * `ready`, then judges raw request bytes, so the main thread neither validates nor re-serialises.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseSubmissionBody } from '../http/intake';
import { extractSubmissionFacts } from '../http/submission-facts';
import type { JudgedSubmission } from '../http/types';
import { createSubmissionValidator, type SubmissionValidator } from './index';
import { warmUpSubmissionValidator, type PoolJob, type PoolReply, type PoolWorkerData } from './pool';

const port = parentPort;
if (!port) throw new Error('pool-worker.ts runs only as a worker thread');

const data = workerData as PoolWorkerData;
const termRewrote = (issues: { rule?: { id: string } }[]) => issues.some((i) => i.rule?.id === 'TERM-01');

/**
 * What `POST /fhir` needs, in the order it is found in-process: the intake guard, the facts (read
 * before TERM-01 rewrites anything), and the engine only where the route would run it.
 */
function judge(sv: SubmissionValidator, body: Buffer, now: Date): JudgedSubmission {
  const intake = parseSubmissionBody(body, data.limits);
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
    if (termRewrote(verdict.issues)) judged.normalised = JSON.stringify(verdict.bundle);
  }
  return judged;
}
try {
  const sv = createSubmissionValidator({ limits: data.limits });
  warmUpSubmissionValidator(sv);
  port.postMessage({ type: 'ready' } satisfies PoolReply);

  port.on('message', (job: PoolJob) => {
    if (job.type === 'crash') {
      // Test hook: lets the pool's crash handling be tested with a real dying thread.
      process.exit(70);
    }
    let reply: PoolReply;
    try {
      if (job.type === 'judge') {
        const judgement = judge(sv, Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength), new Date(job.now));
        port.postMessage({ type: 'judgement', id: job.id, judgement } satisfies PoolReply);
        return;
      }
      const verdict = sv.validateBytes(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength), new Date(job.now));
      // TERM-01 rewrote the Bundle; only then does the caller need the rewritten form.
      const normalised = verdict.bundle && termRewrote(verdict.issues) ? JSON.stringify(verdict.bundle) : undefined;
      reply = { type: 'verdict', id: job.id, valid: verdict.valid, status: verdict.status, issues: verdict.issues, normalised };
    } catch (err) {
      reply = { type: 'failed', id: job.id, message: (err as Error).message };
    }
    port.postMessage(reply);
  });
} catch (err) {
  port.postMessage({ type: 'start-failed', message: (err as Error).message } satisfies PoolReply);
}
