/**
 * The auditor login in a real browser (headless Chromium): redirect to the local IdP, pick a user,
 * the IdP's page posts the response to the ACS by script, and the browser lands on /audit with an
 * httpOnly, SameSite=Lax session cookie. This is the path the audit workspace's browser tests use.
 */
import type { Browser as PwBrowser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { startSamlHarness, type SamlHarness } from '../support/saml-harness';

let h: SamlHarness;
let browser: PwBrowser;
beforeAll(async () => {
  h = await startSamlHarness();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

it('logs an auditor in through the IdP page and keeps the session cookie out of reach of scripts', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${h.spBase}/audit`);
    expect(page.url().startsWith(h.idp.ssoUrl)).toBe(true);
    await page.getByLabel(/Astrid Auditor/).check();
    await Promise.all([page.waitForURL(`${h.spBase}/audit`), page.getByRole('button', { name: 'Log in' }).click()]);
    expect(await page.locator('#user').textContent()).toBe('auditor');
    const cookie = (await context.cookies(h.spBase)).find((c) => c.name === 'ngc-audit');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('ngc-audit');

    // The page's own form carries the CSRF token, so the honest POST works.
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.textContent('body')).toContain('"saved":true');
  } finally {
    await context.close();
  }
}, 60_000);

it('shows a user without the auditor role an access-denied page and no audit data', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${h.spBase}/audit`);
    await page.getByLabel(/Carl Clerk/).check();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === h.acsUrl),
      page.getByRole('button', { name: 'Log in' }).click(),
    ]);
    expect(response.status()).toBe(403);
    await page.waitForLoadState();
    expect(await page.textContent('h1')).toBe('Access denied');
    await page.goto(`${h.spBase}/audit`);
    expect(page.url().startsWith(h.idp.ssoUrl)).toBe(true);
  } finally {
    await context.close();
  }
}, 60_000);
