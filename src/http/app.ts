/**
 * The gateway's HTTP API (Express 5). FHIR routes under /fhir speak FHIR JSON only and answer every
 * error with an OperationOutcome; nothing parses bodies globally: the submission routes read their
 * own body through the intake guard.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { createConformanceRouter } from '../ig/conformance';
import { capabilityStatement } from './capability';
import { baseUrlOf } from './context';
import { answerError, answeringErrors } from './error-answer';
import { ConcurrencyGate, EventLoopLag, RateLimiter, RetryAfterHold } from './limits';
import { requestLog } from './logging';
import { HttpError, sendError, sendResource } from './respond';
import { liveHandler, metricsHandler, readyHandler } from './routes/ops';
import { submitHandler, validateHandler, type PipelineDeps } from './routes/submission';
import { taskHandler } from './routes/task';
import { DEFAULT_HTTP_LIMITS, type AppDeps, type HttpLimits } from './types';

const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json']);

/** 406 unless the client can take FHIR JSON (Accept, or FHIR's `_format` parameter, which wins). */
const negotiate: RequestHandler = (req, _res, next) => {
  const format = req.query._format;
  if (format !== undefined) {
    const f = Array.isArray(format) ? String(format[0]) : String(format);
    if (!JSON_FORMATS.has(f.split(';')[0].trim().toLowerCase())) {
      return next(new HttpError(406, 'not-supported', `_format=${f.slice(0, 40)} is not supported; this server speaks FHIR JSON only`));
    }
    return next();
  }
  if (req.headers.accept && !req.accepts(['application/fhir+json', 'application/json'])) {
    return next(new HttpError(406, 'not-supported', `cannot answer in any of the accepted media types (${req.headers.accept.slice(0, 100)}); this server speaks application/fhir+json`));
  }
  next();
};

function methodNotAllowed(allowed: string): RequestHandler {
  return (req, res) => {
    res.setHeader('Allow', allowed);
    sendError(res, 405, 'not-supported', `${req.method} is not supported here; allowed: ${allowed}`);
  };
}

export function createApp(deps: AppDeps): express.Express {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...deps.limits };
  const gate = new ConcurrencyGate(limits.maxInFlight, limits.maxQueue, limits.queueTimeoutMs, (n) => deps.metrics.setValidationsInFlight(n));
  const pipeline: PipelineDeps = { deps, limits, gate, rateLimiter: new RateLimiter(limits.ratePerSecond, limits.rateBurst), lag: new EventLoopLag(limits.maxEventLoopLagMs), hold: new RetryAfterHold(limits.maxRetryAfterHoldMs) };
  deps.metrics.setOutboxDepthSource(() => deps.store.outboxDepth());

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestLog(deps.logger, deps.metrics));
  app.use((req, res, next) => {
    if (!deps.isDraining?.()) return next();
    // Shutting down: in-flight requests finish, new ones go to another instance.
    res.setHeader('Connection', 'close');
    if (req.path.startsWith('/health/')) return next();
    sendError(res, 503, 'transient', 'the gateway is shutting down; retry shortly', { 'Retry-After': '5' });
  });

  app.get('/health/live', liveHandler());
  app.get('/health/ready', readyHandler(deps));
  app.get('/metrics', metricsHandler(deps));
  if (deps.auth.router) app.use(deps.auth.router);

  const fhir = express.Router({ caseSensitive: true });
  fhir.use(negotiate);
  fhir
    .route('/metadata')
    .get((req, res) => {
      const base = baseUrlOf(req, deps.publicBaseUrl);
      const cs = capabilityStatement({ baseUrl: base, version: deps.version ?? '0.0.0', profiles: deps.profiles ?? [], tokenUrl: deps.auth.tokenUrl, now: (deps.now ?? (() => new Date()))() });
      sendResource(res, 200, cs);
    })
    .all(methodNotAllowed('GET'));
  const auth = deps.auth.authenticate;
  fhir.route('/').post(auth, answeringErrors(submitHandler(pipeline), deps.logger)).all(methodNotAllowed('POST'));
  fhir.route('/\\$validate').post(auth, answeringErrors(validateHandler(pipeline, false), deps.logger)).all(methodNotAllowed('POST'));
  fhir.route('/Bundle/\\$validate').post(auth, answeringErrors(validateHandler(pipeline, true), deps.logger)).all(methodNotAllowed('POST'));
  fhir.route('/Task/:id').get(auth, taskHandler(deps)).all(methodNotAllowed('GET'));
  // The NGC profiles, value sets and code systems, read-only; public like /metadata (no personal data).
  fhir.use(createConformanceRouter({ publicBaseUrl: deps.publicBaseUrl }));
  // Audit sees every POST /fhir answer, including those refused before anything is stored.
  if (deps.submissionObserver) app.use('/fhir', deps.submissionObserver);
  app.use('/fhir', fhir);
  if (deps.guide) app.use('/ig', deps.guide);
  // The auditors' SAML login and workspace (/auth/saml/*, /audit), each route guarded inside.
  if (deps.audit) app.use(deps.audit);

  app.use((req, _res, next) => next(new HttpError(404, 'not-found', `no such endpoint: ${req.method} ${req.path.slice(0, 200)}`)));

  // Every failure ends here and leaves as an OperationOutcome; stack traces go to the log only.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => answerError(err, req, res, deps.logger));
  return app;
}
