/**
 * The gateway's access tokens: JWTs it signs itself and later checks itself. Verification trusts
 * nothing in the token's header beyond choosing between the gateway's own keys: the algorithm is
 * pinned to the chosen key's, so `none`, HMAC-with-the-public-key and foreign keys all fail.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { GatewayKeyring, SigningKey } from './keys';

export const ACCESS_TOKEN_TTL_SEC = 300;
const ACCESS_TOKEN_TYP = 'at+jwt';

export interface AccessTokenClaims {
  clientId: string;
  scopes: string[];
  jwtId: string;
  expiresAt: number;
}

export class AccessTokenError extends Error {
  constructor(
    /** Stable code for audit records: expired-token, unknown-signing-key, bad-claim-aud, ... */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

export interface IssueOptions {
  issuer: string;
  audience: string;
  clientId: string;
  scopes: string[];
  ttlSec?: number;
}

export async function issueAccessToken(keys: GatewayKeyring, o: IssueOptions): Promise<{ token: string; expiresIn: number; jwtId: string }> {
  const ttl = o.ttlSec ?? ACCESS_TOKEN_TTL_SEC;
  const key = keys.current;
  const jwtId = randomUUID();
  const token = await new SignJWT({ client_id: o.clientId, scope: o.scopes.join(' ') })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYP })
    .setIssuer(o.issuer)
    .setSubject(o.clientId)
    .setAudience(o.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
    .setJti(jwtId)
    .sign(key.privateKey);
  return { token, expiresIn: ttl, jwtId };
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
  clockToleranceSec?: number;
}

export async function verifyAccessToken(keys: GatewayKeyring, token: string, o: VerifyOptions): Promise<AccessTokenClaims> {
  return (await verifyWithKey(keys, token, o)).claims;
}

async function verifyWithKey(keys: GatewayKeyring, token: string, o: VerifyOptions): Promise<{ claims: AccessTokenClaims; key: SigningKey; kid: string }> {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new AccessTokenError('malformed-token', 'the access token is not a JWT');
  }
  const key = typeof kid === 'string' ? keys.find(kid) : undefined;
  if (!key) throw new AccessTokenError('unknown-signing-key', 'the access token was not signed by a key of this gateway');
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [key.alg],
      issuer: o.issuer,
      audience: o.audience,
      typ: ACCESS_TOKEN_TYP,
      clockTolerance: o.clockToleranceSec ?? 30,
      requiredClaims: ['exp', 'sub', 'jti'],
    });
    if (typeof payload.sub !== 'string' || payload.client_id !== payload.sub) throw new AccessTokenError('no-client', 'the access token names no client');
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return { claims: { clientId: payload.sub, scopes, jwtId: payload.jti!, expiresAt: payload.exp! }, key, kid: kid as string };
  } catch (err) {
    if (err instanceof AccessTokenError) throw err;
    if (err instanceof errors.JWTExpired) throw new AccessTokenError('expired-token', 'the access token has expired');
    if (err instanceof errors.JWTClaimValidationFailed) throw new AccessTokenError(`bad-claim-${err.claim}`, `the access token's "${err.claim}" claim is not valid here`);
    if (err instanceof errors.JOSEAlgNotAllowed) throw new AccessTokenError('alg-not-allowed', 'the access token uses an algorithm this gateway does not sign with');
    throw new AccessTokenError('bad-signature', 'the access token signature is not valid');
  }
}

/**
 * Verifies access tokens and remembers the ones that passed: a regional system sends the same token
 * with every submission until it expires, and the signature check is the dearest part of
 * authenticating a request. A remembered token is checked again on every use for what can change
 * (its expiry, and that its signing key is still one of the gateway's: a key withdrawn from the
 * keyring stops its tokens at once); a token that fails that goes through full verification, which
 * gives the precise error.
 */
export class AccessTokenVerifier {
  private readonly verified = new Map<string, { claims: AccessTokenClaims; key: SigningKey; kid: string }>();

  constructor(
    private readonly keys: GatewayKeyring,
    private readonly options: VerifyOptions,
    private readonly maxRemembered = 10_000,
  ) {}

  async verify(token: string): Promise<AccessTokenClaims> {
    const hit = this.verified.get(token);
    if (hit) {
      // jose's rule: expired once exp <= now - tolerance.
      const nowSec = Math.floor(Date.now() / 1000);
      if (this.keys.find(hit.kid) === hit.key && hit.claims.expiresAt > nowSec - (this.options.clockToleranceSec ?? 30)) return hit.claims;
      this.verified.delete(token);
    }
    const result = await verifyWithKey(this.keys, token, this.options);
    // Oldest first out: Map keeps insertion order.
    if (this.verified.size >= this.maxRemembered) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, result);
    return result.claims;
  }
}
