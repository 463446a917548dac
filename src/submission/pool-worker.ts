/**
 * The body of one validation worker thread (see pool.ts). It compiles the definitions once, says
 * `ready`, then judges raw request bytes, so the main thread neither validates nor re-serialises.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSubmissionValidator } from './index';
import { judgeSubmission, termRewrote } from './judge';
import { warmUpSubmissionValidator, type PoolJob, type PoolReply, type PoolWorkerData } from './pool';

const port = parentPort;
if (!port) throw new Error('pool-worker.ts runs only as a worker thread');

const data = workerData as PoolWorkerData;
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
        const judgement = judgeSubmission(sv, Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength), new Date(job.now), data.limits, job.submissionId);
        // The transaction's bytes are handed over, not copied, when they own their memory (a large
        // Buffer.from always does; a small one may share Node's pool, and is copied).
        const t = judgement.transaction;
        const handOver = t && t.byteOffset === 0 && t.byteLength === t.buffer.byteLength ? [t.buffer as ArrayBuffer] : [];
        port.postMessage({ type: 'judgement', id: job.id, judgement } satisfies PoolReply, handOver);
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
