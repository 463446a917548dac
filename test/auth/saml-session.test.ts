/** Session lifetime: the idle timeout and the absolute limit are enforced by the server, not the cookie. */
import { Browser, loginAtIdp, postToAcs, startLogin, startSamlHarness, type SamlHarness } from '../support/saml-harness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function loggedIn(h: SamlHarness): Promise<Browser> {
  const browser = new Browser();
  const { idpUrl } = await startLogin(h, browser);
  const { SAMLResponse, RelayState } = await loginAtIdp(browser, idpUrl, 'auditor');
  expect((await postToAcs(h, browser, SAMLResponse, RelayState)).status).toBe(303);
  return browser;
}

it('ends an idle session in the store (the cookie alone keeps nothing alive)', async () => {
  // Margins are generous: the test machines are shared and a request can take a second.
  const h = await startSamlHarness({ configOverrides: { sessionIdleTimeoutMs: 3_000 } });
  try {
    const browser = await loggedIn(h);
    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(200);
    await sleep(1_600);
    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(200); // activity extends it
    await sleep(1_600);
    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(200); // > 3 s after login: alive thanks to activity
    await sleep(3_500);
    const res = await browser.fetch(`${h.spBase}/audit`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/auth\/saml\/login/);
  } finally {
    await h.close();
  }
});

it('ends an active session at its absolute limit', async () => {
  const h = await startSamlHarness({ configOverrides: { sessionAbsoluteTimeoutMs: 3_000 } });
  try {
    const browser = await loggedIn(h);
    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(200);
    await sleep(1_000);
    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(200);
    await sleep(2_200);
    const before = h.failures.length;
    const api = await browser.fetch(`${h.spBase}/audit/api/reports`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
    expect(h.failures.slice(before)).toEqual([expect.objectContaining({ reason: 'session past its maximum lifetime' })]);
    expect((await browser.fetch(`${h.spBase}/audit`)).status).toBe(302);
  } finally {
    await h.close();
  }
});
