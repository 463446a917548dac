/**
 * How every failure leaves the FHIR API: as an OperationOutcome with the right status, stack traces
 * to the log only. The app's final error handler uses it, and so do the submission routes directly:
 * an error passed to Express's `next` walks the whole middleware stack looking for a handler, which
 * under overload (a 503 for most requests) costs more than building the answer itself.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { BodyReadError, BodyTooLargeError } from './intake';
import { Overloaded } from './limits';
import { maskCpr } from './logging';
import { HttpError, sendError } from './respond';

export function answerError(err: unknown, req: Request, res: Response, logger: Pick<Logger, 'error'>): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message, err.headers);
  if (err instanceof BodyTooLargeError) {
    // The rest of the body is not read; the connection cannot be reused.
    res.setHeader('Connection', 'close');
    return sendError(res, 413, 'too-costly', `${err.message} (SUB-10)`);
  }
  if (err instanceof BodyReadError) return sendError(res, 400, 'incomplete', err.message);
  if (err instanceof Overloaded) {
    return sendError(res, 503, 'transient', 'the gateway is at capacity; retry later', { 'Retry-After': String(err.retryAfterSec) });
  }
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Errors raised by Express itself (e.g. a malformed URL): the client's fault, told plainly.
    return sendError(res, status, 'invalid', maskCpr(String((err as Error).message ?? 'bad request')).slice(0, 200));
  }
  const e = err as Error;
  logger.error({ reqId: req.requestId, err: { name: e?.name, message: maskCpr(String(e?.message)), stack: e?.stack ? maskCpr(e.stack) : undefined } }, 'unhandled error');
  sendError(res, 500, 'exception', `internal error; quote request id ${req.requestId ?? 'unknown'} to NGC support`);
}

/** A route handler that answers its own failures (see above) instead of handing them to `next`. */
export function answeringErrors(handler: (req: Request, res: Response) => Promise<void>, logger: Pick<Logger, 'error'>): RequestHandler {
  return (req, res) => handler(req, res).catch((err: unknown) => answerError(err, req, res, logger));
}
