/**
 * Access tokens on /fhir: only tokens this gateway signed, for this audience, unexpired and
 * untampered, of a client still registered, get through; every refusal is a 401/403
 * OperationOutcome and an audit record.
 */
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { clientMayReportFor, createKeyring, generateSigningKey, type AuthenticatedClient, type GatewayKeyring } from '../../../src/auth/smart';
import { AccessTokenVerifier, issueAccessToken } from '../../../src/auth/smart/access-token';
import { assertion, b64url, clientEntry, ecClientKey, SOR_A, SOR_B, startHarness, type Harness } from './helpers';

const A = ecClientKey();
const B = ecClientKey();
const READER = ecClientKey();
const previousKey = generateSigningKey();
const currentKey = generateSigningKey();
let h: Harness;
let clients: Record<string, unknown>[];

beforeAll(async () => {
  clients = [
    clientEntry('region-a', A, { region: 'Region Hovedstaden', sorCodes: [SOR_A] }),
    clientEntry('region-b', B, { region: 'Region Syddanmark', sorCodes: [SOR_B] }),
    clientEntry('reader', READER, { scopes: ['system/Bundle.read'] }),
  ];
  h = await startHarness({ clients, keys: createKeyring(currentKey, previousKey) });
});
afterAll(() => h.close());
beforeEach(() => {
  h.failures.length = 0;
});

async function tokenFor(clientId: string, key = A, scope = 'system/Bundle.write system/Bundle.read'): Promise<string> {
  const res = await h.getToken(clientId, key, scope);
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

async function expectInvalidToken(token: string | undefined, reason: string) {
  const res = await h.callFhir(token);
  expect(res.status).toBe(401);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect((res.body.issue as { code: string }[])[0].code).toBe('login');
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer /);
  if (reason === 'missing-token') expect(challenge).not.toContain('error=');
  else expect(challenge).toContain('error="invalid_token"');
  expect(h.failures).toHaveLength(1);
  expect(h.failures[0]).toMatchObject({ kind: 'access-token', reason, status: 401, path: '/fhir', method: 'POST' });
}

function sign(claims: Record<string, unknown>, header: Record<string, unknown>, key = currentKey) {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }).sign(key.privateKey);
}

function claimsFor(clientId: string, extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: h.baseUrl, sub: clientId, client_id: clientId, aud: `${h.baseUrl}/fhir`, scope: 'system/Bundle.write', iat: now, exp: now + 300, jti: 'x', ...extra };
}

it('lets a valid token through and tells the route who the client is', async () => {
  const res = await h.callFhir(await tokenFor('region-a'));
  expect(res.status).toBe(202);
  const expected: AuthenticatedClient = {
    clientId: 'region-a',
    name: 'System region-a',
    region: 'Region Hovedstaden',
    sorCodes: [SOR_A],
    scopes: ['system/Bundle.write', 'system/Bundle.read'],
  };
  expect(res.body.client).toEqual(expected);
  expect(res.body.reqClient).toEqual(expected);
  expect(h.failures).toHaveLength(0);
});

it('publishes the current and previous signing keys and accepts tokens of both', async () => {
  const jwks = (await (await fetch(`${h.baseUrl}/auth/jwks`)).json()) as { keys: { kid: string; alg: string; d?: string }[] };
  expect(jwks.keys.map((k) => k.kid)).toEqual([currentKey.kid, previousKey.kid]);
  expect(jwks.keys.every((k) => k.d === undefined && k.alg === 'ES256')).toBe(true);
  const old = await sign(claimsFor('region-a'), {}, previousKey);
  expect((await h.callFhir(old)).status).toBe(202);
});

it('refuses a request without a token', async () => {
  await expectInvalidToken(undefined, 'missing-token');
});

it('refuses an Authorization header that is not one bearer token, saying so', async () => {
  for (const header of ['Basic cmVnaW9uLWE6c2VjcmV0', 'Bearer two tokens', 'Bearer']) {
    h.failures.length = 0;
    const res = await fetch(`${h.baseUrl}/fhir`, { method: 'POST', headers: { authorization: header, 'content-type': 'application/fhir+json' }, body: '{}' });
    const body = (await res.json()) as { resourceType: string; issue: { code: string; diagnostics: string }[] };
    expect(res.status).toBe(401);
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0]).toMatchObject({ code: 'login', diagnostics: 'the Authorization header must be "Bearer <access token>"' });
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(h.failures).toEqual([expect.objectContaining({ kind: 'access-token', reason: 'malformed-authorization', status: 401 })]);
  }
});

it('refuses an expired access token', async () => {
  const { token } = await issueAccessToken(h.keys, { issuer: h.baseUrl, audience: `${h.baseUrl}/fhir`, clientId: 'region-a', scopes: ['system/Bundle.write'], ttlSec: -120 });
  await expectInvalidToken(token, 'expired-token');
});

it('refuses an access token signed by another key, even one claiming our kid', async () => {
  const stranger = generateSigningKey();
  await expectInvalidToken(await sign(claimsFor('region-a'), {}, stranger), 'unknown-signing-key');
  h.failures.length = 0;
  const forged = await new SignJWT(claimsFor('region-a')).setProtectedHeader({ alg: 'ES256', kid: currentKey.kid, typ: 'at+jwt' }).sign(stranger.privateKey);
  await expectInvalidToken(forged, 'bad-signature');
});

it('refuses a tampered access token (scope widened, client swapped)', async () => {
  const token = await tokenFor('reader', READER, 'system/Bundle.read');
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const widened = `${header}.${b64url({ ...claims, scope: 'system/Bundle.write system/Bundle.read' })}.${signature}`;
  await expectInvalidToken(widened, 'bad-signature');
  h.failures.length = 0;
  const swapped = `${header}.${b64url({ ...claims, sub: 'region-a', client_id: 'region-a' })}.${signature}`;
  await expectInvalidToken(swapped, 'bad-signature');
});

it('refuses alg "none" and HS256 keyed with the published public key', async () => {
  const none = `${b64url({ alg: 'none', kid: currentKey.kid, typ: 'at+jwt' })}.${b64url(claimsFor('region-a'))}.`;
  await expectInvalidToken(none, 'alg-not-allowed');
  h.failures.length = 0;
  const pem = currentKey.publicKey.export({ format: 'pem', type: 'spki' });
  const input = `${b64url({ alg: 'HS256', kid: currentKey.kid, typ: 'at+jwt' })}.${b64url(claimsFor('region-a'))}`;
  await expectInvalidToken(`${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`, 'alg-not-allowed');
});

it('refuses a token of this gateway made for another audience or issuer', async () => {
  await expectInvalidToken(await sign(claimsFor('region-a', { aud: 'https://elsewhere.example/fhir' }), {}), 'bad-claim-aud');
  h.failures.length = 0;
  await expectInvalidToken(await sign(claimsFor('region-a', { iss: 'https://elsewhere.example' }), {}), 'bad-claim-iss');
});

it('refuses a client assertion presented as an access token', async () => {
  await expectInvalidToken(await assertion('region-a', A, `${h.baseUrl}/fhir`), 'unknown-signing-key');
});

it('answers 403 OperationOutcome when the token lacks the scope of the route', async () => {
  const token = await tokenFor('reader', READER, 'system/Bundle.read');
  expect((await h.callFhir(token, 'GET')).status).toBe(200);
  const res = await h.callFhir(token, 'POST');
  expect(res.status).toBe(403);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect((res.body.issue as { code: string }[])[0].code).toBe('forbidden');
  expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  expect(h.failures).toEqual([expect.objectContaining({ kind: 'insufficient-scope', reason: 'scope-missing', status: 403, clientId: 'reader' })]);
});

it('cuts off a client removed from the registry, and a withdrawn scope, at once', async () => {
  const tokenA = await tokenFor('region-a');
  const tokenB = await tokenFor('region-b', B);
  h.writeRegistry([clients[0], { ...clients[1], scopes: ['system/Bundle.read'] }]);
  expect(h.registry.reload()).toEqual({ ok: true, clients: 2 });
  try {
    h.writeRegistry([clients[1]]);
    expect(h.registry.reload()).toEqual({ ok: true, clients: 1 });
    const res = await h.callFhir(tokenA);
    expect(res.status).toBe(401);
    expect(h.failures[0]).toMatchObject({ reason: 'client-not-registered' });
    h.writeRegistry([{ ...clients[1], scopes: ['system/Bundle.read'] }]);
    h.registry.reload();
    expect((await h.callFhir(tokenB)).status).toBe(403);
  } finally {
    h.writeRegistry(clients);
    h.registry.reload();
  }
});

describe('SUB-12: a client reports only for its own laboratories', () => {
  it('lets region A report for its laboratory but not for region B’s', async () => {
    const res = await h.callFhir(await tokenFor('region-a'));
    const clientA = res.body.client as AuthenticatedClient;
    expect(clientMayReportFor(clientA, SOR_A)).toBe(true);
    expect(clientMayReportFor(clientA, SOR_B)).toBe(false);
  });

  it('refuses a missing or empty SOR code', () => {
    const client = { sorCodes: [SOR_A] };
    expect(clientMayReportFor(client, undefined)).toBe(false);
    expect(clientMayReportFor(client, '')).toBe(false);
    expect(clientMayReportFor(client, ` ${SOR_A}`)).toBe(false);
  });
});

describe('remembered verifications', () => {
  const options = () => ({ issuer: h.baseUrl, audience: `${h.baseUrl}/fhir`, clockToleranceSec: 0 });

  it('stops a remembered token once it expires', async () => {
    const verifier = new AccessTokenVerifier(createKeyring(currentKey), options());
    const token = await sign(claimsFor('region-a', { exp: Math.floor(Date.now() / 1000) + 2 }), {});
    await expect(verifier.verify(token)).resolves.toMatchObject({ clientId: 'region-a' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ clientId: 'region-a' });
    await new Promise((r) => setTimeout(r, 2100));
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'expired-token' });
  });

  it('stops a remembered token when its signing key leaves the keyring', async () => {
    let ring = createKeyring(currentKey, previousKey);
    // The keyring as a reloading gateway sees it: the same object, other keys after the reload.
    const keys: GatewayKeyring = { get current() { return ring.current; }, get previous() { return ring.previous; }, find: (kid) => ring.find(kid), jwks: () => ring.jwks() };
    const verifier = new AccessTokenVerifier(keys, options());
    const token = await sign(claimsFor('region-a'), {}, previousKey);
    await expect(verifier.verify(token)).resolves.toMatchObject({ clientId: 'region-a' });
    ring = createKeyring(currentKey);
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'unknown-signing-key' });
  });

  it('never remembers a refused token', async () => {
    const verifier = new AccessTokenVerifier(createKeyring(currentKey), options());
    const [header, payload] = (await sign(claimsFor('region-a'), {})).split('.');
    const forged = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
    await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'bad-signature' });
    await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'bad-signature' });
  });
});
