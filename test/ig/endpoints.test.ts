/**
 * The guide as served over real HTTP on loopback: the static site and package.tgz, the "validate
 * your Bundle" endpoint with the real engine and rules, and the read-only conformance routes.
 */
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Server } from 'node:http';
import express from 'express';
import { conformanceCapabilityResources, createConformanceRouter, createIgRouter } from '../../src/ig';
import { buildSite } from '../../src/ig/site';
import { createSubmissionValidator } from '../../src/submission';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'implementation-guide', 'examples');
const RULE_SYSTEM = 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-validation-rule';

let tmp: string;
let server: Server;
let base: string;
let clock = 0;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-ig-http-'));
  const siteDir = path.join(tmp, 'site');
  buildSite({ outDir: siteDir, validateMaxBytes: 2 * 1024 * 1024 });
  const submissionValidator = createSubmissionValidator();
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/ig', createIgRouter({ siteDir, submissionValidator, limits: { maxBytes: 2 * 1024 * 1024, ratePerMinute: 6, burst: 6 }, now: () => clock }));
  app.use('/fhir', createConformanceRouter());
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Each test gets its own client address (X-Forwarded-For from loopback is trusted) and a full bucket. */
let ipCounter = 1;
function ip(): string {
  return `10.0.0.${ipCounter++}`;
}

async function validate(body: string | Buffer, headers: Record<string, string>) {
  const res = await fetch(`${base}/ig/validate`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

test('the static site and package.tgz are served at /ig/', async () => {
  const redirect = await fetch(`${base}/ig`, { redirect: 'manual' });
  expect(redirect.status).toBe(301);
  expect(redirect.headers.get('location')).toBe('/ig/');
  const index = await fetch(`${base}/ig/`);
  expect(index.status).toBe(200);
  expect(index.headers.get('content-type')).toMatch(/text\/html/);
  expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(await index.text()).toContain('NGC Genomic Reporting');
  const tgz = await fetch(`${base}/ig/package.tgz`);
  expect(tgz.status).toBe(200);
  expect(tgz.headers.get('content-type')).toBe('application/gzip');
  const bytes = Buffer.from(await tgz.arrayBuffer());
  expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  const missing = await fetch(`${base}/ig/no-such-page.html`);
  expect(missing.status).toBe(404);
});

test('a valid example gets no errors', async () => {
  const r = await validate(fs.readFileSync(path.join(EXAMPLES, 'valid', 'wgs-germline-positive.json')), { 'Content-Type': 'application/fhir+json', 'X-Forwarded-For': ip() });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/application\/fhir\+json/);
  const outcome = JSON.parse(r.text);
  expect(outcome.resourceType).toBe('OperationOutcome');
  expect(outcome.issue.filter((i: { severity: string }) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
}, 60_000);

test('a broken example names its rule; the form POST answers HTML with a link to the rule', async () => {
  const broken = fs.readFileSync(path.join(EXAMPLES, 'invalid', 'VAR-07.json'), 'utf8');
  const json = await validate(broken, { 'Content-Type': 'application/fhir+json', 'X-Forwarded-For': ip() });
  expect(json.status).toBe(200);
  const outcome = JSON.parse(json.text);
  const var07 = outcome.issue.find((i: { details?: { coding?: Array<{ system: string; code: string }> } }) => i.details?.coding?.some((c) => c.system === RULE_SYSTEM && c.code === 'VAR-07'));
  expect(var07).toBeDefined();
  expect(var07.severity).toBe('error');

  const form = await validate(new URLSearchParams({ bundle: broken }).toString(), { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': ip() });
  expect(form.status).toBe(200);
  expect(form.headers.get('content-type')).toMatch(/text\/html/);
  expect(form.text).toContain('<a class="rule" href="rules.html#VAR-07">VAR-07</a>');
  expect(form.text).toContain('verdict-invalid');

  // The upload form (multipart) without JavaScript.
  const fd = new FormData();
  fd.append('bundle', '');
  fd.append('file', new Blob([broken], { type: 'application/json' }), 'report.json');
  const multipart = await fetch(`${base}/ig/validate`, { method: 'POST', body: fd, headers: { 'X-Forwarded-For': ip() } });
  expect(multipart.status).toBe(200);
  expect(await multipart.text()).toContain('href="rules.html#VAR-07"');
}, 60_000);

test('pasted text that is not JSON gets 400 with SUB-01, escaped in the HTML answer', async () => {
  const r = await validate(new URLSearchParams({ bundle: '<script>alert(1)</script>' }).toString(), { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': ip() });
  expect(r.status).toBe(400);
  expect(r.text).toContain('href="rules.html#SUB-01"');
  expect(r.text).not.toContain('<script>alert(1)</script>');
  expect(r.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
});

test('an oversized Bundle gets 413 and is not validated', async () => {
  const big = Buffer.alloc(2 * 1024 * 1024 + 10, 0x20);
  const r = await validate(big, { 'Content-Type': 'application/fhir+json', 'X-Forwarded-For': ip() });
  expect(r.status).toBe(413);
  expect(JSON.parse(r.text).issue[0].code).toBe('too-costly');
});

test('another media type gets 415', async () => {
  const r = await validate('<Bundle/>', { 'Content-Type': 'application/fhir+xml', 'X-Forwarded-For': ip() });
  expect(r.status).toBe(415);
});

test('the rate limit per address answers 429 with Retry-After, and refills with time', async () => {
  const me = ip();
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await validate('{', { 'Content-Type': 'application/fhir+json', 'X-Forwarded-For': me })).status);
  expect(statuses.slice(0, 6)).toEqual([400, 400, 400, 400, 400, 400]);
  expect(statuses[6]).toBe(429);
  const limited = await validate('{', { 'Content-Type': 'application/fhir+json', 'X-Forwarded-For': me });
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(JSON.parse(limited.text).issue[0].code).toBe('throttled');
  // Another address is not affected; and after 10 s (one token at 6/min) the first may go again.
  expect((await validate('{', { 'Content-Type': 'application/fhir+json', 'X-Forwarded-For': ip() })).status).toBe(400);
  clock += 10_000;
  expect((await validate('{', { 'Content-Type': 'application/fhir+json', 'X-Forwarded-For': me })).status).toBe(400);
});

test('conformance search by url returns the resource in a searchset Bundle', async () => {
  const url = 'http://ngc.dk/fhir/genomics/StructureDefinition/ngc-variant';
  const res = await fetch(`${base}/fhir/StructureDefinition?url=${encodeURIComponent(url)}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/fhir\+json/);
  const bundle = await res.json();
  expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
  expect(bundle.entry[0].resource.url).toBe(url);
  expect(bundle.entry[0].resource.snapshot.element.length).toBeGreaterThan(50);
  expect(bundle.entry[0].fullUrl).toBe(`${base}/fhir/StructureDefinition/ngc-variant`);

  const versioned = await (await fetch(`${base}/fhir/StructureDefinition?url=${encodeURIComponent(url)}|9.9.9`)).json();
  expect(versioned.total).toBe(0);
  const byId = await (await fetch(`${base}/fhir/ValueSet?_id=ngc-analysis-type`)).json();
  expect(byId.total).toBe(1);
  const all = await (await fetch(`${base}/fhir/CodeSystem`)).json();
  expect(all.entry.map((e: { resource: { id: string } }) => e.resource.id)).toContain('ngc-validation-rule');
});

test('conformance read by id; unknown id 404; writes 405', async () => {
  const cs = await fetch(`${base}/fhir/CodeSystem/ngc-analysis-type`);
  expect(cs.status).toBe(200);
  expect((await cs.json()).concept.map((c: { code: string }) => c.code)).toContain('WGS');
  const missing = await fetch(`${base}/fhir/ValueSet/nope`);
  expect(missing.status).toBe(404);
  expect((await missing.json()).resourceType).toBe('OperationOutcome');
  const put = await fetch(`${base}/fhir/StructureDefinition/ngc-variant`, { method: 'PUT', body: '{}', headers: { 'Content-Type': 'application/fhir+json' } });
  expect(put.status).toBe(405);
  expect(put.headers.get('allow')).toBe('GET');
});

test('the CapabilityStatement entries describe exactly the routes served, as public', async () => {
  for (const r of conformanceCapabilityResources()) {
    expect(r.documentation).toMatch(/no access token is needed/);
    expect(r.interaction?.map((i) => i.code)).toEqual(['read', 'search-type']);
    for (const p of r.searchParam ?? []) {
      const res = await fetch(`${base}/fhir/${r.type}?${p.name}=x`);
      const bundle = await res.json();
      // A supported parameter is used, not reported as ignored.
      expect(bundle.entry?.some((e: { search?: { mode?: string } }) => e.search?.mode === 'outcome') ?? false).toBe(false);
    }
  }
  const unknown = await (await fetch(`${base}/fhir/ValueSet?publisher=x`)).json();
  expect(unknown.entry.find((e: { search: { mode: string } }) => e.search.mode === 'outcome').resource.issue[0].diagnostics).toMatch(/publisher/);
});

test('all addresses together are bounded too: 503 with Retry-After when the guide validator is busy', async () => {
  const app = express();
  app.set('trust proxy', 'loopback');
  let t = 0;
  const submissionValidator = { validateBytes: () => ({ valid: true, status: 200 as const, issues: [] }) };
  app.use('/ig', createIgRouter({ siteDir: tmp, submissionValidator, limits: { ratePerMinute: 60, burst: 5, globalPerMinute: 3 }, now: () => t }));
  const s = app.listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/ig/validate`;
  try {
    const post = (from: string) => fetch(url, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/fhir+json', 'X-Forwarded-For': from } });
    const statuses = [];
    for (const from of ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4']) statuses.push((await post(from)).status);
    expect(statuses).toEqual([200, 200, 200, 503]);
    const busy = await post('10.1.0.5');
    expect(busy.status).toBe(503);
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    t += 20_000;
    expect((await post('10.1.0.6')).status).toBe(200);
  } finally {
    await new Promise((r) => s.close(r));
  }
});

test('a validator failure is a 500 OperationOutcome without details, logged with CPR numbers masked', async () => {
  const logged: string[] = [];
  const app = express();
  const submissionValidator = {
    validateBytes: (): never => {
      throw new Error('cannot handle 0101901234 here');
    },
  };
  app.use('/ig', createIgRouter({ siteDir: tmp, submissionValidator, logger: { error: (obj, msg) => logged.push(JSON.stringify(obj) + msg) } }));
  const s = app.listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/ig/validate`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/fhir+json' } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).issue[0].code).toBe('exception');
    expect(text).not.toContain('0101901234');
    expect(logged).toHaveLength(1);
    expect(logged[0]).not.toContain('0101901234');
    expect(logged[0]).toContain('[CPR]');
  } finally {
    await new Promise((r) => s.close(r));
  }
});

