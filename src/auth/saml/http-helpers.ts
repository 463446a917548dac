/** Small response helpers shared by the SAML routes and the guards. */
import type { Request, Response } from 'express';
import { singleIssueOutcome } from '../../validation/outcome';
import type { IssueType } from '../../validation/issue';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A browser navigation (as opposed to an API client or a script). */
export function wantsHtml(req: Request): boolean {
  return (req.get('accept') ?? '').includes('text/html');
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** An error answer: a short HTML page for browsers, an OperationOutcome for everything else. */
export function sendError(req: Request, res: Response, status: number, code: IssueType, message: string): void {
  res.set('Cache-Control', 'no-store');
  if (wantsHtml(req)) {
    res.status(status).type('html').send(page(status === 403 ? 'Access denied' : 'Login required', `<p>${escapeHtml(message)}</p><p><a href="/auth/saml/login">Log in</a></p>`));
    return;
  }
  res.status(status).type('application/fhir+json').send(JSON.stringify(singleIssueOutcome('error', code, message)));
}

/** A local path to return to after login; anything else (other hosts, `//host`, `/\host`) becomes the default. */
export function safeReturnTo(value: unknown, fallback = '/audit'): string {
  if (typeof value !== 'string' || value.length > 1024) return fallback;
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(value) || value.includes('\\')) return fallback;
  return value;
}
