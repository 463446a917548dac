/**
 * Structured JSON logs (pino). What goes in is chosen field by field: request id, client id,
 * method, route, status, latency, submission id. Never bodies, tokens or query strings; and as a
 * last guard every string that looks like a CPR number is masked before it is written.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { GatewayMetrics } from './metrics';

// DDMMYY-SSSS with or without the dash, not inside a longer run of digits.
const CPR_PATTERN = /(?<!\d)([0-3]\d[01]\d\d\d)-?(\d{4})(?!\d)/g;

export function maskCpr(text: string): string {
  return text.replace(CPR_PATTERN, '[CPR]');
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskCpr(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1);
  return out;
}

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'ngc-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', 'access_token', 'client_assertion', 'body', 'payload'],
        censor: '[redacted]',
      },
      formatters: {
        log: (object) => scrub(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskCpr(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}

declare module 'http' {
  interface IncomingMessage {
    /** Set by the request-log middleware; echoed as X-Request-Id. */
    requestId?: string;
  }
}

/** Per-request facts the handlers add for the access log line. */
export function logFields(res: Response): Record<string, unknown> {
  const locals = res.locals as { logFields?: Record<string, unknown> };
  locals.logFields ??= {};
  return locals.logFields;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestLog(logger: Logger, metrics: GatewayMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.requestId = id;
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The matched route pattern, not the URL: ids and query strings stay out of labels and logs.
      const route = (req.route as { path?: string } | undefined)?.path ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched';
      metrics.observeRequest(req.method, route, res.statusCode, seconds);
      // Below the configured level the line would be dropped: spare building it for every request.
      if (!logger.isLevelEnabled('info')) return;
      const client = (req as { client?: { clientId?: string } }).client;
      logger.info(
        {
          reqId: id,
          method: req.method,
          route,
          status: res.statusCode,
          latencyMs: Math.round(seconds * 10000) / 10,
          clientId: client?.clientId,
          bytesIn: Number(req.headers['content-length']) || undefined,
          ...(res.locals as { logFields?: Record<string, unknown> }).logFields,
        },
        'request',
      );
    });
    next();
  };
}
