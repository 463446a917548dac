/**
 * Discovery (`/.well-known/smart-configuration`), the token endpoint (`POST /auth/token`) and the
 * gateway's public keys (`/auth/jwks`). Errors follow RFC 6749 §5.2: JSON `{error,
 * error_description}`, 401 for failed client authentication, 400 otherwise.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { issueAccessToken } from './access-token';
import { AssertionError, ASSERTION_ALGORITHMS, verifyClientAssertion, type AssertionContext } from './assertion';
import type { AuthFailureEvent } from './events';
import type { GatewayKeyring } from './keys';
import type { AuthLogger } from './logger';
import { SUPPORTED_SCOPES, isSupportedScope } from './scopes';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface TokenEndpointContext extends AssertionContext {
  keys: GatewayKeyring;
  issuer: string;
  fhirBaseUrl: string;
  jwksUrl: string;
  accessTokenTtlSec: number;
  logger: AuthLogger;
  reportFailure(req: Request, event: Omit<AuthFailureEvent, 'method' | 'path' | 'remoteAddress' | 'at'>): Promise<void>;
}

type OAuthError = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

class TokenRequestError extends Error {
  constructor(
    readonly error: OAuthError,
    readonly reason: string,
    message: string,
    readonly clientId?: string,
  ) {
    super(message);
  }
}

function stringParam(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TokenRequestError('invalid_request', 'repeated-parameter', `parameter "${name}" must be given once`);
  return value;
}

function required(body: Record<string, unknown>, name: string): string {
  const value = stringParam(body, name);
  if (!value) throw new TokenRequestError('invalid_request', 'missing-parameter', `parameter "${name}" is required`);
  return value;
}

function grantScopes(requested: string, registered: readonly string[], clientId: string): string[] {
  const asked = requested.split(' ').filter(Boolean);
  const unknown = asked.filter((s) => !isSupportedScope(s));
  if (unknown.length) throw new TokenRequestError('invalid_scope', 'unknown-scope', `unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; this server knows ${SUPPORTED_SCOPES.join(', ')}`, clientId);
  const granted = [...new Set(asked.filter((s) => registered.includes(s)))];
  if (!granted.length) throw new TokenRequestError('invalid_scope', 'scope-not-registered', `none of the requested scopes is registered for this client (registered: ${registered.join(' ')})`, clientId);
  return granted;
}

export function smartConfiguration(ctx: Pick<TokenEndpointContext, 'tokenUrl' | 'jwksUrl' | 'issuer'>): Record<string, unknown> {
  return {
    issuer: ctx.issuer,
    jwks_uri: ctx.jwksUrl,
    token_endpoint: ctx.tokenUrl,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    scopes_supported: [...SUPPORTED_SCOPES],
    response_types_supported: ['token'],
    capabilities: ['client-confidential-asymmetric'],
  };
}

export function createTokenRouter(ctx: TokenEndpointContext): Router {
  const router = express.Router();
  const sendNoStore = (res: Response, status: number, body: unknown) => {
    res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache').status(status).json(body);
  };

  const refuse = async (req: Request, res: Response, err: TokenRequestError) => {
    const status = err.error === 'invalid_client' ? 401 : 400;
    await ctx.reportFailure(req, { kind: 'token-request', reason: err.reason, error: err.error, description: err.message, status, clientId: err.clientId });
    ctx.logger.warn({ reason: err.reason, clientId: err.clientId, status }, 'token request refused');
    sendNoStore(res, status, { error: err.error, error_description: err.message });
  };

  const config = smartConfiguration(ctx);
  router.get(['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration'], (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').json(config);
  });

  router.get('/auth/jwks', (_req, res) => {
    // Short max-age: a rotation must reach verifiers well within the previous key's grace period.
    res.set('Cache-Control', 'public, max-age=300').type('application/jwk-set+json').send(JSON.stringify(ctx.keys.jwks()));
  });

  const formBody = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 20 });

  router.post(
    '/auth/token',
    formBody,
    async (req: Request, res: Response) => {
      try {
        if (!req.is('application/x-www-form-urlencoded') || typeof req.body !== 'object' || req.body === null) {
          throw new TokenRequestError('invalid_request', 'bad-content-type', 'the token request must be sent as application/x-www-form-urlencoded');
        }
        const body = req.body as Record<string, unknown>;
        const grantType = required(body, 'grant_type');
        if (grantType !== 'client_credentials') throw new TokenRequestError('unsupported_grant_type', 'unsupported-grant-type', 'only grant_type=client_credentials is supported');
        const assertionType = required(body, 'client_assertion_type');
        const assertion = required(body, 'client_assertion');
        const scope = required(body, 'scope');
        if (assertionType !== CLIENT_ASSERTION_TYPE) {
          throw new TokenRequestError('invalid_client', 'unsupported-assertion-type', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
        }
        let client;
        try {
          client = await verifyClientAssertion(assertion, ctx);
        } catch (err) {
          if (err instanceof AssertionError) throw new TokenRequestError('invalid_client', err.reason, err.message, err.clientId);
          throw err;
        }
        const scopes = grantScopes(scope, client.scopes, client.clientId);
        const { token, expiresIn, jwtId } = await issueAccessToken(ctx.keys, {
          issuer: ctx.issuer,
          audience: ctx.fhirBaseUrl,
          clientId: client.clientId,
          scopes,
          ttlSec: ctx.accessTokenTtlSec,
        });
        ctx.logger.info({ clientId: client.clientId, scope: scopes.join(' '), jti: jwtId }, 'access token issued');
        sendNoStore(res, 200, { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: scopes.join(' ') });
      } catch (err) {
        if (err instanceof TokenRequestError) return refuse(req, res, err);
        ctx.logger.error({ err: (err as Error).message }, 'token endpoint failed');
        sendNoStore(res, 500, { error: 'server_error', error_description: 'the token could not be issued; try again later' });
      }
    },
    // Body-parser failures (too large, too many parameters, bad encoding) are malformed requests.
    async (err: unknown, req: Request, res: Response, next: NextFunction) => {
      const status = (err as { status?: number }).status;
      if (typeof status !== 'number' || status >= 500) return next(err);
      await refuse(req, res, new TokenRequestError('invalid_request', 'unreadable-body', `the token request body could not be read: ${(err as Error).message}`));
    },
  );

  router.all('/auth/token', (_req, res) => {
    res.set('Allow', 'POST');
    sendNoStore(res, 405, { error: 'invalid_request', error_description: 'use POST' });
  });

  return router;
}
