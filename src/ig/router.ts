/**
 * The guide as the gateway serves it: the static site at /ig/ (with /ig/package.tgz) and the
 * "validate your Bundle" endpoint `POST /ig/validate`. The endpoint needs no token and stores
 * nothing, so it is bounded instead: a size limit and a token bucket per client address.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { OperationOutcome } from 'fhir/r4';
import { BodyReadError, BodyTooLargeError, readBodyLimited } from '../http/intake';
import { maskCpr } from '../http/logging';
import type { SubmissionVerdict } from '../submission';
import { operationOutcome, singleIssueOutcome } from '../validation/outcome';
import type { IssueType } from '../validation/issue';
import { parseMediaType, parseMultipart } from './form-body';
import { DEFAULT_SITE_DIR } from './package';
import { DEFAULT_VALIDATE_MAX_BYTES } from './constants';
import { esc } from './site/html';
import { validateResultPage } from './site/validate-page';

export interface IgLimits {
  /** Largest Bundle the endpoint takes (bytes). */
  maxBytes: number;
  /** Token bucket per client address: validations per minute, sustained, and the burst. */
  ratePerMinute: number;
  burst: number;
  /** Addresses tracked at once; beyond that the fullest buckets are forgotten first. */
  maxTrackedClients: number;
  /**
   * All addresses together, per minute (burst the same): validation is synchronous CPU work on the
   * gateway that also takes submissions, so a crowd of addresses must not crowd those out. 0: none.
   */
  globalPerMinute: number;
}

export const DEFAULT_IG_LIMITS: IgLimits = { maxBytes: DEFAULT_VALIDATE_MAX_BYTES, ratePerMinute: 10, burst: 10, maxTrackedClients: 10_000, globalPerMinute: 120 };

type BytesValidator = { validateBytes(body: Buffer): SubmissionVerdict | Promise<SubmissionVerdict> };

export interface IgRouterOptions {
  /** The rendered site (`npm run build:ig`); default implementation-guide/site. */
  siteDir?: string;
  /**
   * The same verdict as `POST /fhir` (createSubmissionValidator()). A function may return
   * undefined while the gateway is still compiling its definitions: the endpoint answers 503.
   */
  submissionValidator: BytesValidator | (() => BytesValidator | undefined);
  limits?: Partial<IgLimits>;
  /** Clock for the token bucket (ms). */
  now?: () => number;
  /** Where a validator failure is reported (pino-like); never with the Bundle, which may hold a CPR number. */
  logger?: { error(obj: object, msg: string): void };
}

const FHIR_JSON_UTF8 = 'application/fhir+json; charset=utf-8';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Token bucket per key; `take` answers 0 when allowed, else the seconds to wait. */
export class IpRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): number {
    if (this.perMinute <= 0) return 0;
    const t = this.now();
    const perMs = this.perMinute / 60_000;
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * perMs);
      b.at = t;
    } else {
      if (this.buckets.size >= this.maxKeys) this.forgetFull(t);
      b = { tokens: this.burst, at: t };
      this.buckets.set(key, b);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
  }

  /** A full bucket carries no memory worth keeping; when still too many, drop the oldest. */
  private forgetFull(t: number): void {
    const perMs = this.perMinute / 60_000;
    for (const [k, b] of this.buckets) if (b.tokens + (t - b.at) * perMs >= this.burst) this.buckets.delete(k);
    while (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}

class GuideError extends Error {
  constructor(
    readonly status: number,
    readonly code: IssueType,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Submitted {
  bytes: Buffer;
  /** True for browser form posts: the answer is an HTML page, not an OperationOutcome. */
  form: boolean;
  /** What was pasted, to refill the form. */
  pasted: string;
}

async function readSubmitted(req: Request, maxBytes: number): Promise<Submitted> {
  const media = parseMediaType(req.headers['content-type']);
  const type = media?.type;
  if (type === 'application/fhir+json' || type === 'application/json') {
    return { bytes: await readBodyLimited(req, maxBytes), form: false, pasted: '' };
  }
  if (type === 'application/x-www-form-urlencoded') {
    // Percent-encoding can triple the size of a Bundle: the limit applies to the decoded Bundle.
    const body = await readBodyLimited(req, maxBytes * 3 + 1024);
    const text = new URLSearchParams(body.toString('utf8')).get('bundle') ?? '';
    return { bytes: Buffer.from(text, 'utf8'), form: true, pasted: text };
  }
  if (type === 'multipart/form-data') {
    const body = await readBodyLimited(req, maxBytes * 2 + 64 * 1024);
    let parts;
    try {
      parts = parseMultipart(body, media!.params.get('boundary') ?? '');
    } catch (err) {
      throw new GuideError(400, 'structure', `the form data could not be read: ${(err as Error).message}`);
    }
    const file = parts.find((p) => p.name === 'file' && p.data.length > 0);
    const pasted = parts.find((p) => p.name === 'bundle')?.data.toString('utf8') ?? '';
    return { bytes: file ? Buffer.from(file.data) : Buffer.from(pasted, 'utf8'), form: true, pasted: file ? '' : pasted };
  }
  throw new GuideError(415, 'not-supported', `send the Bundle as application/fhir+json (or as the guide's form); ${type ? `'${type.slice(0, 60)}' is not supported` : 'no Content-Type was given'}`);
}

function wantsHtml(req: Request): boolean {
  const type = parseMediaType(req.headers['content-type'])?.type;
  return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}

function htmlHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

function send(res: Response, status: number, outcome: OperationOutcome, asHtml: boolean, maxBytes: number, pasted = '', headers: Record<string, string> = {}): void {
  res.status(status);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Cache-Control', 'no-store');
  if (asHtml) {
    htmlHeaders(res);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(validateResultPage(status, outcome, maxBytes, pasted));
  } else {
    res.setHeader('Content-Type', FHIR_JSON_UTF8);
    res.end(JSON.stringify(outcome));
  }
}

function notBuiltPage(siteDir: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not found · NGC implementation guide</title></head><body><main><h1>Not found</h1><p>${
    fs.existsSync(path.join(siteDir, 'index.html'))
      ? 'There is no such page in the implementation guide. <a href="/ig/">Start at the overview</a>.'
      : 'The implementation guide has not been built on this gateway: run <code>npm run build:ig</code>.'
  }</p><p>${esc('NGC Genomic Reporting')}</p></main></body></html>`;
}

export function createIgRouter(options: IgRouterOptions): Router {
  const siteDir = options.siteDir ?? DEFAULT_SITE_DIR;
  const limits: IgLimits = { ...DEFAULT_IG_LIMITS, ...options.limits };
  const limiter = new IpRateLimiter(limits.ratePerMinute, limits.burst, limits.maxTrackedClients, options.now);
  const everyone = new IpRateLimiter(limits.globalPerMinute, limits.globalPerMinute, 1, options.now);
  const validatorOf = (): BytesValidator | undefined => (typeof options.submissionValidator === 'function' ? options.submissionValidator() : options.submissionValidator);

  const router = express.Router({ caseSensitive: true, strict: true });

  // `/ig` → `/ig/`: the site's links are relative.
  router.use((req, res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && req.originalUrl.split('?')[0] === req.baseUrl && req.baseUrl) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    next();
  });

  router
    .route('/validate')
    .post(async (req: Request, res: Response) => {
      const asHtml = wantsHtml(req);
      const wait = limiter.take(req.ip ?? req.socket.remoteAddress ?? 'unknown');
      if (wait > 0) {
        req.resume();
        const outcome = singleIssueOutcome('error', 'throttled', `too many validations from your address; retry after ${wait} s (the guide's validator takes ${limits.ratePerMinute} per minute)`);
        send(res, 429, outcome, asHtml, limits.maxBytes, '', { 'Retry-After': String(wait) });
        return;
      }
      const busy = everyone.take('*');
      if (busy > 0) {
        req.resume();
        const outcome = singleIssueOutcome('error', 'transient', `the guide's validator is busy; retry after ${busy} s, or validate locally with ngc-gateway validate`);
        send(res, 503, outcome, asHtml, limits.maxBytes, '', { 'Retry-After': String(busy) });
        return;
      }
      try {
        const submitted = await readSubmitted(req, limits.maxBytes);
        if (submitted.bytes.length > limits.maxBytes) throw new BodyTooLargeError(limits.maxBytes);
        if (submitted.bytes.length === 0) throw new GuideError(400, 'required', 'no Bundle was given: paste one or choose a file');
        const validator = validatorOf();
        if (!validator) throw new GuideError(503, 'transient', 'the gateway is starting (definitions are being compiled); retry shortly', { 'Retry-After': '5' });
        const verdict = await validator.validateBytes(submitted.bytes);
        const status = verdict.status === 400 || verdict.status === 413 ? verdict.status : 200;
        send(res, status, operationOutcome(verdict.issues, { allOkText: 'Validation successful: no issues found' }), submitted.form, limits.maxBytes, submitted.pasted);
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          res.setHeader('Connection', 'close');
          send(res, 413, singleIssueOutcome('error', 'too-costly', `the guide's validator takes Bundles of at most ${limits.maxBytes} bytes; validate larger ones with ngc-gateway validate`), asHtml, limits.maxBytes);
          return;
        }
        if (err instanceof GuideError) return send(res, err.status, singleIssueOutcome('error', err.code, err.message), asHtml, limits.maxBytes, '', err.headers);
        if (err instanceof BodyReadError) return send(res, 400, singleIssueOutcome('error', 'incomplete', err.message), asHtml, limits.maxBytes);
        const status = (err as { status?: unknown }).status;
        if (typeof status === 'number' && status === 503) {
          return send(res, 503, singleIssueOutcome('error', 'transient', 'the gateway is starting; retry shortly'), asHtml, limits.maxBytes, '', { 'Retry-After': '5' });
        }
        const e = err as Error;
        options.logger?.error({ component: 'ig-validate', err: { name: e?.name, stack: maskCpr(String(e?.stack ?? e)) } }, 'the guide validator failed');
        send(res, 500, singleIssueOutcome('fatal', 'exception', 'the validator failed on this input; NGC support has the details'), asHtml, limits.maxBytes);
      }
    })
    .get((req, res) => res.redirect(303, 'validate.html'))
    .all((req, res) => {
      res.setHeader('Allow', 'GET, POST');
      send(res, 405, singleIssueOutcome('error', 'not-supported', `${req.method} is not supported here`), false, limits.maxBytes);
    });

  router.use(
    express.static(siteDir, {
      index: 'index.html',
      redirect: false,
      dotfiles: 'ignore',
      fallthrough: true,
      setHeaders: (res, file) => {
        htmlHeaders(res);
        res.setHeader('Cache-Control', 'public, max-age=300');
        if (file.endsWith('.tgz')) res.setHeader('Content-Type', 'application/gzip');
        if (file.endsWith('.json')) res.setHeader('Content-Type', 'application/fhir+json; charset=utf-8');
      },
    }),
  );

  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    htmlHeaders(res);
    res.status(404).setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(notBuiltPage(siteDir));
  });
  return router;
}
