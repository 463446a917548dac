/**
 * Attacks on the auditors' SAML login. Each forged or misused response goes over real HTTP through
 * the real passport-saml validation and the gateway's own checks; each must be refused (401/403),
 * leave an audit record through onAuthFailure, create no session and never reach /audit.
 */
import { Browser, loginAtIdp, postToAcs, startLogin, startSamlHarness, type SamlHarness } from '../support/saml-harness';
import { craft, craftAssertion, craftResponse, encryptFor, NO_ROLE_ATTRIBUTES } from '../support/saml-attacks';

let h: SamlHarness;
beforeAll(async () => {
  h = await startSamlHarness();
});
afterAll(async () => {
  await h.close();
});

/** A real pending AuthnRequest, as the victim's (or attacker's) browser would have started it. */
async function pendingRequest(): Promise<{ browser: Browser; requestId: string }> {
  const browser = new Browser();
  const { requestId } = await startLogin(h, browser);
  expect(requestId).toMatch(/^_/);
  return { browser, requestId };
}

async function expectRefused(browser: Browser, samlResponse: string, status: 401 | 403, reason: RegExp): Promise<void> {
  const before = h.failures.length;
  const res = await postToAcs(h, browser, samlResponse, '/audit');
  const body = await res.text();
  expect({ status: res.status, body: body.includes('secret-report') }).toEqual({ status, body: false });
  expect(res.headers.getSetCookie().filter((c) => c.startsWith('ngc-audit='))).toEqual([]);
  const events = h.failures.slice(before);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ mechanism: 'saml', status, path: '/auth/saml/acs', method: 'POST' });
  expect(events[0].reason).toMatch(reason);
  // Nothing protected is reachable with whatever the browser now holds.
  const page = await browser.fetch(`${h.spBase}/audit`);
  expect(page.status).toBe(302);
  expect(page.headers.get('location')).toMatch(/^\/auth\/saml\/login/);
  const api = await browser.fetch(`${h.spBase}/audit/api/reports`, { headers: { accept: 'application/json' } });
  expect(api.status).toBe(401);
}

it('control: the crafted honest response is accepted (so every refusal below is due to the attack alone)', async () => {
  const { browser, requestId } = await pendingRequest();
  const res = await postToAcs(h, browser, await craft(h, { requestId }), '/audit');
  expect(res.status).toBe(303);
  expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(200);
});

describe('signatures', () => {
  it('refuses an unsigned assertion, even though it is properly encrypted to the SP', async () => {
    const { browser, requestId } = await pendingRequest();
    await expectRefused(browser, await craft(h, { requestId, signer: 'none' }), 401, /signature/i);
  });

  it('refuses an assertion signed by another key', async () => {
    const { browser, requestId } = await pendingRequest();
    await expectRefused(browser, await craft(h, { requestId, signer: 'attacker', keyInfo: false }), 401, /signature/i);
  });

  it('refuses an assertion signed by another key that carries its own certificate in KeyInfo', async () => {
    const { browser, requestId } = await pendingRequest();
    await expectRefused(browser, await craft(h, { requestId, signer: 'attacker', keyInfo: true }), 401, /signature/i);
  });

  it('refuses a signed assertion whose content was altered after signing (role added)', async () => {
    const { browser, requestId } = await pendingRequest();
    const signed = craftAssertion(h, { requestId, nameId: 'clerk', attributes: { 'https://ngc.dk/saml/attributes/role': ['ngc-staff'] } });
    const altered = signed.xml.replace('ngc-staff', 'ngc-auditor');
    expect(altered).not.toBe(signed.xml);
    await expectRefused(browser, craftResponse(h, { requestId }, await encryptFor(h, altered)), 401, /signature/i);
  });
});

describe('signature wrapping', () => {
  it('refuses a second, unsigned assertion beside the signed one', async () => {
    const { browser, requestId } = await pendingRequest();
    const signed = craftAssertion(h, { requestId, nameId: 'clerk', attributes: NO_ROLE_ATTRIBUTES });
    const evil = craftAssertion(h, { requestId, nameId: 'auditor', signer: 'none' });
    const content = (await encryptFor(h, signed.xml)) + (await encryptFor(h, evil.xml));
    await expectRefused(browser, craftResponse(h, { requestId }, content), 401, /multiple assertions/);
  });

  it('refuses the unsigned assertion placed first, before the signed one', async () => {
    const { browser, requestId } = await pendingRequest();
    const signed = craftAssertion(h, { requestId, nameId: 'clerk', attributes: NO_ROLE_ATTRIBUTES });
    const evil = craftAssertion(h, { requestId, nameId: 'auditor', signer: 'none' });
    const content = evil.xml + (await encryptFor(h, signed.xml));
    await expectRefused(browser, craftResponse(h, { requestId }, content), 401, /multiple assertions/);
  });

  it('refuses an unsigned assertion that wraps the signed one inside it', async () => {
    const { browser, requestId } = await pendingRequest();
    const signed = craftAssertion(h, { requestId, nameId: 'clerk', attributes: NO_ROLE_ATTRIBUTES });
    const wrapper = craftAssertion(h, { requestId, nameId: 'auditor', signer: 'none', extraXml: `<saml:Advice>${signed.xml}</saml:Advice>` });
    await expectRefused(browser, craftResponse(h, { requestId }, await encryptFor(h, wrapper.xml)), 401, /signature/i);
  });

  it('refuses a forged assertion while the signed one hides in the Response Extensions', async () => {
    const { browser, requestId } = await pendingRequest();
    const signed = craftAssertion(h, { requestId, nameId: 'clerk', attributes: NO_ROLE_ATTRIBUTES });
    const evil = craftAssertion(h, { requestId, nameId: 'auditor', signer: 'none' });
    const content = `<samlp:Extensions>${signed.xml}</samlp:Extensions>${await encryptFor(h, evil.xml)}`;
    await expectRefused(browser, craftResponse(h, { requestId }, content), 401, /signature/i);
  });

  it('refuses a forged assertion reusing the signed one\'s ID, signature copied across', async () => {
    const { browser, requestId } = await pendingRequest();
    const signed = craftAssertion(h, { requestId, nameId: 'clerk', attributes: NO_ROLE_ATTRIBUTES });
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed.xml)?.[0] ?? '';
    const evil = craftAssertion(h, { requestId, nameId: 'auditor', signer: 'none' });
    const forged = evil.xml.replace(`ID="${evil.id}"`, `ID="${signed.id}"`).replace('</saml:Issuer>', `</saml:Issuer>${signature}`);
    await expectRefused(browser, craftResponse(h, { requestId }, await encryptFor(h, forged)), 401, /signature/i);
  });

  it('reads a NameID with an injected comment as the signed user, not as a shorter name', async () => {
    // The IdP signed "admin@evil" (an attacker's own account, no role); the comment survives
    // canonicalisation unseen, so a careless reader would take only the text before it: "admin".
    const { browser, requestId } = await pendingRequest();
    const samlResponse = await craft(h, { requestId, nameId: 'admin@evil', nameIdRawXml: 'admin<!---->@evil', attributes: NO_ROLE_ATTRIBUTES });
    const before = h.failures.length;
    await expectRefused(browser, samlResponse, 403, /auditor role missing/);
    expect(h.failures[before].subject).toBe('admin@evil');
  });
});

describe('addressing and validity', () => {
  it('refuses an assertion for another audience', async () => {
    const { browser, requestId } = await pendingRequest();
    await expectRefused(browser, await craft(h, { requestId, audience: 'https://other-sp.example/saml' }), 401, /audience/i);
  });

  it('refuses an assertion for another recipient', async () => {
    const { browser, requestId } = await pendingRequest();
    await expectRefused(browser, await craft(h, { requestId, recipient: 'https://other-sp.example/acs' }), 401, /Recipient/);
  });

  it('refuses a response addressed to another Destination', async () => {
    const { browser, requestId } = await pendingRequest();
    await expectRefused(browser, await craft(h, { requestId, destination: 'https://other-sp.example/acs' }), 401, /Destination/);
  });

  it('refuses an assertion from another issuer, even signed with the trusted key', async () => {
    const { browser, requestId } = await pendingRequest();
    await expectRefused(browser, await craft(h, { requestId, issuer: 'https://other-idp.example' }), 401, /not the configured IdP/);
  });

  it('refuses an expired assertion (NotOnOrAfter 10 s ago, beyond the 3 s clock skew)', async () => {
    const { browser, requestId } = await pendingRequest();
    const now = Date.now();
    const samlResponse = await craft(h, { requestId, issueInstant: new Date(now - 60_000), notBefore: new Date(now - 60_000), notOnOrAfter: new Date(now - 10_000) });
    await expectRefused(browser, samlResponse, 401, /expired|no valid subject confirmation/i);
  });

  it('tolerates only a small clock skew: expired 1 s ago passes, 10 s ago (above) does not', async () => {
    const { browser, requestId } = await pendingRequest();
    const now = Date.now();
    const res = await postToAcs(h, browser, await craft(h, { requestId, issueInstant: new Date(now - 30_000), notBefore: new Date(now - 30_000), notOnOrAfter: new Date(now - 1_000) }), '/audit');
    expect(res.status).toBe(303);
  });

  it('refuses an assertion that is not valid yet (NotBefore 60 s ahead)', async () => {
    const { browser, requestId } = await pendingRequest();
    const now = Date.now();
    await expectRefused(browser, await craft(h, { requestId, notBefore: new Date(now + 60_000), notOnOrAfter: new Date(now + 300_000) }), 401, /not yet valid/);
  });
});

describe('replay and unsolicited responses', () => {
  it('refuses a response replayed after a successful login (same InResponseTo twice)', async () => {
    const browser = new Browser();
    const { idpUrl } = await startLogin(h, browser);
    const { SAMLResponse } = await loginAtIdp(browser, idpUrl, 'auditor');
    expect((await postToAcs(h, browser, SAMLResponse, '/audit')).status).toBe(303);
    await expectRefused(new Browser(), SAMLResponse, 401, /InResponseTo/);
  });

  it('lets only one of several simultaneous posts of the same response through, with a slow shared store', async () => {
    // Two gateway instances on one remote database: every store round trip takes time, so the
    // posts overlap between "is this request pending?" and "forget the request".
    const slow = await startSamlHarness({
      wrapStore: (store) => ({
        putExpiring: (...a) => store.putExpiring(...a),
        getExpiring: async (...a) => {
          await new Promise((r) => setTimeout(r, 40));
          return store.getExpiring(...a);
        },
        deleteExpiring: async (...a) => {
          await new Promise((r) => setTimeout(r, 40));
          return store.deleteExpiring(...a);
        },
        rememberOnce: (...a) => store.rememberOnce(...a),
      }),
    });
    try {
      const browser = new Browser();
      const { idpUrl } = await startLogin(slow, browser);
      const { SAMLResponse } = await loginAtIdp(browser, idpUrl, 'auditor');
      const results = await Promise.all([0, 1, 2].map(() => postToAcs(slow, browser.clone(), SAMLResponse, '/audit')));
      expect(results.map((r) => r.status).sort()).toEqual([303, 401, 401]);
      expect(slow.failures.map((e) => [e.status, e.reason])).toEqual([
        [401, expect.stringMatching(/replayed SAML response|InResponseTo/)],
        [401, expect.stringMatching(/replayed SAML response|InResponseTo/)],
      ]);
    } finally {
      await slow.close();
    }
  });

  it('refuses a valid response posted from a browser that did not start that login (login CSRF)', async () => {
    // The attacker logs in with their own (auditor) account, stops before the ACS, and makes the
    // victim's browser post the response, so that the victim would work as the attacker.
    const attacker = new Browser();
    const { idpUrl } = await startLogin(h, attacker);
    const { SAMLResponse } = await loginAtIdp(attacker, idpUrl, 'auditor');
    const victim = new Browser();
    await startLogin(h, victim); // even with a login of its own pending
    await expectRefused(victim, SAMLResponse, 401, /did not start/);
  });

  it('refuses an unsolicited response (no InResponseTo)', async () => {
    const browser = new Browser();
    await expectRefused(browser, await craft(h, { requestId: null }), 401, /InResponseTo is missing/);
  });

  it('refuses a response to a request the gateway never made', async () => {
    const browser = new Browser();
    await expectRefused(browser, await craft(h, { requestId: '_00000000000000000000000000000000deadbeef' }), 401, /InResponseTo is not valid/);
  });

  it('refuses a signed assertion issued for another pending request', async () => {
    // The attacker's own valid assertion (answering request A) is posted against the victim's request B.
    const a = await pendingRequest();
    const b = await pendingRequest();
    await expectRefused(b.browser, await craft(h, { requestId: a.requestId, responseInResponseTo: b.requestId }), 401, /InResponseTo/);
  });
});

describe('encryption and role', () => {
  it('refuses a plain (unencrypted) assertion, even one properly signed by the IdP', async () => {
    const { browser, requestId } = await pendingRequest();
    await expectRefused(browser, await craft(h, { requestId, encrypt: false }), 401, /plain \(unencrypted\) assertion/);
  });

  it('refuses weak encryption before decrypting: AES-CBC content, RSA PKCS#1 v1.5 key transport', async () => {
    const cases: [{ data?: string; key?: string }, RegExp][] = [
      [{ data: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc' }, /aes256-cbc refused/],
      [{ key: 'http://www.w3.org/2001/04/xmlenc#rsa-1_5' }, /rsa-1_5 refused/],
    ];
    for (const [algorithms, reason] of cases) {
      const { browser, requestId } = await pendingRequest();
      const signed = craftAssertion(h, { requestId });
      await expectRefused(browser, craftResponse(h, { requestId }, await encryptFor(h, signed.xml, algorithms)), 401, reason);
    }
  });

  it('refuses a user without the auditor role with 403, through the real IdP login', async () => {
    const browser = new Browser();
    const { idpUrl } = await startLogin(h, browser);
    const { SAMLResponse, RelayState } = await loginAtIdp(browser, idpUrl, 'clerk');
    const before = h.failures.length;
    const res = await postToAcs(h, browser, SAMLResponse, RelayState);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('does not have the NGC auditor role');
    expect(h.failures.slice(before)).toEqual([expect.objectContaining({ mechanism: 'saml', status: 403, subject: 'clerk' })]);
    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(302);
  });

  it('refuses an auditor authenticated below the required NSIS level of assurance', async () => {
    const { browser, requestId } = await pendingRequest();
    const samlResponse = await craft(h, { requestId, attributes: { 'https://data.gov.dk/concept/core/nsis/loa': ['Low'], 'https://ngc.dk/saml/attributes/role': ['ngc-auditor'] } });
    await expectRefused(browser, samlResponse, 401, /level of assurance "Low" below Substantial/);
  });

  it('answers a POST without SAMLResponse with 400 and records it', async () => {
    const before = h.failures.length;
    const res = await new Browser().postForm(h.acsUrl, { RelayState: '/audit' }, { accept: 'application/json' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    expect(h.failures.slice(before)).toHaveLength(1);
  });

  it('answers garbage in SAMLResponse with 401, not a crash', async () => {
    const { browser } = await pendingRequest();
    await expectRefused(browser, Buffer.from('<not-saml').toString('base64'), 401, /.+/);
  });
});
