/**
 * The bearer check of /fhir requests. The token is read from the Authorization header only (never
 * the query string, where it would end up in access logs), checked against the gateway's own keys,
 * and mapped to the client's CURRENT registry entry: a client removed from the registry, or a scope
 * withdrawn from it, stops working at the next request, not when its token expires.
 *
 * A plain function rather than a passport strategy: passport is what the auditors' SAML login needs
 * (auth/saml), but for a bearer token its per-request machinery (a strategy object with five
 * callbacks, four methods attached to every request) cost the submission path more than the check
 * itself once the verifier remembers the token.
 */
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

export interface BearerCheckOptions {
  keys: GatewayKeyring;
  registry: ClientRegistry;
  issuer: string;
  audience: string;
  clockSkewSec: number;
}

/** The client a request's bearer token stands for, or why there is none. */
export type BearerResult = { client: AuthenticatedClient; failure?: undefined } | { client?: undefined; failure: BearerFailure };

function bearerToken(req: Request): { token?: string; malformed?: boolean } {
  const header = req.headers.authorization;
  if (header === undefined) return {};
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return m ? { token: m[1] } : { malformed: true };
}

/**
 * Builds the check. It rejects only on an unexpected error (a bug, not a bad token): every refusal
 * is a `failure` with its reason.
 */
export function bearerCheck(o: BearerCheckOptions): (req: Request) => Promise<BearerResult> {
  const verifier = new AccessTokenVerifier(o.keys, { issuer: o.issuer, audience: o.audience, clockToleranceSec: o.clockSkewSec });
  return async (req) => {
    const { token, malformed } = bearerToken(req);
    if (!token) {
      return {
        failure: malformed
          ? { reason: 'malformed-authorization', description: 'the Authorization header must be "Bearer <access token>"', tokenPresent: true }
          : { reason: 'missing-token', description: 'this request needs an access token (Authorization: Bearer); get one from the token endpoint', tokenPresent: false },
      };
    }
    let claims;
    try {
      claims = await verifier.verify(token);
    } catch (err) {
      if (!(err instanceof AccessTokenError)) throw err;
      return { failure: { reason: err.reason, description: err.message, tokenPresent: true } };
    }
    const registered = o.registry.get(claims.clientId);
    if (!registered) {
      return { failure: { reason: 'client-not-registered', description: 'the client of this access token is no longer registered', clientId: claims.clientId, tokenPresent: true } };
    }
    return {
      client: {
        clientId: registered.clientId,
        name: registered.name,
        region: registered.region,
        sorCodes: [...registered.sorCodes],
        scopes: claims.scopes.filter((s): s is SmartScope => (registered.scopes as string[]).includes(s)),
      },
    };
  };
}
