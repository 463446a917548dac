/**
 * Auditor single sign-on, the honest path: SP metadata, signed AuthnRequests, login through the
 * local IdP over real HTTP, the session cookie, the auditor guard, CSRF, logout.
 */
import { inflateRawSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createSamlAuth, loadSamlConfig, SamlConfigError } from '../../src/auth/saml';
import { startDevIdp } from '../../src/auth/saml/dev-idp';
import { Browser, hiddenField, loginAtIdp, postToAcs, startLogin, startSamlHarness, testKeys, type SamlHarness } from '../support/saml-harness';

let h: SamlHarness;
beforeAll(async () => {
  h = await startSamlHarness();
});
afterAll(async () => {
  await h.close();
});

async function logIn(browser: Browser, username = 'auditor', returnTo = '/audit'): Promise<Response> {
  const { idpUrl } = await startLogin(h, browser, returnTo);
  const post = await loginAtIdp(browser, idpUrl, username);
  expect(post.action).toBe(h.acsUrl);
  return postToAcs(h, browser, post.SAMLResponse, post.RelayState);
}

describe('SP metadata', () => {
  it('announces the ACS, signed requests, wanted signed assertions and both certificates', async () => {
    const res = await fetch(`${h.spBase}/auth/saml/metadata`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/samlmetadata+xml');
    const xml = await res.text();
    expect(xml).toContain(`entityID="${h.spEntityId}"`);
    expect(xml).toContain('AuthnRequestsSigned="true"');
    expect(xml).toContain('WantAssertionsSigned="true"');
    expect(xml).toMatch(new RegExp(`AssertionConsumerService[^>]*Location="${h.acsUrl}"`));
    expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    const body = (pem: string): string => pem.replace(/-----[A-Z ]+-----|\s+/g, '');
    expect(xml).toMatch(/KeyDescriptor use="signing"/);
    expect(xml).toMatch(/KeyDescriptor use="encryption"/);
    const flat = xml.replace(/\s+/g, '');
    expect(flat).toContain(body(h.spSigning.certificatePem));
    expect(flat).toContain(body(h.spEncryption.certificatePem));
    expect(xml).toContain('http://www.w3.org/2009/xmlenc11#aes256-gcm');
    expect(xml).not.toContain('-cbc');
    expect(xml).toContain(`<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${h.spBase}/auth/saml/logout"/>`);
  });
});

describe('login', () => {
  it('redirects to the IdP with an RSA-SHA256 signed AuthnRequest whose id is kept in the store', async () => {
    const browser = new Browser();
    const res = await browser.fetch(`${h.spBase}/auth/saml/login?returnTo=%2Faudit%2Freports`);
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location') ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(h.idp.ssoUrl);
    expect(url.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(url.searchParams.get('Signature')).toBeTruthy();
    expect(url.searchParams.get('RelayState')).toBe('/audit/reports');
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
    expect(xml).toContain(`AssertionConsumerServiceURL="${h.acsUrl}"`);
    expect(xml).toMatch(/RequestedAuthnContext[^>]*Comparison="minimum"/);
    expect(xml).toContain('https://data.gov.dk/concept/core/nsis/loa/Substantial');
    expect(xml).toContain(h.spEntityId);
    const id = /\sID="([^"]+)"/.exec(xml)?.[1] ?? '';
    expect(await h.store.getExpiring('saml-request', id)).toBeDefined();
    // The IdP verifies the request signature: a tampered request is refused there.
    const tampered = new URL(url);
    tampered.searchParams.set('RelayState', '/audit/other');
    expect((await fetch(tampered)).status).toBe(400);
    expect((await fetch(url)).status).toBe(200);
  });

  it('never redirects back to another site after login', async () => {
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const { relayState } = await startLogin(h, new Browser(), evil);
      expect(relayState).toBe('/audit');
    }
  });

  it('logs an auditor in through the local IdP: rotated, httpOnly, SameSite=Lax session reaching /audit', async () => {
    const browser = new Browser();
    // A session that exists before login (the logout page hands out a CSRF token) must not survive it.
    await browser.fetch(`${h.spBase}/auth/saml/logout`);
    const before = browser.cookies.get(h.spBase)?.get('ngc-audit');
    expect(before).toBeDefined();

    const res = await logIn(browser, 'auditor', '/audit');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/audit');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('ngc-audit='));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Lax/i);
    expect(setCookie).toMatch(/; Path=\//i);
    expect(setCookie).not.toMatch(/; Secure/i); // plain-HTTP test environment; see the Secure test below
    const after = browser.cookies.get(h.spBase)?.get('ngc-audit');
    expect(after).not.toBe(before);
    // The login-binding cookie has done its job and is gone.
    expect(browser.cookies.get(h.spBase)?.has('ngc-saml-login')).toBe(false);

    const page = await browser.fetch(`${h.spBase}/audit`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('<p id="user">auditor</p>');
    const api = await browser.fetch(`${h.spBase}/audit/api/reports`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({ reports: ['secret-report'] });

    // The pre-login session id is dead: presenting it gets no access.
    const fixated = await fetch(`${h.spBase}/audit/api/reports`, { headers: { cookie: `ngc-audit=${before}`, accept: 'application/json' } });
    expect(fixated.status).toBe(401);
  });

  it('also accepts a Response that the IdP signs as a whole', async () => {
    const signingIdp = await startDevIdp({ key: testKeys().idp, entityId: h.idp.entityId, signResponse: true });
    try {
      signingIdp.registerServiceProvider({ entityId: h.spEntityId, acsUrl: h.acsUrl, signingCertPem: h.spSigning.certificatePem, encryptionCertPem: h.spEncryption.certificatePem });
      const browser = new Browser();
      const { requestId } = await startLogin(h, browser);
      const response = await signingIdp.issueResponse(signingIdp.users[0], requestId);
      const res = await postToAcs(h, browser, response, '/audit');
      expect(res.status).toBe(303);
      expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(200);
    } finally {
      await signingIdp.close();
    }
  });
});

describe('the auditor guard', () => {
  it('sends an anonymous browser to the login, and an API client a 401 OperationOutcome', async () => {
    const failuresBefore = h.failures.length;
    const page = await new Browser().fetch(`${h.spBase}/audit?region=1`);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth/saml/login?returnTo=%2Faudit%3Fregion%3D1');
    const api = await fetch(`${h.spBase}/audit/api/reports`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toContain('application/fhir+json');
    const outcome = (await api.json()) as { resourceType: string; issue: { code: string }[] };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0].code).toBe('login');
    expect(h.failures.slice(failuresBefore)).toEqual([expect.objectContaining({ mechanism: 'session', status: 401, path: '/audit/api/reports' })]);
  });
});

describe('CSRF protection', () => {
  it('refuses a state-changing POST without the session token, accepts it with the token', async () => {
    const browser = new Browser();
    expect((await logIn(browser)).status).toBe(303);
    const html = await (await browser.fetch(`${h.spBase}/audit`)).text();
    const token = hiddenField(html, '_csrf');
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const failuresBefore = h.failures.length;

    const missing = await browser.postForm(`${h.spBase}/audit/notes`, { note: 'x' });
    expect(missing.status).toBe(403);
    const wrong = await browser.postForm(`${h.spBase}/audit/notes`, { note: 'x', _csrf: `${token}x` });
    expect(wrong.status).toBe(403);
    expect(h.failures.slice(failuresBefore)).toEqual([
      expect.objectContaining({ mechanism: 'csrf', status: 403, reason: 'CSRF token missing', subject: 'auditor' }),
      expect.objectContaining({ mechanism: 'csrf', status: 403, reason: 'CSRF token does not match the session' }),
    ]);

    const ok = await browser.postForm(`${h.spBase}/audit/notes`, { note: 'x', _csrf: token ?? '' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ saved: true });
    const viaHeader = await browser.fetch(`${h.spBase}/audit/notes`, { method: 'POST', headers: { 'x-csrf-token': token ?? '', 'content-type': 'application/json' }, body: '{}' });
    expect(viaHeader.status).toBe(200);
  });
});

describe('logout', () => {
  it('needs the CSRF token, ends the session in the store, and logs out at the IdP too (signed SLO)', async () => {
    const browser = new Browser();
    expect((await logIn(browser)).status).toBe(303);
    const cookie = browser.cookies.get(h.spBase)?.get('ngc-audit');
    const form = await browser.fetch(`${h.spBase}/auth/saml/logout`);
    const token = hiddenField(await form.text(), '_csrf') ?? '';
    expect(token).not.toBe('');

    expect((await browser.postForm(`${h.spBase}/auth/saml/logout`, {})).status).toBe(403);
    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(200);

    const out = await browser.postForm(`${h.spBase}/auth/saml/logout`, { _csrf: token });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().some((c) => /^ngc-audit=;/.test(c))).toBe(true);
    const sloUrl = out.headers.get('location') ?? '';
    expect(sloUrl.startsWith(`${h.idp.sloUrl}?SAMLRequest=`)).toBe(true);
    expect(sloUrl).toContain('SigAlg=');
    // The IdP checks the LogoutRequest's signature, ends its session and answers with a signed LogoutResponse.
    const idpAnswer = await browser.fetch(sloUrl);
    expect(idpAnswer.status).toBe(302);
    expect(h.idp.logouts.at(-1)).toMatchObject({ nameId: 'auditor', sessionIndex: expect.stringMatching(/^_/) });
    const back = await browser.fetch(idpAnswer.headers.get('location') ?? '');
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('You are logged out.');

    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(302);
    const replayed = await fetch(`${h.spBase}/audit/api/reports`, { headers: { cookie: `ngc-audit=${cookie}`, accept: 'application/json' } });
    expect(replayed.status).toBe(401);
  });

  it('ends the session when the IdP starts the logout, and answers it with a signed LogoutResponse', async () => {
    const browser = new Browser();
    expect((await logIn(browser)).status).toBe(303);
    const res = await browser.fetch(h.idp.logoutRequestUrl('auditor'));
    expect(res.status).toBe(302);
    const answer = new URL(res.headers.get('location') ?? '');
    expect(`${answer.origin}${answer.pathname}`).toBe(h.idp.sloUrl);
    expect(answer.searchParams.get('SAMLResponse')).toBeTruthy();
    expect(answer.searchParams.get('Signature')).toBeTruthy();
    const atIdp = await browser.fetch(answer.toString());
    expect(atIdp.status).toBe(200); // the IdP verified the SP's signature on it
    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(302);
  });

  it('ignores logout messages that are unsigned or for another user', async () => {
    const browser = new Browser();
    expect((await logIn(browser)).status).toBe(303);
    const before = h.failures.length;
    const signed = new URL(h.idp.logoutRequestUrl('auditor'));
    const unsigned = new URL(signed);
    unsigned.searchParams.delete('Signature');
    unsigned.searchParams.delete('SigAlg');
    expect((await browser.fetch(unsigned.toString())).status).toBe(400);
    const tampered = new URL(signed);
    tampered.searchParams.set('RelayState', '/x');
    expect((await browser.fetch(tampered.toString())).status).toBe(400);
    expect(h.failures.slice(before).map((e) => e.reason)).toEqual([
      'logout message refused: unsigned',
      expect.stringMatching(/^logout message refused: .*signature/i),
    ]);
    // A valid request naming someone else leaves this session alone.
    expect((await browser.fetch(h.idp.logoutRequestUrl('someone-else'))).status).toBe(302);
    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(200);
  });
});

describe('cookie outside development', () => {
  it('is Secure and __Host- prefixed behind TLS, and production refuses a plain-HTTP base URL', async () => {
    const auth = createSamlAuth({ config: h.config, store: h.store, publicBaseUrl: 'https://gateway.ngc.example', nodeEnv: 'production' });
    const app = express();
    app.set('trust proxy', 'loopback');
    app.use(auth.router);
    app.get('/touch', auth.sessionMiddleware, (req, res) => {
      req.session.csrfToken = 'x';
      res.send('ok');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/touch`, { headers: { 'x-forwarded-proto': 'https' } });
      const c = res.headers.getSetCookie()[0] ?? '';
      expect(c).toMatch(/^__Host-ngc-audit=/);
      expect(c).toMatch(/; Secure/i);
      expect(c).toMatch(/; HttpOnly/i);
      expect(c).toMatch(/; SameSite=Lax/i);
      // The login binding must survive the IdP's cross-site POST: SameSite=None, so Secure and __Host-.
      const login = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/saml/login`, { headers: { 'x-forwarded-proto': 'https' }, redirect: 'manual' });
      const binding = login.headers.getSetCookie()[0] ?? '';
      expect(binding).toMatch(/^__Host-ngc-saml-login=_/);
      expect(binding).toMatch(/; Path=\/;/);
      expect(binding).toMatch(/; Secure/i);
      expect(binding).toMatch(/; HttpOnly/i);
      expect(binding).toMatch(/; SameSite=None/i);
    } finally {
      server.close();
    }
    expect(() => createSamlAuth({ config: h.config, store: h.store, publicBaseUrl: 'http://gateway.ngc.example', nodeEnv: 'production' })).toThrow(SamlConfigError);
    expect(() => createSamlAuth({ config: { ...h.config, sessionSecret: undefined }, store: h.store, publicBaseUrl: 'https://gateway.ngc.example', nodeEnv: 'production' })).toThrow(/SESSION_SECRET/);
  });
});

describe('loadSamlConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ngc-saml-config-'));
    const k = testKeys();
    writeFileSync(path.join(dir, 'sp.key'), k.signing.privateKeyPem);
    writeFileSync(path.join(dir, 'sp.crt'), k.signing.certificatePem);
    writeFileSync(path.join(dir, 'enc.key'), k.encryption.privateKeyPem);
    writeFileSync(path.join(dir, 'enc.crt'), k.encryption.certificatePem);
    writeFileSync(path.join(dir, 'idp.crt'), k.idp.certificatePem);
    writeFileSync(path.join(dir, 'idp-metadata.xml'), h.idp.metadataXml());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const spEnv = (): NodeJS.ProcessEnv => ({
    SAML_SP_ENTITY_ID: 'https://gateway.ngc.example/saml',
    SAML_SP_KEY: path.join(dir, 'sp.key'),
    SAML_SP_CERT: path.join(dir, 'sp.crt'),
    SAML_SP_DECRYPTION_KEY: path.join(dir, 'enc.key'),
    SAML_SP_DECRYPTION_CERT: path.join(dir, 'enc.crt'),
  });

  it('is off when no SAML variable is set', () => {
    expect(loadSamlConfig({ NODE_ENV: 'production' })).toBeUndefined();
  });

  it('reads IdP metadata: entity id, SSO URL, signing certificate', () => {
    const c = loadSamlConfig({ ...spEnv(), SAML_IDP_METADATA: path.join(dir, 'idp-metadata.xml'), SAML_AUDITOR_ATTRIBUTE: 'urn:role', SAML_AUDITOR_VALUE: 'auditor' });
    expect(c).toMatchObject({ spEntityId: 'https://gateway.ngc.example/saml', idpEntityId: h.idp.entityId, idpSsoUrl: h.idp.ssoUrl, auditorAttribute: 'urn:role', auditorValue: 'auditor' });
    expect(c?.idpCertsPem).toEqual([testKeys().idp.certificatePem]);
    expect(c?.sessionIdleTimeoutMs).toBe(30 * 60_000);
    expect(c?.minimumLoa).toBe('Substantial');
  });

  it('reads a certificate file with an SSO URL instead of metadata', () => {
    const c = loadSamlConfig({ ...spEnv(), SAML_IDP_CERT: path.join(dir, 'idp.crt'), SAML_IDP_SSO_URL: 'https://idp.example/sso', SAML_IDP_ENTITY_ID: 'https://idp.example' });
    expect(c?.idpEntityId).toBe('https://idp.example');
    expect(c?.idpCertsPem).toHaveLength(1);
  });

  it('names what is missing or wrong', () => {
    expect(() => loadSamlConfig({ SAML_SP_ENTITY_ID: 'x' })).toThrow(/SAML_IDP_METADATA/);
    expect(() => loadSamlConfig({ ...spEnv(), SAML_IDP_CERT: path.join(dir, 'idp.crt'), SAML_IDP_SSO_URL: 'http://idp.example/sso', SAML_IDP_ENTITY_ID: 'e' })).toThrow(/https/);
    expect(() => loadSamlConfig({ ...spEnv(), SAML_SP_KEY: path.join(dir, 'nope.key'), SAML_IDP_METADATA: path.join(dir, 'idp-metadata.xml') })).toThrow(/SAML_SP_KEY: cannot read/);
    expect(() => loadSamlConfig({ ...spEnv(), SAML_SP_CERT: path.join(dir, 'sp.key'), SAML_IDP_METADATA: path.join(dir, 'idp-metadata.xml') })).toThrow(/SAML_SP_CERT is not a PEM X.509/);
    expect(() => loadSamlConfig({ ...spEnv(), SAML_IDP_METADATA: path.join(dir, 'sp.crt') })).toThrow(SamlConfigError);
    expect(() => loadSamlConfig({ ...spEnv(), SAML_IDP_METADATA: path.join(dir, 'idp-metadata.xml'), SAML_SESSION_SECRET: 'short' })).toThrow(/32 characters/);
    expect(() => loadSamlConfig({ ...spEnv(), SAML_IDP_METADATA: path.join(dir, 'idp-metadata.xml'), SAML_MIN_NSIS_LOA: 'substantial' })).toThrow(/SAML_MIN_NSIS_LOA/);
  });
});
