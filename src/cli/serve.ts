/**
 * `ngc-gateway serve`: configuration → store (migrations) → HTTP server → definitions compiled →
 * delivery worker. The server listens before the definitions are compiled, so orchestrators see
 * it live at once and ready (/health/ready) only when it can judge submissions.
 *
 * SIGTERM/SIGINT: stop accepting, let in-flight requests and deliveries finish, close the store,
 * exit 0 (1 when the grace period ran out).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type GatewayConfig } from '../config';
import { createApp, createLogger, createMetrics, HttpError, type AppDeps } from '../http';
import { openStore, type GatewayStore } from '../store';
import * as smart from '../auth/smart';
import { createDeliveryWorker, createTargetFromEnv } from '../delivery';
import { createSubmissionValidator, type SubmissionValidator } from '../submission';
import { createSubmissionPool, PoolOverloaded, warmUpSubmissionValidator, type SubmissionPool } from '../submission/pool';
import { setupAudit, submissionObserver, type AuditSetup } from '../audit';
import { createIgRouter } from '../ig';
import { fixHeapGrowth } from './heap-growth';
import type { Validator } from '../validation/validator-types';

export const SERVE_USAGE = `usage: ngc-gateway serve

Runs the gateway: FHIR API on PORT, delivery worker, health and metrics. Configured from the
environment: PORT (8080), HOST (0.0.0.0), DATA_DIR (./data), DATABASE_URL (PostgreSQL; default
SQLite in DATA_DIR), NGC_DATABASE_URL (default: local development sink), CLIENTS_FILE (default:
development registry in DATA_DIR), PUBLIC_BASE_URL, NODE_ENV, LOG_LEVEL, MAX_BODY_BYTES,
MAX_IN_FLIGHT, MAX_QUEUE, QUEUE_TIMEOUT_MS, MAX_EVENT_LOOP_LAG_MS, MAX_RETRY_AFTER_HOLD_MS,
RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST,
DELIVERY_CONCURRENCY, DELIVERY_TIMEOUT_MS, DELIVERY_POLL_MS, DELIVERY_LEASE_MS, SHUTDOWN_TIMEOUT_MS,
VALIDATION_WORKERS (validation threads; default one per core but one, at least one; 0 = on the event loop),
METRICS_TOKEN or METRICS_TOKEN_FILE (bearer token GET /metrics then requires; default: open).
Audit: AUDIT_KEYS_FILE or AUDIT_KEY + AUDIT_HMAC_KEY (default: development keys in DATA_DIR),
AUDIT_RETENTION_DAYS (365), SAML_* (default: local development IdP; required in production for /audit).
`;

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function fail(message: string, code: number): number {
  process.stderr.write(`ngc-gateway serve: ${message.split('\n')[0]}\n`);
  return code;
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  if (args.length) return fail(`unexpected argument '${args[0]}' (serve is configured from the environment; see --help)`, 2);

  let config: GatewayConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message, 2);
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  const metrics = createMetrics();

  let store: GatewayStore;
  try {
    store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (err) {
    return fail(`cannot open the ${config.databaseUrl ? 'PostgreSQL' : 'SQLite'} store: ${(err as Error).message}`, 1);
  }

  // Audit before auth: failed logins are audited, and every user of the store below sees the audited
  // one (rejected payloads encrypted, records and AuditEvents written).
  let audit: AuditSetup;
  try {
    audit = await setupAudit({ env: process.env, nodeEnv: config.nodeEnv, dataDir: config.dataDir, databaseUrl: config.databaseUrl, publicBaseUrl: config.publicBaseUrl, store, logger: logger.child({ component: 'audit' }), destination: config.ngcDatabaseUrl });
  } catch (err) {
    await store.close().catch(() => undefined);
    return fail(`audit: ${(err as Error).message}`, 2);
  }
  store = audit.audit.wrapStore(store);

  let auth;
  let target;
  try {
    const authLogger = logger.child({ component: 'auth' });
    const registry = smart.resolveClientRegistry({ clientsFile: config.clientsFile, dataDir: config.dataDir, nodeEnv: config.nodeEnv, logger: authLogger });
    registry.enableSighupReload(authLogger);
    const keys = smart.loadGatewayKeys({ nodeEnv: config.nodeEnv, dataDir: config.dataDir });
    auth = smart.createSmartAuth({ registry, keys, store, publicBaseUrl: config.publicBaseUrl, nodeEnv: config.nodeEnv, logger: authLogger, onAuthFailure: audit.audit.onSmartFailure });
    target = createTargetFromEnv({ ngcDatabaseUrl: config.ngcDatabaseUrl, dataDir: config.dataDir, nodeEnv: config.nodeEnv, timeoutMs: config.delivery.timeoutMs });
  } catch (err) {
    await audit.close();
    await store.close().catch(() => undefined);
    return fail((err as Error).message, 2);
  }

  let judge: SubmissionValidator | undefined;
  let resourceValidator: Validator | undefined;
  let profiles: Array<{ url: string; type: string }> = [];
  let draining = false;
  // Workers are started now and compile in parallel with the main thread's engine (which still serves
  // the guide's validate page and $validate of single resources).
  const pool: SubmissionPool | undefined =
    config.validationWorkers > 0
      ? createSubmissionPool({
          size: config.validationWorkers,
          maxQueue: config.limits.maxInFlight + config.limits.maxQueue,
          // The next job waits in the worker's queue while it judges: it never idles while the event loop is busy.
          jobsPerWorker: 2,
          limits: { maxBytes: config.limits.maxBodyBytes },
          onWorkerExit: ({ code, replaced }) => logger.error({ code, replaced }, 'a validation worker stopped'),
        })
      : undefined;
  let poolReady = pool === undefined;
  const notReady = () => new HttpError(503, 'transient', 'the gateway is starting (definitions are being compiled); retry shortly', { 'Retry-After': '5' });

  const deps: AppDeps = {
    store,
    validateSubmission: async (bundle, { now, body }) => {
      if (!judge || !poolReady) throw notReady();
      if (!pool || !body) return judge.validateParsed(bundle, now).issues;
      let verdict;
      try {
        verdict = await pool.validateBytes(body, now);
      } catch (err) {
        if (err instanceof PoolOverloaded) throw new HttpError(503, 'transient', 'all validation workers are busy; retry shortly', { 'Retry-After': String(err.retryAfterSec) });
        throw new HttpError(503, 'transient', `${(err as Error).message}`, { 'Retry-After': '1' });
      }
      if (verdict.normalised) {
        // The caller stores the Bundle it holds; it must be the TERM-01-normalised form, as in-process.
        for (const key of Object.keys(bundle)) delete bundle[key];
        Object.assign(bundle, JSON.parse(verdict.normalised) as Record<string, unknown>);
      }
      return verdict.issues;
    },
    // Submissions are parsed, judged and their facts read in a worker: the event loop never parses them.
    judgeSubmission: pool
      ? async (body, now, submissionId) => {
          if (!judge || !poolReady) throw notReady();
          try {
            return await pool.judgeBytes(body, now, submissionId);
          } catch (err) {
            if (err instanceof PoolOverloaded) throw new HttpError(503, 'transient', 'all validation workers are busy; retry shortly', { 'Retry-After': String(err.retryAfterSec) });
            throw new HttpError(503, 'transient', `${(err as Error).message}`, { 'Retry-After': '1' });
          }
        }
      : undefined,
    validateResource: (resource, { profiles: extra }) => {
      if (!resourceValidator) throw notReady();
      return resourceValidator.validate(resource, { profiles: extra });
    },
    auth: { authenticate: auth.authenticate, router: auth.router, tokenUrl: auth.tokenUrl },
    logger,
    metrics,
    limits: config.limits,
    publicBaseUrl: config.publicBaseUrl,
    get profiles() {
      return profiles;
    },
    // Not while the only validation worker is being replaced: a balancer should send the work elsewhere.
    isReady: () => judge !== undefined && (pool === undefined || pool.isReady()),
    isDraining: () => draining,
    version: packageVersion(),
    encryptRejected: audit.audit.encrypt,
    audit: audit.router,
    submissionObserver: submissionObserver(audit.audit),
    metricsToken: config.metricsToken,
    // The guide's validate page judges with the same engine once it is compiled (503 until then).
    guide: createIgRouter({ submissionValidator: () => judge, logger: logger.child({ component: 'ig' }) }),
  };
  const app = createApp(deps);
  const server = app.listen(config.port, config.host);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (err) {
    await store.close().catch(() => undefined);
    return fail(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`, 1);
  }
  // Slow clients must not hold sockets forever; a 50 MiB upload still has minutes.
  server.requestTimeout = 300_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  const port = (server.address() as AddressInfo).port;
  logger.info({ url: `http://${config.host}:${port}`, publicBaseUrl: config.publicBaseUrl, store: store.kind, delivery: target.description, nodeEnv: config.nodeEnv }, `ngc-gateway listening on port ${port}`);

  const worker = createDeliveryWorker({
    store,
    target,
    logger: logger.child({ component: 'delivery' }),
    metrics: { onAttempt: (outcome, durationMs) => metrics.recordDeliveryAttempt(outcome, durationMs / 1000) },
    options: { concurrency: config.delivery.concurrency, pollIntervalMs: config.delivery.pollIntervalMs, leaseMs: config.delivery.leaseMs },
  });

  const stopped = new Promise<number>((resolve) => {
    let shuttingDown = false;
    const shutdown = (signal: string) => {
      if (shuttingDown) return;
      shuttingDown = true;
      draining = true;
      logger.info({ signal }, 'shutting down: finishing in-flight requests and deliveries');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown grace period ran out; closing remaining connections');
        server.closeAllConnections();
        resolve(1);
      }, config.shutdownTimeoutMs);
      timer.unref();
      const httpDone = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      Promise.all([httpDone, worker.stop()])
        .then(() => target.close?.())
        .then(() => pool?.close())
        .then(() => audit.close())
        .then(() => store.close())
        .then(
          () => {
            clearTimeout(timer);
            logger.info('stopped');
            resolve(0);
          },
          (err: Error) => {
            logger.error({ err: { message: err.message } }, 'error during shutdown');
            resolve(1);
          },
        );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });

  // Compile after listening: the event loop is busy for a moment, then the gateway turns ready.
  setImmediate(async () => {
    try {
      const started = Date.now();
      const sv = createSubmissionValidator();
      // Moves the engine's lazy profile compilation (seconds) from the first submission to start-up.
      profiles = warmUpSubmissionValidator(sv);
      resourceValidator = sv.validator;
      judge = sv;
      if (pool) {
        await pool.ready;
        poolReady = true;
      }
      // From now on the heaps hold the compiled definitions and only churn (see heap-growth.ts);
      // while compiling, V8's own growth, which is faster when allocation is, serves better.
      const heapGrowingPercent = fixHeapGrowth();
      logger.info({ ms: Date.now() - started, profiles: profiles.length, validationWorkers: pool?.size ?? 0, heapGrowingPercent: heapGrowingPercent ?? 'set on the command line' }, 'definitions compiled; ready');
      if (!draining) worker.start();
    } catch (err) {
      logger.fatal({ err: { message: (err as Error).message } }, 'cannot compile the FHIR definitions and NGC profiles');
      process.kill(process.pid, 'SIGTERM');
    }
  });

  const code = await stopped;
  // Anything still holding the event loop open (a stuck socket) must not keep a stopped gateway alive.
  setTimeout(() => process.exit(code), 2000).unref();
  return code;
}
