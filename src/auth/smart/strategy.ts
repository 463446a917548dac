/**
 * Passport strategy for the gateway's bearer tokens. The token is read from the Authorization header
 * only (never the query string, where it would end up in access logs), checked against the gateway's
 * own keys, and mapped to the client's CURRENT registry entry: a client removed from the registry, or
 * a scope withdrawn from it, stops working at the next request, not when its token expires.
 */
import passport from 'passport';
import type { Request } from 'express';
import { AccessTokenError, AccessTokenVerifier } from './access-token';
import type { GatewayKeyring } from './keys';
import type { ClientRegistry } from './registry';
import type { AuthenticatedClient, SmartScope } from './scopes';

export interface BearerFailure {
  reason: string;
  description: string;
  clientId?: string;
  /** False when the request carried no token at all (RFC 6750: then no error code is sent). */
  tokenPresent: boolean;
}

export interface BearerStrategyOptions {
  keys: GatewayKeyring;
  registry: ClientRegistry;
  issuer: string;
  audience: string;
  clockSkewSec: number;
}

export const BEARER_STRATEGY_NAME = 'ngc-smart-bearer';

function bearerToken(req: Request): { token?: string; malformed?: boolean } {
  const header = req.headers.authorization;
  if (header === undefined) return {};
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return m ? { token: m[1] } : { malformed: true };
}

export class SmartBearerStrategy extends passport.Strategy {
  override name = BEARER_STRATEGY_NAME;

  private readonly verifier: AccessTokenVerifier;

  constructor(private readonly o: BearerStrategyOptions) {
    super();
    this.verifier = new AccessTokenVerifier(o.keys, { issuer: o.issuer, audience: o.audience, clockToleranceSec: o.clockSkewSec });
  }

  override authenticate(req: Request): void {
    const { token, malformed } = bearerToken(req);
    if (!token) {
      const failure: BearerFailure = malformed
        ? { reason: 'malformed-authorization', description: 'the Authorization header must be "Bearer <access token>"', tokenPresent: true }
        : { reason: 'missing-token', description: 'this request needs an access token (Authorization: Bearer); get one from the token endpoint', tokenPresent: false };
      this.fail(failure as never, 401);
      return;
    }
    this.verifier.verify(token).then(
      (claims) => {
        const registered = this.o.registry.get(claims.clientId);
        if (!registered) {
          const failure: BearerFailure = { reason: 'client-not-registered', description: 'the client of this access token is no longer registered', clientId: claims.clientId, tokenPresent: true };
          this.fail(failure as never, 401);
          return;
        }
        const client: AuthenticatedClient = {
          clientId: registered.clientId,
          name: registered.name,
          region: registered.region,
          sorCodes: [...registered.sorCodes],
          scopes: claims.scopes.filter((s): s is SmartScope => (registered.scopes as string[]).includes(s)),
        };
        this.success(client as never);
      },
      (err: unknown) => {
        if (!(err instanceof AccessTokenError)) {
          this.error(err);
          return;
        }
        const failure: BearerFailure = { reason: err.reason, description: err.message, tokenPresent: true };
        this.fail(failure as never, 401);
      },
    );
  }
}
