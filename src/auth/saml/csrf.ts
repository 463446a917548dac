/**
 * Synchronizer-token CSRF protection: one random token per session, rendered into forms through
 * `res.locals.csrfToken`, required (form field `_csrf` or header `X-CSRF-Token`) on every
 * state-changing request. SameSite=Lax already stops most cross-site POSTs; this covers the rest
 * (same-site subdomains, older browsers).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import { sendError } from './http-helpers';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const formParser = express.urlencoded({ extended: false, limit: '100kb' });

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Needs a session (run after the session middleware). */
export function createCsrfProtection(onFailure: (req: express.Request, reason: string) => void): RequestHandler {
  const check: RequestHandler = (req, res, next) => {
    if (!req.session) {
      next(new Error('csrfProtection needs the session middleware before it'));
      return;
    }
    if (!req.session.csrfToken) req.session.csrfToken = randomBytes(32).toString('base64url');
    res.locals.csrfToken = req.session.csrfToken;
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const body = req.body as Record<string, unknown> | undefined;
    const submitted = req.get('x-csrf-token') ?? (typeof body?._csrf === 'string' ? body._csrf : undefined);
    if (!submitted || !sameToken(submitted, req.session.csrfToken)) {
      onFailure(req, submitted ? 'CSRF token does not match the session' : 'CSRF token missing');
      sendError(req, res, 403, 'forbidden', 'The form has expired or did not come from this site. Reload the page and try again.');
      return;
    }
    next();
  };
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || req.body !== undefined) return check(req, res, next);
    formParser(req, res, (err?: unknown) => (err ? next(err) : check(req, res, next)));
  };
}
