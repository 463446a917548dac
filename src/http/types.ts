/**
 * What the HTTP layer needs from the rest of the gateway. Everything is injected through `AppDeps`
 * so the app can be built with the real store, validator and auth in `serve`, and with real parts
 * in temp dirs in the tests.
 */
import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { GatewayStore } from '../store/types';
import type { ValidationIssue } from '../validation/issue';
import type { GatewayMetrics } from './metrics';
import type { SubmissionFacts } from './submission-facts';

/** The authenticated caller, as the auth middleware leaves it on `req.client`. */
export interface AuthenticatedClient {
  clientId: string;
  name?: string;
  region?: string;
  /** SOR codes of the laboratories this client may report for (SUB-12). */
  sorCodes: string[];
  /** SMART scopes granted, e.g. `system/Bundle.write`. */
  scopes: string[];
}

export const SCOPE_WRITE = 'system/Bundle.write';
export const SCOPE_READ = 'system/Bundle.read';

/** Validates a parsed submission Bundle (FHIR engine + NGC profiles + NGC rules); EVERY issue. */
export type SubmissionValidator = (
  bundle: Record<string, unknown>,
  /** `body`: the raw request bytes `bundle` was parsed from, when it is the whole body (a worker pool re-parses them off the event loop). */
  context: { now: Date; body?: Buffer },
) => ValidationIssue[] | Promise<ValidationIssue[]>;
/**
 * Everything the submission route needs to know about raw request bytes, found in one step off the
 * event loop (a validation worker): the intake guard's findings, the facts for SUB-11/SUB-12 and
 * the audit, and the engine's verdict. The route still answers in the same order as in-process.
 */
export interface JudgedSubmission {
  intake: { issues: ValidationIssue[]; status?: number };
  /** The parsed root's resourceType: absent when nothing was parsed, null when it names none. */
  resourceType?: string | null;
  /** Bundle.type when it is a string. */
  bundleType?: string;
  facts: SubmissionFacts;
  /** The engine's issues; absent when the intake guard kept the body from the engine. */
  engineIssues?: ValidationIssue[];
  /** The Bundle's JSON after TERM-01 normalisation, when TERM-01 rewrote it. */
  normalised?: string;
  /**
   * When the engine found no blocking issue and a submission id was given: the Bundle (after
   * TERM-01) made idempotent for that id, as UTF-8 JSON, which the outbox stores and delivery sends.
   * Bytes rather than a string: a validation worker hands them over without a copy, and they stay
   * out of the main thread's heap (a 20-40 KB string would be cloned into it).
   */
  transaction?: Uint8Array;
}
/** Judges `POST /fhir` bytes; `submissionId` is the id the submission gets if accepted. */
export type SubmissionJudge = (body: Buffer, now: Date, submissionId?: string) => Promise<JudgedSubmission>;

/** Validates any other resource against the base spec and its meta.profile (for $validate). */
export type ResourceValidator = (resource: Record<string, unknown>, options: { profiles?: string[] }) => ValidationIssue[] | Promise<ValidationIssue[]>;

export interface AuthDeps {
  /** Middleware that requires a valid bearer token and sets `req.client`; answers 401 itself otherwise. */
  authenticate: RequestHandler;
  /** Routes of the authorization server (`/auth/*`, `/.well-known/smart-configuration`). */
  router?: Router;
  /** Advertised in the CapabilityStatement (SMART on FHIR OAuth URIs). */
  tokenUrl?: string;
}

export interface HttpLimits {
  maxBodyBytes: number;
  maxDepth: number;
  maxEntries: number;
  /** Submissions/validations being processed at once; more wait in the queue. */
  maxInFlight: number;
  /** Requests waiting for a slot; beyond that: 503 with Retry-After. */
  maxQueue: number;
  /** How long a request may wait for a slot before it gets 503. */
  queueTimeoutMs: number;
  /** New submissions are refused (503) while the event loop runs later than this (0: never). */
  maxEventLoopLagMs: number;
  /** Per-client token bucket: sustained requests per second (0 disables the limit) and burst size. */
  ratePerSecond: number;
  rateBurst: number;
  /** A client's request that comes back before its 503's Retry-After is held this long at most (0: not held). */
  maxRetryAfterHoldMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 50 * 1024 * 1024,
  maxDepth: 64,
  maxEntries: 20_000,
  maxInFlight: 16,
  maxQueue: 64,
  queueTimeoutMs: 10_000,
  maxEventLoopLagMs: 1000,
  ratePerSecond: 20,
  rateBurst: 40,
  maxRetryAfterHoldMs: 2000,
};

export interface AppDeps {
  store: GatewayStore;
  validateSubmission: SubmissionValidator;
  /** Judges `POST /fhir` bodies off the event loop (the validation pool); absent: parsed and validated in-process. */
  judgeSubmission?: SubmissionJudge;
  validateResource: ResourceValidator;
  auth: AuthDeps;
  logger: Logger;
  metrics: GatewayMetrics;
  limits?: Partial<HttpLimits>;
  /** Public base URL (no trailing slash) for Content-Location and the CapabilityStatement; else derived from the request. */
  publicBaseUrl?: string;
  /** The NGC profiles (canonical URL and constrained type), for the CapabilityStatement. */
  profiles?: Array<{ url: string; type: string }>;
  /** True once the FHIR definitions and NGC profiles are compiled, and while a validation worker is ready. */
  isReady?: () => boolean;
  /** Encrypts a rejected payload for the audit store; absent: the rejected record is kept without its payload. */
  encryptRejected?: (payload: Buffer) => Buffer | Promise<Buffer>;
  /** The gateway's software version for the CapabilityStatement. */
  version?: string;
  now?: () => Date;
  /** True while the gateway shuts down: new requests get 503 and readiness fails. */
  isDraining?: () => boolean;
  /** The implementation guide (`createIgRouter` from src/ig), served at /ig/; absent: no guide. */
  guide?: Router;
  /** The auditors' SAML routes and workspace (`createAuditWeb` from src/audit), mounted at the root; absent: none. */
  audit?: Router;
  /** Watches POST /fhir answers for the audit (`submissionObserver` from src/audit); absent: none. */
  submissionObserver?: RequestHandler;
  /** Bearer token GET /metrics requires (a Prometheus scraper's `authorization`); absent: /metrics is open. */
  metricsToken?: string;
}
