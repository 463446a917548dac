/**
 * Client authentication by signed assertion (SMART Backend Services, RFC 7523 `private_key_jwt`).
 * Keys come only from the registry entry of the client the assertion names; header members that
 * point elsewhere (`jku`, `x5u`, `jwk`, `x5c`) are never followed.
 */
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type KeyLike } from 'jose';
import type { GatewayStore } from '../../store/types';
import type { ClientRegistry, PublicJwk, RegisteredClient } from './registry';
import { RemoteJwksError, type RemoteJwksCache } from './remote-jwks';

export const ASSERTION_ALGORITHMS = ['RS384', 'ES384'] as const;
export const MAX_ASSERTION_LIFETIME_SEC = 300;
export const JTI_NAMESPACE = 'smart-client-assertion-jti';

/** Why an assertion was refused: `reason` is a stable code for audit records and tests. */
export class AssertionError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly clientId?: string,
  ) {
    super(message);
    this.name = 'AssertionError';
  }
}

export interface AssertionContext {
  registry: ClientRegistry;
  remoteJwks: RemoteJwksCache;
  store: Pick<GatewayStore, 'rememberOnce'>;
  tokenUrl: string;
  clockSkewSec: number;
}

type KeyResolver = (header: { kid?: string; alg: string }) => Promise<KeyLike | Uint8Array>;

async function keySetFor(client: RegisteredClient, ctx: AssertionContext, kid: string | undefined): Promise<{ keys: PublicJwk[] }> {
  if (client.jwks) return client.jwks;
  try {
    return { keys: await ctx.remoteJwks.get(client.jwksUri!, kid) };
  } catch (err) {
    if (err instanceof RemoteJwksError) throw new AssertionError('jwks-unavailable', `the client's registered key set is unavailable: ${err.message}`, client.clientId);
    throw err;
  }
}

// Key sets are immutable once loaded (a reload or refetch makes new arrays), so their imported
// form can be kept for as long as the array itself is in use.
const resolvers = new WeakMap<PublicJwk[], KeyResolver>();
function resolverFor(keys: PublicJwk[]): KeyResolver {
  let resolver = resolvers.get(keys);
  if (!resolver) {
    resolver = createLocalJWKSet({ keys: keys as never }) as unknown as KeyResolver;
    resolvers.set(keys, resolver);
  }
  return resolver;
}

async function verifySignature(assertion: string, resolver: KeyResolver, client: RegisteredClient, ctx: AssertionContext): Promise<JWTPayload> {
  const options = {
    algorithms: [...ASSERTION_ALGORITHMS],
    issuer: client.clientId,
    subject: client.clientId,
    audience: ctx.tokenUrl,
    clockTolerance: ctx.clockSkewSec,
    requiredClaims: ['exp', 'jti'],
  };
  try {
    return (await jwtVerify(assertion, resolver as never, options)).payload;
  } catch (err) {
    // Several registered keys fit the header (no kid): the assertion is good if any of them verifies it.
    if (err instanceof errors.JWKSMultipleMatchingKeys) {
      let last: unknown = err;
      for await (const key of err as unknown as AsyncIterable<KeyLike>) {
        try {
          return (await jwtVerify(assertion, key, options)).payload;
        } catch (inner) {
          last = inner;
          if (!(inner instanceof errors.JWSSignatureVerificationFailed)) break;
        }
      }
      throw last;
    }
    throw err;
  }
}

function explain(err: unknown, clientId: string, tokenUrl: string): AssertionError {
  if (err instanceof AssertionError) return err;
  if (err instanceof errors.JWTExpired) return new AssertionError('assertion-expired', 'the client assertion has expired', clientId);
  if (err instanceof errors.JWTClaimValidationFailed) {
    const reason = err.claim === 'aud' ? 'wrong-audience' : `bad-claim-${err.claim}`;
    const hint = err.claim === 'aud' ? ` (it must be ${tokenUrl})` : '';
    return new AssertionError(reason, `the client assertion's "${err.claim}" claim is not valid${hint}: ${err.reason}`, clientId);
  }
  if (err instanceof errors.JWKSNoMatchingKey) return new AssertionError('no-matching-key', 'no registered key of the client matches the assertion header (kid/alg)', clientId);
  if (err instanceof errors.JOSEAlgNotAllowed) return new AssertionError('alg-not-allowed', 'the client assertion must be signed with RS384 or ES384', clientId);
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AssertionError('bad-signature', 'the client assertion signature does not verify with the registered keys', clientId);
  if (err instanceof errors.JOSEError) return new AssertionError('invalid-assertion', `the client assertion is not valid: ${err.message}`, clientId);
  throw err;
}

/** Verifies the assertion; returns the authenticated client or throws AssertionError. */
export async function verifyClientAssertion(assertion: string, ctx: AssertionContext): Promise<RegisteredClient> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch {
    throw new AssertionError('malformed-assertion', 'client_assertion is not a signed JWT (JWS compact serialisation)');
  }
  if (typeof header.alg !== 'string' || !(ASSERTION_ALGORITHMS as readonly string[]).includes(header.alg)) {
    throw new AssertionError('alg-not-allowed', `the client assertion is signed with "${String(header.alg)}"; only RS384 and ES384 are accepted`, typeof claims.iss === 'string' ? claims.iss : undefined);
  }
  if (typeof claims.iss !== 'string' || typeof claims.sub !== 'string' || claims.iss !== claims.sub) {
    throw new AssertionError('iss-sub-mismatch', 'the client assertion\'s "iss" and "sub" must both be the client id', typeof claims.iss === 'string' ? claims.iss : undefined);
  }
  const client = ctx.registry.get(claims.iss);
  if (!client) throw new AssertionError('unknown-client', 'no client with this id is registered', claims.iss);

  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const { keys } = await keySetFor(client, ctx, kid);
  const resolver = resolverFor(keys);
  let payload: JWTPayload;
  try {
    payload = await verifySignature(assertion, resolver, client, ctx);
  } catch (err) {
    throw explain(err, client.clientId, ctx.tokenUrl);
  }

  const now = Math.floor(Date.now() / 1000);
  if (payload.exp! > now + MAX_ASSERTION_LIFETIME_SEC + ctx.clockSkewSec) {
    throw new AssertionError('exp-too-far', `the client assertion's "exp" may lie at most ${MAX_ASSERTION_LIFETIME_SEC} seconds ahead`, client.clientId);
  }
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
    throw new AssertionError('bad-jti', 'the client assertion needs a "jti" of 1 to 256 characters', client.clientId);
  }
  // Remembered only now, after the signature checked out, so nobody can burn another client's jti.
  const fresh = await ctx.store.rememberOnce(JTI_NAMESPACE, `${client.clientId} ${jti}`, new Date((payload.exp! + ctx.clockSkewSec) * 1000));
  if (!fresh) throw new AssertionError('jti-replayed', 'this client assertion ("jti") was already used', client.clientId);
  return client;
}
