/**
 * The auditors' workspace in real headless Chromium: SAML login through the local IdP, filter the
 * rejected reports, open one, follow an issue to its highlighted element in the decrypted payload,
 * view the statistics; a user without the auditor role sees no data. Screenshots go to
 * test-artifacts/audit/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { makeRecord } from '../store/records';
import { startWorkspace, type Workspace } from './support/workspace';
import { seedThroughApi } from './support/seed';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'audit');
let ws: Workspace;
let browser: Browser;
let ids: { rejectedId: string; acceptedId: string };

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  ws = await startWorkspace();
  ids = await seedThroughApi(ws);
  // Older history in two regions, for the statistics over time.
  const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n, 10)).toISOString();
  for (let d = 0; d < 10; d++) {
    for (const region of ['Hovedstaden', 'Midtjylland']) {
      const rejected = d % 3 === 0 || (region === 'Midtjylland' && d < 5);
      const rec = makeRecord({ region, clientId: region === 'Hovedstaden' ? 'region-h' : 'region-m', sorCode: region === 'Hovedstaden' ? '6021000016009' : '7000000000001', receivedAt: day(d), reportIdentifier: `https://lab/r|${region}-${d}`, status: rejected ? 'rejected' : 'accepted', ruleCounts: rejected ? { [d % 2 ? 'PAT-02' : 'VAR-03']: 1 } : {} });
      if (rejected) await ws.store.insertRejected(rec, Buffer.from('{"resourceType":"Bundle"}'));
      else await ws.store.insertAccepted(rec, Buffer.from('{}'));
    }
  }
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await ws?.close();
});

async function login(page: Page, who: RegExp): Promise<void> {
  await page.goto(`${ws.base}/audit/`);
  expect(page.url().startsWith(ws.idp.ssoUrl)).toBe(true);
  await page.getByLabel(who).check();
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForLoadState();
}

it('lets an auditor filter, open a rejected report, follow an issue to its element and see the statistics', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  try {
    const page = await context.newPage();
    // Console errors of the workspace's pages (the development IdP's own page is not under test).
    page.on('console', (m) => m.type() === 'error' && page.url().startsWith(ws.base) && errors.push(`${m.text()} ${m.location().url}`));
    await login(page, /Astrid Auditor/);
    expect(new URL(page.url()).pathname).toBe('/audit/');
    expect(await page.textContent('h1')).toBe('Rejected reports');
    expect(await page.locator('#user').textContent()).toBe('Astrid Auditor');
    // 4 rejected through the API + 11 seeded (4 in Hovedstaden, 7 in Midtjylland).
    expect(await page.locator('#count').textContent()).toBe('1–15 of 15');
    await page.screenshot({ path: path.join(ARTIFACTS, '01-list.png'), fullPage: true });
    // Accessible markup: the first Tab reaches the skip link, every form control has a label,
    // sortable headers say how they sort.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    expect(await page.evaluate(() => Array.from(document.querySelectorAll('main input:not([type=hidden]), main select')).filter((e) => !(e as HTMLInputElement).labels?.length).length)).toBe(0);
    expect(await page.getAttribute('th[aria-sort]', 'aria-sort')).toBe('descending');

    // Filter by region and rule with the form (keyboard-reachable labels), then by text.
    await page.getByLabel('Region').selectOption('Midtjylland');
    await page.getByLabel('Rule').selectOption('VAR-03');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForLoadState();
    const seeded = await page.locator('#reports tbody tr').count();
    expect(seeded).toBeGreaterThan(0);
    for (const row of await page.locator('#reports tbody tr td:nth-child(3)').allTextContents()) expect(row).toBe('Midtjylland');
    await page.goto(`${ws.base}/audit/`);
    await page.getByLabel('Identifier contains').fill('rep-A');
    await page.getByLabel('Identifier contains').press('Enter');
    await page.waitForLoadState();
    expect(page.url()).toContain('text=rep-A');
    expect(await page.locator('#reports tbody tr').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, '02-filtered.png'), fullPage: true });

    // Sorting by a column header link.
    await page.goto(`${ws.base}/audit/`);
    await page.getByRole('link', { name: 'Region' }).click();
    await page.waitForLoadState();
    expect(await page.getAttribute('th[aria-sort]', 'aria-sort')).toBe('descending');

    // Open the report.
    await page.goto(`${ws.base}/audit/?text=rep-A`);
    await page.locator('#reports tbody tr a').first().click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe(`/audit/reports/${ids.rejectedId}`);
    const issue = page.locator('#issue-1');
    expect(await issue.locator('a.rule').getAttribute('href')).toBe('/ig/rules.html#VAR-01');
    expect(await issue.locator('p[lang=da]').textContent()).toContain('status skal være final');
    expect(await issue.locator('p[lang=en]').textContent()).toContain('status must be final');
    // Earlier/later submissions of the same report: the accepted resubmission is listed.
    expect(await page.locator(`a[href="/audit/reports/${ids.acceptedId}"]`).count()).toBe(1);

    // Follow the issue to its element: the browser jumps to the highlighted line of the payload.
    // By keyboard: focus the issue's element link and press Enter.
    await issue.locator('a.goto').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.startsWith('#L'));
    const hash = new URL(page.url()).hash;
    expect(hash).toMatch(/^#L\d+$/);
    const target = page.locator(hash);
    expect(await target.getAttribute('class')).toContain('flagged');
    expect(await target.textContent()).toContain('"status": "preliminary"');
    expect(await page.evaluate(() => document.querySelector(':target')?.id)).toBe(hash.slice(1));
    expect(await target.isVisible()).toBe(true);
    // The decrypted payload shows the CPR to the auditor (that is the point), and the view is audited.
    expect(await page.locator('pre.payload').textContent()).toContain('0101011234');
    await page.screenshot({ path: path.join(ARTIFACTS, '03-report-issue-target.png'), fullPage: false });
    // ...and back from the element to its issue.
    await target.locator('a.back').click();
    expect(new URL(page.url()).hash).toBe('#issue-1');

    // Statistics: charts drawn on the server, numbers as CSV.
    await page.getByRole('link', { name: 'Statistics' }).click();
    await page.waitForLoadState();
    expect(await page.locator('svg#chart-acceptance polyline').count()).toBe(2);
    expect(await page.locator('svg#chart-rules rect').count()).toBeGreaterThan(1);
    expect(await page.locator('#table-resubmission tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, '04-statistics.png'), fullPage: true });
    const csvHref = (await page.getByRole('link', { name: 'Numbers as CSV' }).first().getAttribute('href')) as string;
    // The page's CSP forbids script fetches; the browser context's request API carries the session cookie.
    const csvRes = await context.request.get(`${ws.base}${csvHref}`);
    expect(csvRes.headers()['content-type']).toContain('text/csv');
    const csv = await csvRes.text();
    expect(csv.split('\r\n')[0]).toBe('period,region,total,accepted,acceptanceRate');
    expect(csv).toContain('2026-11-01,Midtjylland,1,0,0.0000');

    // The audit log shows the auditor's view of the report.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Subtype').selectOption('read');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#events tbody').textContent()).toContain('auditor');
    await page.screenshot({ path: path.join(ARTIFACTS, '05-audit-log.png'), fullPage: true });
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}, 120_000);

it('shows nothing to a user without the auditor role, on pages or the API', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await login(page, /Carl Clerk/);
    expect(await page.textContent('h1')).toBe('Access denied');
    for (const p of ['/audit/api/reports', `/audit/api/reports/${ids.rejectedId}`, '/audit/api/AuditEvent', '/audit/api/stats/acceptance', '/audit/?format=csv', '/audit/stats/rules.csv']) {
      const r = await page.evaluate(async (url) => {
        const res = await fetch(url, { headers: { accept: 'application/json' } });
        return { status: res.status, body: await res.text() };
      }, `${ws.base}${p}`);
      expect([401, 403]).toContain(r.status);
      expect(r.body).not.toContain('rep-A');
      expect(r.body).not.toContain('Midtjylland');
    }
    await page.goto(`${ws.base}/audit/reports/${ids.rejectedId}`);
    expect(await page.content()).not.toContain('0101011234');
    await page.screenshot({ path: path.join(ARTIFACTS, '06-no-role.png') });
  } finally {
    await context.close();
  }
}, 60_000);
