/**
 * The gateway's configuration, read once from the environment. Every setting is checked here, so a
 * typo stops the start with one clear line instead of surfacing later as a strange failure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { secretSetting } from './secret-setting';

export interface GatewayConfig {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL; absent: SQLite in dataDir. */
  databaseUrl?: string;
  /** FHIR base URL of the National Genome Database; absent: the local development sink. */
  ngcDatabaseUrl?: string;
  clientsFile?: string;
  nodeEnv: string;
  /** Where clients reach the gateway (token audience, Content-Location); default http://localhost:PORT. */
  publicBaseUrl: string;
  logLevel: string;
  limits: {
    maxBodyBytes: number;
    maxInFlight: number;
    maxQueue: number;
    queueTimeoutMs: number;
    maxEventLoopLagMs: number;
    ratePerSecond: number;
    rateBurst: number;
    maxRetryAfterHoldMs: number;
  };
  /** leaseMs: how long a claimed outbox row stays hidden from other workers (also after a crash). */
  delivery: { concurrency: number; timeoutMs: number; pollIntervalMs: number; leaseMs: number };
  /** How long SIGTERM waits for in-flight requests and deliveries before giving up. */
  shutdownTimeoutMs: number;
  /** Worker threads that validate submissions (default: one per core but one, at least one; see defaultValidationWorkers); 0 validates on the event loop. */
  validationWorkers: number;
  /** Bearer token that GET /metrics requires (METRICS_TOKEN or METRICS_TOKEN_FILE); absent: /metrics is open. */
  metricsToken?: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const STANDARD_MAX_BODY = 50 * 1024 * 1024;

function value(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}=${raw.slice(0, 40)} is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name}=${raw} is out of range (${min} to ${max})`);
  return n;
}

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n)) throw new ConfigError(`${name}=${raw.slice(0, 40)} is not a number`);
  if (n < min || n > max) throw new ConfigError(`${name}=${raw} is out of range (${min} to ${max})`);
  return n;
}

/** Shortest secret accepted: a scraper's token must not be guessable. */
const MIN_SECRET_LENGTH = 16;

/** A secret from NAME or NAME_FILE (see secret-setting.ts), trimmed; never echoed, only what is wrong with it. */
function secret(env: Env, name: string): string | undefined {
  const token = secretSetting(env, name, (message) => new ConfigError(message))?.text.trim();
  if (token === undefined) return undefined;
  if (token.length < MIN_SECRET_LENGTH) throw new ConfigError(`${name} must be at least ${MIN_SECRET_LENGTH} characters long`);
  return token;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL (got ${parsed.protocol.replace(':', '')})`);
  }
  return raw;
}

/**
 * One validation worker per core but one: the event loop (HTTP, the store's commits, delivery) keeps
 * a core of its own. On 2 cores one worker, handed its next job before it answers (see serve.ts), did
 * more than two: `bench:http` 304 and 268 accepted/s at 5.5 and 6.1 ms CPU per request, against 256
 * and 238 at 6.5 and 7.0 with two workers, which time-share the cores with the event loop (their
 * validations cost a third more CPU each), and 170 MiB less memory (one heap of definitions less).
 */
export function defaultValidationWorkers(cores: number): number {
  return Math.max(1, cores - 1);
}

export function loadConfig(env: Env = process.env): GatewayConfig {
  const nodeEnv = value(env, 'NODE_ENV') ?? 'development';
  const production = nodeEnv === 'production';
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const host = value(env, 'HOST') ?? '0.0.0.0';

  const dataDir = path.resolve(value(env, 'DATA_DIR') ?? './data');
  if (fs.existsSync(dataDir) && !fs.statSync(dataDir).isDirectory()) throw new ConfigError(`DATA_DIR=${dataDir} exists and is not a directory`);

  // DATABASE_URL carries a password: never echo it, only say what is wrong with it.
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const ngcDatabaseUrl = url(env, 'NGC_DATABASE_URL', production ? ['https:'] : ['http:', 'https:']);
  if (production && !ngcDatabaseUrl) {
    throw new ConfigError('NGC_DATABASE_URL is required when NODE_ENV=production (the local development sink is refused)');
  }

  const clientsFile = value(env, 'CLIENTS_FILE') ? path.resolve(value(env, 'CLIENTS_FILE')!) : undefined;
  if (clientsFile) {
    try {
      fs.accessSync(clientsFile, fs.constants.R_OK);
    } catch {
      throw new ConfigError(`CLIENTS_FILE=${clientsFile} cannot be read`);
    }
  } else if (production) {
    throw new ConfigError('CLIENTS_FILE is required when NODE_ENV=production (the registry of regional systems)');
  }

  const publicBaseUrl = (url(env, 'PUBLIC_BASE_URL', production ? ['https:'] : ['http:', 'https:']) ?? `http://localhost:${port || 8080}`).replace(/\/+$/, '');
  const logLevel = value(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL=${logLevel.slice(0, 20)} is not one of ${LOG_LEVELS.join(', ')}`);

  const delivery = {
    concurrency: integer(env, 'DELIVERY_CONCURRENCY', 16, 1, 256),
    timeoutMs: integer(env, 'DELIVERY_TIMEOUT_MS', 30_000, 100, 600_000),
    pollIntervalMs: integer(env, 'DELIVERY_POLL_MS', 1000, 10, 600_000),
    leaseMs: integer(env, 'DELIVERY_LEASE_MS', 120_000, 1000, 3_600_000),
  };
  // A lease shorter than one send would let a second worker send the same row while the first still waits.
  if (delivery.leaseMs <= delivery.timeoutMs) {
    throw new ConfigError(`DELIVERY_LEASE_MS (${delivery.leaseMs}) must be longer than DELIVERY_TIMEOUT_MS (${delivery.timeoutMs})`);
  }

  const metricsToken = secret(env, 'METRICS_TOKEN');

  return {
    port,
    host,
    dataDir,
    databaseUrl,
    ngcDatabaseUrl,
    clientsFile,
    nodeEnv,
    publicBaseUrl,
    logLevel,
    limits: {
      // The standard's 50 MiB is the ceiling; an operator may only lower it.
      maxBodyBytes: integer(env, 'MAX_BODY_BYTES', STANDARD_MAX_BODY, 1024, STANDARD_MAX_BODY),
      maxInFlight: integer(env, 'MAX_IN_FLIGHT', 16, 1, 10_000),
      maxQueue: integer(env, 'MAX_QUEUE', 64, 0, 100_000),
      queueTimeoutMs: integer(env, 'QUEUE_TIMEOUT_MS', 10_000, 1, 600_000),
      maxEventLoopLagMs: integer(env, 'MAX_EVENT_LOOP_LAG_MS', 1000, 0, 600_000),
      ratePerSecond: number(env, 'RATE_LIMIT_PER_SECOND', 20, 0, 1_000_000),
      rateBurst: integer(env, 'RATE_LIMIT_BURST', 40, 1, 1_000_000),
      maxRetryAfterHoldMs: integer(env, 'MAX_RETRY_AFTER_HOLD_MS', 2000, 0, 60_000),
    },
    delivery,
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
    validationWorkers: integer(env, 'VALIDATION_WORKERS', defaultValidationWorkers(os.availableParallelism()), 0, 64),
    metricsToken,
  };
}
