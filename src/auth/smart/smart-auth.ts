/**
 * Wires the SMART Backend Services pieces together for the HTTP app: the public router (discovery,
 * token endpoint, JWKS), the bearer-token middleware for /fhir, and scope checks.
 */
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { GatewayStore } from '../../store/types';
import { singleIssueOutcome } from '../../validation/outcome';
import { ACCESS_TOKEN_TTL_SEC } from './access-token';
import type { AuthFailureEvent, AuthFailureHook } from './events';
import type { GatewayKeyring } from './keys';
import { silentLogger, type AuthLogger } from './logger';
import { allowsInsecureJwksUri, type ClientRegistry } from './registry';
import { RemoteJwksCache, type RemoteJwksOptions } from './remote-jwks';
import type { AuthenticatedClient, SmartScope } from './scopes';
import { bearerCheck, type BearerFailure, type BearerResult } from './bearer';
import { createTokenRouter } from './token-endpoint';

export interface SmartAuthOptions {
  registry: ClientRegistry;
  keys: GatewayKeyring;
  /** Only `rememberOnce` is used (jti replay protection shared by all instances). */
  store: Pick<GatewayStore, 'rememberOnce'>;
  /** The URL clients reach the gateway at, e.g. https://gateway.ngc.dk (no trailing slash needed). */
  publicBaseUrl: string;
  nodeEnv?: string;
  logger?: AuthLogger;
  /** Called once for every refused request (audit trail). Errors it throws are logged, not sent to the client. */
  onAuthFailure?: AuthFailureHook;
  /** Tolerance for clients' clocks; default 30 s. */
  clockSkewSec?: number;
  accessTokenTtlSec?: number;
  /** Limits for fetching registered jwksUris (timeout, size, cache); http: is allowed only in development/test. */
  jwksFetch?: Omit<RemoteJwksOptions, 'allowHttp' | 'logger'>;
}

export interface SmartAuth {
  /** Mount at the application root: /.well-known/smart-configuration, /auth/token, /auth/jwks. */
  router: Router;
  /** Bearer-token check for /fhir routes (mount after GET /fhir/metadata). Sets `req.client`. */
  authenticate: RequestHandler;
  /** 403 OperationOutcome unless the authenticated client holds `scope`. */
  requireScope(scope: SmartScope): RequestHandler;
  tokenUrl: string;
  fhirBaseUrl: string;
  issuer: string;
}

const clients = new WeakMap<Request, AuthenticatedClient>();

/** The client `authenticate` attached to this request (also at `req.client`), or undefined. */
export function authenticatedClient(req: Request): AuthenticatedClient | undefined {
  return clients.get(req);
}

function challenge(failure: BearerFailure | undefined, extra = ''): string {
  const parts = ['Bearer realm="ngc-gateway"'];
  if (failure?.tokenPresent) parts.push('error="invalid_token"', `error_description="${failure.description.replace(/["\\]/g, '')}"`);
  if (extra) parts.push(extra);
  return parts.join(', ');
}

export function createSmartAuth(options: SmartAuthOptions): SmartAuth {
  const logger = options.logger ?? silentLogger;
  const base = options.publicBaseUrl.replace(/\/+$/, '');
  const issuer = base;
  const fhirBaseUrl = `${base}/fhir`;
  const tokenUrl = `${base}/auth/token`;
  const clockSkewSec = options.clockSkewSec ?? 30;
  const nodeEnv = options.nodeEnv ?? process.env.NODE_ENV;
  const remoteJwks = new RemoteJwksCache({ ...options.jwksFetch, allowHttp: allowsInsecureJwksUri(nodeEnv), logger });
  options.registry.onReload(() => remoteJwks.retainOnly(new Set(options.registry.list().flatMap((c) => (c.jwksUri ? [c.jwksUri] : [])))));

  const reportFailure = async (req: Request, event: Omit<AuthFailureEvent, 'method' | 'path' | 'remoteAddress' | 'at'>) => {
    if (!options.onAuthFailure) return;
    const full: AuthFailureEvent = { ...event, method: req.method, path: req.originalUrl.split('?')[0], remoteAddress: req.socket.remoteAddress, at: new Date() };
    try {
      await options.onAuthFailure(full);
    } catch (err) {
      logger.error({ err: (err as Error).message, reason: event.reason }, 'could not record an authentication failure');
    }
  };

  const router = createTokenRouter({
    registry: options.registry,
    remoteJwks,
    store: options.store,
    tokenUrl,
    clockSkewSec,
    keys: options.keys,
    issuer,
    fhirBaseUrl,
    jwksUrl: `${base}/auth/jwks`,
    accessTokenTtlSec: options.accessTokenTtlSec ?? ACCESS_TOKEN_TTL_SEC,
    logger,
    reportFailure,
  });

  const checkBearer = bearerCheck({ keys: options.keys, registry: options.registry, issuer, audience: fhirBaseUrl, clockSkewSec });

  const authenticate: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const answer = async ({ client, failure: f }: BearerResult): Promise<void> => {
      if (!client) {
        await reportFailure(req, { kind: 'access-token', reason: f.reason, error: 'invalid_token', description: f.description, status: 401, clientId: f.clientId });
        logger.warn({ reason: f.reason, clientId: f.clientId, path: req.originalUrl.split('?')[0] }, 'request refused: access token');
        res
          .status(401)
          .set('WWW-Authenticate', challenge(f))
          .type('application/fhir+json')
          .send(JSON.stringify(singleIssueOutcome('error', 'login', f.description)));
        return;
      }
      clients.set(req, client);
      // req.client is the name the HTTP layer uses; it shadows Node's deprecated alias of req.socket.
      (req as unknown as { client: AuthenticatedClient }).client = client;
      next();
    };
    checkBearer(req).then(answer).catch(next);
  };

  const requireScope = (scope: SmartScope): RequestHandler => {
    return async (req: Request, res: Response, next: NextFunction) => {
      const client = clients.get(req);
      if (!client) {
        const description = 'this request needs an access token (Authorization: Bearer)';
        await reportFailure(req, { kind: 'access-token', reason: 'missing-token', error: 'invalid_token', description, status: 401 });
        res.status(401).set('WWW-Authenticate', challenge(undefined)).type('application/fhir+json').send(JSON.stringify(singleIssueOutcome('error', 'login', description)));
        return;
      }
      if (client.scopes.includes(scope)) return next();
      const description = `the access token lacks the scope ${scope}`;
      await reportFailure(req, { kind: 'insufficient-scope', reason: 'scope-missing', error: 'insufficient_scope', description, status: 403, clientId: client.clientId });
      logger.warn({ clientId: client.clientId, scope, path: req.originalUrl.split('?')[0] }, 'request refused: scope missing');
      res
        .status(403)
        .set('WWW-Authenticate', `Bearer realm="ngc-gateway", error="insufficient_scope", scope="${scope}"`)
        .type('application/fhir+json')
        .send(JSON.stringify(singleIssueOutcome('error', 'forbidden', description)));
    };
  };

  return { router, authenticate, requireScope, tokenUrl, fhirBaseUrl, issuer };
}
