/**
 * The "validate your Bundle" page in headless Chromium against the real engine: with JavaScript
 * (fetch, issues rendered with rule links) and without (plain form POST, server-rendered result),
 * plus a file upload; and the page loads with no console errors under its CSP.
 */
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import express from 'express';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { createIgRouter } from '../../src/ig';
import { buildSite } from '../../src/ig/site';
import { createSubmissionValidator } from '../../src/submission';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'implementation-guide', 'examples');
/** A broken example without the pretty-printing whitespace: typing 50 KB into a textarea is slow. */
function compact(name: string): string {
  return JSON.stringify(JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'invalid', name), 'utf8')));
}

let tmp: string;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-ig-browser-'));
  buildSite({ outDir: path.join(tmp, 'site') });
  const submissionValidator = createSubmissionValidator();
  // Compile once before the browser waits on it.
  submissionValidator.validateBytes(fs.readFileSync(path.join(EXAMPLES, 'valid', 'wes-negative.json')));
  const app = express();
  app.use('/ig', createIgRouter({ siteDir: path.join(tmp, 'site'), submissionValidator, limits: { ratePerMinute: 600, burst: 100 } }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('with JavaScript: pasting a broken Bundle lists its issues and links the rule to the catalogue', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/ig/validate.html`);
    expect(await page.getByText('Test data only').isVisible()).toBe(true);
    await page.getByLabel('Bundle (FHIR R4 JSON)').fill(compact('VAR-07.json'));
    await page.getByRole('button', { name: 'Validate' }).click();
    const link = page.locator('#result a.rule', { hasText: 'VAR-07' });
    await link.first().waitFor({ timeout: 30_000 });
    expect(page.url()).toBe(`${base}/ig/validate.html`); // fetch, no navigation
    expect(await page.locator('#verdict').innerText()).toContain('invalid');
    await Promise.all([page.waitForURL(`${base}/ig/rules.html#VAR-07`), link.first().click()]);
    expect(await page.locator('section#VAR-07').innerText()).toContain('GRCh38');
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
}, 60_000);

test('with JavaScript: an uploaded valid Bundle is judged valid', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${base}/ig/validate.html`);
    await page.getByLabel('or upload a file').setInputFiles(path.join(EXAMPLES, 'valid', 'wgs-germline-positive.json'));
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.locator('#verdict').waitFor({ timeout: 30_000 });
    expect(await page.locator('#verdict').innerText()).toMatch(/^valid 0 error\(s\)/);
  } finally {
    await context.close();
  }
}, 60_000);

test('without JavaScript: the form posts and the server renders the issues with rule links', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(`${base}/ig/validate.html`);
    await page.getByLabel('Bundle (FHIR R4 JSON)').fill(compact('QC-01.json'));
    await Promise.all([page.waitForURL(`${base}/ig/validate`), page.getByRole('button', { name: 'Validate' }).click()]);
    expect(await page.locator('#verdict').innerText()).toContain('invalid');
    const link = page.locator('a.rule', { hasText: 'QC-01' }).first();
    expect(await link.getAttribute('href')).toBe('rules.html#QC-01');
    await Promise.all([page.waitForURL(`${base}/ig/rules.html#QC-01`), link.click()]);
  } finally {
    await context.close();
  }
}, 60_000);
