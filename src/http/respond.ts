/** Every answer of the FHIR API is FHIR JSON; errors are OperationOutcomes built in one place. */
import type { Response } from 'express';
import type { Resource } from 'fhir/r4';
import type { IssueType } from '../validation/issue';
import { singleIssueOutcome } from '../validation/outcome';

export const FHIR_JSON_UTF8 = 'application/fhir+json; charset=utf-8';

export function sendResource(res: Response, status: number, resource: Resource | object, headers: Record<string, string> = {}): void {
  res.status(status);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', FHIR_JSON_UTF8);
  res.end(JSON.stringify(resource));
}

/** An HTTP error to be answered with a single-issue OperationOutcome by the error handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: IssueType,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendError(res: Response, status: number, code: IssueType, diagnostics: string, headers: Record<string, string> = {}): void {
  sendResource(res, status, singleIssueOutcome(status >= 500 ? 'fatal' : 'error', code, diagnostics), headers);
}
