/**
 * The token endpoint against attackers: every forged, stale, replayed or misdirected client assertion
 * is refused with the OAuth error RFC 6749 prescribes, and leaves an audit record.
 */
import { createHmac, createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { CLIENT_ASSERTION_TYPE } from '../../../src/auth/smart';
import { assertion, b64url, clientEntry, ecClientKey, rsaClientKey, startHarness, type ClientKeyPair, type Harness } from './helpers';

const EC = ecClientKey();
const RSA = rsaClientKey();
const READ_ONLY = ecClientKey();
// Two registered keys without kids: the header cannot say which one signed.
const ROTATING_OLD = ecClientKey();
const ROTATING_NEW = ecClientKey();
const withoutKid = ({ kid: _kid, ...jwk }: Record<string, unknown>) => jwk;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    clients: [
      clientEntry('region-h', EC),
      clientEntry('region-rsa', RSA),
      clientEntry('reader', READ_ONLY, { scopes: ['system/Bundle.read'] }),
      clientEntry('rotating', ROTATING_OLD, { jwks: { keys: [withoutKid(ROTATING_OLD.publicJwk), withoutKid(ROTATING_NEW.publicJwk)] } }),
    ],
  });
});
afterAll(() => h.close());
beforeEach(() => {
  h.failures.length = 0;
});

function form(clientAssertion: string, scope = 'system/Bundle.write'): Record<string, string> {
  return { grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: clientAssertion, scope };
}

async function expectRefused(clientAssertion: string, reason: string, error = 'invalid_client', status = 401) {
  const res = await h.tokenRequest(form(clientAssertion));
  expect(res.status).toBe(status);
  expect(res.body.error).toBe(error);
  expect(typeof res.body.error_description).toBe('string');
  expect(res.body.access_token).toBeUndefined();
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(h.failures).toHaveLength(1);
  expect(h.failures[0]).toMatchObject({ kind: 'token-request', reason, error, status, method: 'POST', path: '/auth/token' });
  return res;
}

describe('discovery', () => {
  it('publishes the SMART configuration for backend services', async () => {
    for (const path of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      const res = await fetch(h.baseUrl + path);
      expect(res.status).toBe(200);
      const config = (await res.json()) as Record<string, unknown>;
      expect(config).toMatchObject({
        token_endpoint: h.tokenUrl,
        jwks_uri: `${h.baseUrl}/auth/jwks`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
        scopes_supported: ['system/Bundle.write', 'system/Bundle.read'],
        capabilities: ['client-confidential-asymmetric'],
      });
    }
  });
});

describe('a good client', () => {
  it.each([
    ['ES384', 'region-h', EC],
    ['RS384', 'region-rsa', RSA],
  ])('gets a short-lived access token with an %s assertion', async (_alg, clientId, key) => {
    const res = await h.getToken(clientId, key as ClientKeyPair, 'system/Bundle.write');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: 300, scope: 'system/Bundle.write' });
    const token = res.body.access_token as string;
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: h.baseUrl, sub: clientId, client_id: clientId, aud: `${h.baseUrl}/fhir`, scope: 'system/Bundle.write' });
    expect(claims.exp! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(300);
    expect(typeof claims.jti).toBe('string');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: h.keys.current.kid, typ: 'at+jwt' });
    expect(h.failures).toHaveLength(0);
  });

  it('is recognised by any of its registered keys when the assertion names no kid', async () => {
    for (const key of [ROTATING_OLD, ROTATING_NEW]) {
      const res = await h.tokenRequest(form(await assertion('rotating', key, h.tokenUrl, { header: { kid: undefined } })));
      expect(res.status).toBe(200);
    }
    const stranger = ecClientKey();
    await expectRefused(await assertion('rotating', stranger, h.tokenUrl, { header: { kid: undefined } }), 'bad-signature');
  });

  it('is granted only the requested scopes that are registered for it', async () => {
    const res = await h.getToken('reader', READ_ONLY, 'system/Bundle.write system/Bundle.read');
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('system/Bundle.read');
  });
});

describe('forged or unsuitable assertions', () => {
  it('refuses an assertion signed with a key that is not registered', async () => {
    const attacker = { ...ecClientKey(EC.kid) };
    await expectRefused(await assertion('region-h', attacker, h.tokenUrl), 'bad-signature');
  });

  it('refuses an expired assertion', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectRefused(await assertion('region-h', EC, h.tokenUrl, { exp: past }), 'assertion-expired');
  });

  it('refuses an assertion whose exp lies more than 5 minutes ahead', async () => {
    const later = Math.floor(Date.now() / 1000) + 3600;
    await expectRefused(await assertion('region-h', EC, h.tokenUrl, { exp: later }), 'exp-too-far');
  });

  it('refuses an assertion without exp or without jti', async () => {
    await expectRefused(await assertion('region-h', EC, h.tokenUrl, { omit: ['exp'] }), 'bad-claim-exp');
    h.failures.length = 0;
    await expectRefused(await assertion('region-h', EC, h.tokenUrl, { omit: ['jti'] }), 'bad-claim-jti');
  });

  it('refuses alg "none"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: 'region-h', sub: 'region-h', aud: h.tokenUrl, exp: now + 60, jti: 'n1' })}.`;
    await expectRefused(unsigned, 'alg-not-allowed');
  });

  it('refuses HS256 signed with the registered public key as the HMAC secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const publicPem = createPublicKey({ key: RSA.publicJwk as never, format: 'jwk' }).export({ format: 'pem', type: 'spki' });
    const input = `${b64url({ alg: 'HS256', typ: 'JWT', kid: RSA.kid })}.${b64url({ iss: 'region-rsa', sub: 'region-rsa', aud: h.tokenUrl, exp: now + 60, jti: 'h1' })}`;
    const forged = `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
    await expectRefused(forged, 'alg-not-allowed');
  });

  it('refuses other asymmetric algorithms (ES256)', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Math.floor(Date.now() / 1000);
    const es256 = await new SignJWT({ iss: 'region-h', sub: 'region-h', aud: h.tokenUrl, exp: now + 60, jti: 'e1' }).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    await expectRefused(es256, 'alg-not-allowed');
  });

  it('refuses an assertion for another audience', async () => {
    const res = await expectRefused(await assertion('region-h', EC, h.tokenUrl, { aud: 'https://other.example/token' }), 'wrong-audience');
    expect(res.body.error_description).toContain(h.tokenUrl);
  });

  it('refuses iss different from sub', async () => {
    await expectRefused(await assertion('region-h', EC, h.tokenUrl, { sub: 'region-rsa' }), 'iss-sub-mismatch');
  });

  it('refuses a replayed jti, even within its lifetime', async () => {
    const once = await assertion('region-h', EC, h.tokenUrl, { jti: 'replay-me' });
    const first = await h.tokenRequest(form(once));
    expect(first.status).toBe(200);
    await expectRefused(once, 'jti-replayed');
    // A new assertion reusing the jti is a replay too.
    h.failures.length = 0;
    await expectRefused(await assertion('region-h', EC, h.tokenUrl, { jti: 'replay-me' }), 'jti-replayed');
  });

  it('refuses an unknown client', async () => {
    const res = await expectRefused(await assertion('nobody', EC, h.tokenUrl), 'unknown-client');
    expect(h.failures[0].clientId).toBe('nobody');
    expect(res.status).toBe(401);
  });

  it('never follows a key URL or key carried in the assertion header', async () => {
    let hits = 0;
    const attacker = ecClientKey(EC.kid);
    const evil = createServer((_req, res) => {
      hits++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [attacker.publicJwk] }));
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const jku = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/jwks`;
    try {
      await expectRefused(await assertion('region-h', attacker, h.tokenUrl, { header: { jku, x5u: jku } }), 'bad-signature');
      h.failures.length = 0;
      await expectRefused(await assertion('region-h', attacker, h.tokenUrl, { header: { jwk: attacker.publicJwk } }), 'bad-signature');
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => evil.close(resolve));
    }
  });
});

describe('malformed token requests', () => {
  it('answers a wrong grant type with unsupported_grant_type', async () => {
    const res = await h.tokenRequest({ ...form(await assertion('region-h', EC, h.tokenUrl)), grant_type: 'password' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
    expect(h.failures[0]).toMatchObject({ reason: 'unsupported-grant-type' });
  });

  it('answers a missing scope or parameter with invalid_request', async () => {
    const { scope: _scope, ...noScope } = form(await assertion('region-h', EC, h.tokenUrl));
    const res = await h.tokenRequest(noScope);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request' });
    expect(res.body.error_description).toContain('scope');
    const res2 = await h.tokenRequest({ grant_type: 'client_credentials', scope: 'system/Bundle.write' });
    expect(res2.body.error).toBe('invalid_request');
    expect(h.failures.map((f) => f.reason)).toEqual(['missing-parameter', 'missing-parameter']);
  });

  it('answers a scope that is unknown or not registered with invalid_scope', async () => {
    const unknown = await h.tokenRequest(form(await assertion('region-h', EC, h.tokenUrl), 'system/Bundle.write system/*.*'));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('invalid_scope');
    const notRegistered = await h.tokenRequest(form(await assertion('reader', READ_ONLY, h.tokenUrl), 'system/Bundle.write'));
    expect(notRegistered.status).toBe(400);
    expect(notRegistered.body.error).toBe('invalid_scope');
    expect(h.failures.map((f) => f.reason)).toEqual(['unknown-scope', 'scope-not-registered']);
  });

  it('answers a wrong assertion type with invalid_client', async () => {
    const res = await h.tokenRequest({ ...form(await assertion('region-h', EC, h.tokenUrl)), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('answers JSON, repeated parameters, garbage and huge bodies with invalid_request', async () => {
    const json = await fetch(h.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form('x')) });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
    const repeated = await fetch(h.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&grant_type=client_credentials&scope=x',
    });
    expect(repeated.status).toBe(400);
    const garbage = await h.tokenRequest(form('not.a.jwt'));
    expect(garbage.status).toBe(401);
    expect(garbage.body.error).toBe('invalid_client');
    const huge = await fetch(h.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `client_assertion=${'a'.repeat(100_000)}` });
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: string }).error).toBe('invalid_request');
    expect(h.failures.map((f) => f.reason)).toEqual(['bad-content-type', 'repeated-parameter', 'malformed-assertion', 'unreadable-body']);
  });
});
