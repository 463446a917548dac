/** Liveness, readiness and Prometheus metrics for operators. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { sendError } from '../respond';
import type { AppDeps } from '../types';

const PING_TIMEOUT_MS = 2000;

function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

export function liveHandler() {
  return (_req: Request, res: Response): void => sendJson(res, 200, { status: 'live' });
}

export function readyHandler(deps: AppDeps) {
  return async (_req: Request, res: Response): Promise<void> => {
    if (deps.isDraining?.()) return sendJson(res, 503, { status: 'draining' });
    if (deps.isReady && !deps.isReady()) return sendJson(res, 503, { status: 'starting', reason: 'definitions not compiled yet (start-up, or a validation worker being replaced)' });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.store.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), PING_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      return sendJson(res, 503, { status: 'unavailable', reason: `store ${deps.store.kind} does not answer: ${(err as Error).message}` });
    } finally {
      clearTimeout(timer);
    }
    sendJson(res, 200, { status: 'ready', store: deps.store.kind });
  };
}

/** Compared as digests, so neither the comparison's time nor its length check tells anything about the token. */
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function metricsHandler(deps: AppDeps) {
  const expected = deps.metricsToken === undefined ? undefined : digest(deps.metricsToken);
  return async (req: Request, res: Response): Promise<void> => {
    if (expected) {
      const given = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!given || !timingSafeEqual(digest(given), expected)) {
        sendError(res, 401, 'login', 'GET /metrics needs the metrics bearer token (METRICS_TOKEN)', { 'WWW-Authenticate': 'Bearer realm="metrics"' });
        return;
      }
    }
    const text = await deps.metrics.registry.metrics();
    res.status(200).setHeader('Content-Type', deps.metrics.registry.contentType);
    res.end(text);
  };
}
