/**
 * `POST /fhir` (submit) and `POST /fhir/$validate`, `POST /fhir/Bundle/$validate` (verdict only).
 * Both run the same pipeline: auth → rate limit → media type → capacity slot → streamed, size-limited
 * body → intake guard → (SUB-11, SUB-12) → validation. Only submit stores, and it answers 202 only
 * after the store has committed the submission and its outbox row.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { OperationOutcome } from 'fhir/r4';
import type { Bundle } from 'fhir/r4';
import { transactionBytes } from '../../delivery/idempotency';
import { timeOrderedUuid } from '../../store/ids';
import { DuplicateSubmissionError, type PayloadForm, type SubmissionRecord } from '../../store/types';
import { hasBlockingIssues, type ValidationIssue } from '../../validation/issue';
import { operationOutcome } from '../../validation/outcome';
import { checkMediaType, parseSubmissionBody, readBodyLimited, ruleRef, type IntakeResult } from '../intake';
import { baseUrlOf, clientOf, requireScope } from '../context';
import { logFields } from '../logging';
import { ConcurrencyGate, EventLoopLag, Overloaded, RateLimiter, RetryAfterHold } from '../limits';
import { HttpError, sendResource } from '../respond';
import { extractSubmissionFacts, type SubmissionFacts } from '../submission-facts';
import { SCOPE_READ, SCOPE_WRITE, type AppDeps, type AuthenticatedClient, type HttpLimits } from '../types';

type Obj = Record<string, unknown>;

export interface PipelineDeps {
  deps: AppDeps;
  limits: HttpLimits;
  gate: ConcurrencyGate;
  rateLimiter: RateLimiter;
  lag: EventLoopLag;
  hold: RetryAfterHold;
}

interface ReadBody {
  body: Buffer;
  intake: IntakeResult;
}

/** The common front of both routes; answers 413/415/429/503 by throwing. */
async function admit(p: PipelineDeps, req: Request, res: Response, scopes: string[]): Promise<{ client: AuthenticatedClient; release: () => void }> {
  const client = clientOf(req);
  requireScope(client, scopes);
  const connection = req.socket;
  const hold = p.hold.holdMs(connection, client.clientId);
  if (hold > 0) await new Promise((r) => setTimeout(r, hold));
  // Every 503 of this request, whether from the gate, the event loop's lag or the validation pool.
  res.once('finish', () => {
    if (res.statusCode === 503) p.hold.refused(connection, client.clientId, Number(res.getHeader('retry-after')) || 1);
  });
  const wait = p.rateLimiter.take(client.clientId);
  if (wait > 0) {
    throw new HttpError(429, 'throttled', `too many requests from client ${client.clientId}; retry after ${wait} s`, { 'Retry-After': String(wait) });
  }
  const media = checkMediaType(req.headers['content-type']);
  if (!media.ok) throw new HttpError(415, 'not-supported', media.issue!.diagnostics);
  if (p.lag.overloaded()) throw new Overloaded(Math.min(30, Math.max(1, Math.ceil(p.lag.lagMs / 1000))));
  const release = await p.gate.acquire();
  return { client, release };
}

async function readAndParse(p: PipelineDeps, req: Request): Promise<ReadBody> {
  const body = await readBodyLimited(req, p.limits.maxBodyBytes);
  const intake = parseSubmissionBody(body, { maxBytes: p.limits.maxBodyBytes, maxDepth: p.limits.maxDepth, maxEntries: p.limits.maxEntries });
  return { body, intake };
}

function sendOutcome(res: Response, status: number, outcome: OperationOutcome, headers: Record<string, string> = {}): void {
  sendResource(res, status, outcome, headers);
}

function sameIssue(a: ValidationIssue, b: ValidationIssue): boolean {
  return a.rule?.id === b.rule?.id && a.expression === b.expression && a.code === b.code;
}

/** Intake findings, Bundle.type, and the engine's issues (absent: the engine was not run), without repeating one finding twice. */
function mergeIssues(intake: Pick<IntakeResult, 'issues'>, bundleType: unknown, engine: readonly ValidationIssue[] | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [...intake.issues];
  if (!engine) return issues;
  if (bundleType !== 'transaction') {
    issues.push({
      severity: 'error',
      code: 'value',
      diagnostics: `Bundle.type must be 'transaction' for a submission (found ${typeof bundleType === 'string' ? `'${bundleType.slice(0, 40)}'` : 'none'})`,
      expression: 'Bundle.type',
      rule: ruleRef('SUB-01'),
    });
  }
  for (const issue of engine) {
    if (!issues.some((i) => sameIssue(i, issue))) issues.push(issue);
  }
  return issues;
}

/** Beyond the SUB-10 limits the engine is not run: that is the point of the limits. */
function stopsEngine(intake: Pick<IntakeResult, 'issues'>): boolean {
  return intake.issues.some((i) => i.rule?.id === 'SUB-10');
}

async function checkBundle(p: PipelineDeps, bundle: Obj, intake: IntakeResult, now: Date, body?: Buffer): Promise<ValidationIssue[]> {
  const engine = stopsEngine(intake) ? undefined : await p.deps.validateSubmission(bundle, { now, body });
  return mergeIssues(intake, bundle.type, engine);
}

/**
 * What the submit route knows about a body before SUB-11 and SUB-12: found in-process (the
 * parse now, the engine only when asked) or by a validation worker in one step (then the main
 * thread never parses the Bundle).
 */
interface Judgement {
  intake: Pick<IntakeResult, 'issues' | 'status'>;
  resourceType?: string | null;
  facts: SubmissionFacts;
  issues(): Promise<ValidationIssue[]>;
  /**
   * What an accepted submission stores for delivery: the transaction made idempotent for its id
   * (see delivery/idempotency.ts); else the Bundle as TERM-01 normalised it, or the body as received.
   */
  payload(issues: readonly ValidationIssue[]): { bytes: Buffer; form: PayloadForm };
}

async function judge(p: PipelineDeps, body: Buffer, now: Date, submissionId: string): Promise<Judgement> {
  const pooled = p.deps.judgeSubmission;
  if (pooled) {
    const j = await pooled(body, now, submissionId);
    const issues = mergeIssues(j.intake, j.bundleType, j.engineIssues);
    return {
      intake: j.intake,
      resourceType: j.resourceType,
      facts: j.facts,
      issues: async () => issues,
      payload: () =>
        j.transaction !== undefined
          ? { bytes: Buffer.from(j.transaction.buffer, j.transaction.byteOffset, j.transaction.byteLength), form: 'transaction' }
          : { bytes: j.normalised === undefined ? body : Buffer.from(j.normalised), form: 'bundle' },
    };
  }
  const intake = parseSubmissionBody(body, { maxBytes: p.limits.maxBodyBytes, maxDepth: p.limits.maxDepth, maxEntries: p.limits.maxEntries });
  const value = intake.value as Obj | undefined;
  const bundle = value ?? {};
  return {
    intake,
    resourceType: value ? (typeof value.resourceType === 'string' ? value.resourceType : null) : undefined,
    facts: extractSubmissionFacts(bundle),
    issues: () => checkBundle(p, bundle, intake, now, body),
    // The parsed Bundle, as TERM-01 rewrote its code system URIs, made idempotent (in place: it is
    // not read after this).
    payload: () => ({ bytes: transactionBytes(bundle as unknown as Bundle, submissionId), form: 'transaction' }),
  };
}

function sub12Issue(client: AuthenticatedClient, facts: SubmissionFacts): ValidationIssue | undefined {
  const foreign = facts.performerSorCodes.filter((sor) => !client.sorCodes.includes(sor));
  if (foreign.length) {
    return {
      severity: 'error',
      code: 'forbidden',
      diagnostics: `client ${client.clientId} is not registered to report for the performing organization with SOR code ${foreign.join(', ')}`,
      expression: 'Bundle.entry.resource.ofType(DiagnosticReport).performer',
      rule: ruleRef('SUB-12'),
    };
  }
  return undefined;
}

function ruleCounts(issues: readonly ValidationIssue[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const i of issues) {
    const key = i.rule?.id ?? i.code;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function notABundle(resourceType: string | null | undefined, what: string): HttpError | undefined {
  if (resourceType !== undefined && resourceType !== 'Bundle') {
    const found = typeof resourceType === 'string' ? `a ${resourceType.slice(0, 64)}` : 'an object without resourceType';
    return new HttpError(400, 'structure', `${what} expects a FHIR Bundle, but the body is ${found}`);
  }
  return undefined;
}

const resourceTypeOf = (value: unknown): string | null | undefined =>
  value ? (typeof (value as Obj).resourceType === 'string' ? ((value as Obj).resourceType as string) : null) : undefined;

export function submitHandler(p: PipelineDeps) {
  const { deps } = p;
  const now = deps.now ?? (() => new Date());

  const answerExisting = (req: Request, res: Response, existing: SubmissionRecord, contentHash: string): void => {
    const location = `${baseUrlOf(req, deps.publicBaseUrl)}/fhir/Task/${existing.id}`;
    Object.assign(logFields(res), { submissionId: existing.id });
    if (existing.contentHash === contentHash) {
      deps.metrics.countSubmission('duplicate');
      Object.assign(logFields(res), { verdict: 'duplicate' });
      sendOutcome(res, 200, existing.outcome, { 'Content-Location': location });
      return;
    }
    deps.metrics.countSubmission('conflict');
    Object.assign(logFields(res), { verdict: 'conflict' });
    sendOutcome(
      res,
      409,
      operationOutcome([
        {
          severity: 'error',
          code: 'conflict',
          diagnostics: `this Bundle.identifier was already used by submission ${existing.id} with different content; send a new or corrected report with a new Bundle.identifier`,
          expression: 'Bundle.identifier',
          rule: ruleRef('SUB-11'),
        },
      ]),
      { 'Content-Location': location },
    );
  };

  return async (req: Request, res: Response): Promise<void> => {
    const { client, release } = await admit(p, req, res, [SCOPE_WRITE]);
    try {
      const receivedAt = now();
      const body = await readBodyLimited(req, p.limits.maxBodyBytes);
      const contentHash = createHash('sha256').update(body).digest('hex');
      // Named before judging: an acceptable Bundle is made idempotent for this id where it is parsed.
      const id = timeOrderedUuid(receivedAt.getTime());
      const judged = await judge(p, body, receivedAt, id);
      const { intake } = judged;
      if (intake.status === 400 || intake.status === 413) {
        deps.metrics.countSubmission('invalid-request');
        sendOutcome(res, intake.status, operationOutcome(intake.issues));
        return;
      }
      const bad = notABundle(judged.resourceType, 'a submission');
      if (bad) {
        deps.metrics.countSubmission('invalid-request');
        throw bad;
      }
      const facts = judged.facts;

      // SUB-11 first: in-process, a retried submission costs one lookup, not a validation.
      if (facts.bundleIdentifier) {
        const existing = await deps.store.findActiveByBundleIdentifier(client.clientId, facts.bundleIdentifier.system, facts.bundleIdentifier.value);
        if (existing) return answerExisting(req, res, existing, contentHash);
      }

      // SUB-12 before validation: a client learns nothing about reports of laboratories it does not represent.
      const forbidden = sub12Issue(client, facts);
      if (forbidden) {
        deps.metrics.countSubmission('forbidden');
        deps.metrics.countIssue('SUB-12', 'error');
        Object.assign(logFields(res), { verdict: 'forbidden' });
        sendOutcome(res, 403, operationOutcome([forbidden]));
        return;
      }

      const issues = await judged.issues();
      if (!hasBlockingIssues(issues) && facts.performerSorCodes.length === 0) {
        // The engine should have caught this (REP-05, ORG-01); without a SOR code SUB-12 cannot hold.
        issues.push({
          severity: 'error',
          code: 'required',
          diagnostics: 'the report names no performing organization with a SOR identifier, so the submitting client cannot be checked against it',
          expression: 'Bundle.entry.resource.ofType(DiagnosticReport).performer',
          rule: ruleRef('SUB-12'),
        });
      }
      for (const i of issues) deps.metrics.countIssue(i.rule?.id ?? i.code, i.severity);

      const location = `${baseUrlOf(req, deps.publicBaseUrl)}/fhir/Task/${id}`;
      const at = receivedAt.toISOString();
      const base: Omit<SubmissionRecord, 'status' | 'outcome'> = {
        id,
        clientId: client.clientId,
        region: client.region,
        sorCode: facts.performerSorCodes[0],
        bundleIdentifier: facts.bundleIdentifier,
        reportIdentifier: facts.reportIdentifier,
        subjectIdentifiers: facts.subjectIdentifiers,
        contentHash,
        sizeBytes: body.length,
        receivedAt: at,
        updatedAt: at,
        ruleCounts: ruleCounts(issues),
      };
      Object.assign(logFields(res), { submissionId: id, issues: issues.length });

      if (hasBlockingIssues(issues)) {
        const outcome = operationOutcome(issues, { id });
        const encrypted = deps.encryptRejected ? await deps.encryptRejected(body) : undefined;
        await deps.store.insertRejected({ ...base, status: 'rejected', outcome }, encrypted);
        deps.metrics.countSubmission('rejected');
        Object.assign(logFields(res), { verdict: 'rejected' });
        sendOutcome(res, 422, outcome, { 'Content-Location': location });
        return;
      }

      const receipt = operationOutcome(
        [
          {
            severity: 'information',
            code: 'informational',
            diagnostics: `submission ${id} accepted: stored, and queued for delivery to the National Genome Database; its status is at ${location}`,
          },
          ...issues,
        ],
        { id },
      );
      const payload = judged.payload(issues);
      try {
        await deps.store.insertAccepted({ ...base, status: 'accepted', outcome: receipt }, payload.bytes, undefined, payload.form);
      } catch (err) {
        if (!(err instanceof DuplicateSubmissionError) || !facts.bundleIdentifier) throw err;
        // A concurrent request with the same Bundle.identifier committed first.
        const existing = await deps.store.findActiveByBundleIdentifier(client.clientId, facts.bundleIdentifier.system, facts.bundleIdentifier.value);
        if (!existing) throw err;
        return answerExisting(req, res, existing, contentHash);
      }
      deps.metrics.countSubmission('accepted');
      Object.assign(logFields(res), { verdict: 'accepted' });
      sendOutcome(res, 202, receipt, { 'Content-Location': location });
    } finally {
      release();
    }
  };
}

/** Finds the resource to validate: the body itself, or the `resource` parameter of a Parameters body. */
function unwrapParameters(value: Obj): { resource: Obj; profiles: string[] } {
  if (value.resourceType !== 'Parameters') return { resource: value, profiles: [] };
  const params = Array.isArray(value.parameter) ? (value.parameter as unknown[]) : [];
  let resource: Obj | undefined;
  const profiles: string[] = [];
  for (const param of params) {
    if (!param || typeof param !== 'object') continue;
    const pp = param as Obj;
    if (pp.name === 'resource' && pp.resource && typeof pp.resource === 'object') resource = pp.resource as Obj;
    if (pp.name === 'profile' && typeof pp.valueUri === 'string') profiles.push(pp.valueUri);
    if (pp.name === 'profile' && typeof pp.valueCanonical === 'string') profiles.push(pp.valueCanonical);
  }
  if (!resource) throw new HttpError(400, 'required', "a Parameters body for $validate needs a 'resource' parameter holding the resource to validate");
  return { resource, profiles };
}

export function validateHandler(p: PipelineDeps, bundleOnly: boolean) {
  const { deps } = p;
  const now = deps.now ?? (() => new Date());
  return async (req: Request, res: Response): Promise<void> => {
    const { client, release } = await admit(p, req, res, [SCOPE_WRITE, SCOPE_READ]);
    try {
      const { body, intake } = await readAndParse(p, req);
      if (intake.status === 400 || intake.status === 413 || !intake.value) {
        // Beyond the depth limit nothing was parsed; that finding is the verdict.
        const status = intake.status === 422 ? 200 : (intake.status ?? 400);
        sendOutcome(res, status, operationOutcome(intake.issues));
        return;
      }
      const { resource, profiles } = unwrapParameters(intake.value as Obj);
      if (bundleOnly) {
        const bad = notABundle(resourceTypeOf(resource), 'Bundle/$validate');
        if (bad) throw bad;
      }
      let issues: ValidationIssue[];
      if (resource.resourceType === 'Bundle') {
        issues = await checkBundle(p, resource, intake, now(), resource === intake.value ? body : undefined);
        const sub12 = sub12Issue(client, extractSubmissionFacts(resource));
        if (sub12) issues.push(sub12);
      } else {
        issues = [...intake.issues, ...(await deps.validateResource(resource, { profiles }))];
      }
      Object.assign(logFields(res), { issues: issues.length, verdict: hasBlockingIssues(issues) ? 'invalid' : 'valid' });
      sendOutcome(res, 200, operationOutcome(issues, { allOkText: 'Validation successful: no issues found' }));
    } finally {
      release();
    }
  };
}
