/**
 * `ngc-gateway serve` with the audit wired in, as a fresh clone runs it: development audit keys and
 * the local SAML IdP are set up on their own, a rejected report posted with a real token lands in
 * the workspace encrypted, and an auditor logging in through the IdP finds it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accessToken, freePort, readExample, spawnServe, writeClientRegistry, type GatewayProcess } from '../http/support/gateway-process';
import { Browser, loginAtIdp, postToAcs, startLogin, type SamlHarness } from '../support/saml-harness';
import { DEV_KEYS_FILE } from '../../src/audit';

jest.setTimeout(180_000);

const EXAMPLE = 'wgs-germline-positive.json';
let g: GatewayProcess | undefined;
let dir: string;
afterAll(async () => {
  if (g && g.proc.exitCode === null && g.proc.signalCode === null) await g.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

it('keeps a rejected report encrypted and shows it to an auditor who logs in through the development IdP', async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-audit-serve-'));
  type R = { resourceType: string; performer?: { reference: string }[]; identifier?: { system?: string; value: string }[]; birthDate?: string };
  const bundle = JSON.parse(readExample(EXAMPLE).toString()) as { identifier: { value: string }; entry: { fullUrl: string; resource: R }[] };
  const report = bundle.entry.find((e) => e.resource.resourceType === 'DiagnosticReport')!.resource;
  const sor = bundle.entry.find((e) => e.fullUrl === report.performer![0].reference)!.resource.identifier![0].value;
  // A real CPR-shaped number whose encoded date disagrees with birthDate (PAT-04): rejected.
  const patient = bundle.entry.find((e) => e.resource.resourceType === 'Patient')!.resource;
  const cpr = '0707071234';
  patient.identifier = [{ system: 'urn:oid:1.2.208.176.1.2', value: cpr }];
  patient.birthDate = '1980-01-01';
  bundle.identifier.value = 'audit-serve-rejected-1';

  const port = await freePort();
  const { file, client } = writeClientRegistry(dir, [sor]);
  const base = `http://127.0.0.1:${port}`;
  g = spawnServe({ DATA_DIR: dir, PORT: String(port), CLIENTS_FILE: file, PUBLIC_BASE_URL: base });
  await g.waitReady(120_000);
  expect(fs.existsSync(path.join(dir, DEV_KEYS_FILE))).toBe(true);

  // A forged bearer token: refused by SMART, which reports it to the audit through serve's hook.
  expect((await fetch(`${base}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' }, body: '{}' })).status).toBe(401);
  const token = await accessToken(base, client);
  const res = await fetch(`${base}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` }, body: JSON.stringify(bundle) });
  expect(res.status).toBe(422);

  // Not logged in: the workspace sends the browser to the SAML login, the API says 401.
  const page = await fetch(`${base}/audit/`, { redirect: 'manual', headers: { accept: 'text/html' } });
  expect(page.status).toBe(302);
  expect(page.headers.get('location')).toMatch(/^\/auth\/saml\/login/);
  expect((await fetch(`${base}/audit/api/reports`)).status).toBe(401);

  const h = { spBase: base, acsUrl: `${base}/auth/saml/acs` } as unknown as SamlHarness;
  const b = new Browser();
  const { idpUrl } = await startLogin(h, b, '/audit/');
  const form = await loginAtIdp(b, idpUrl, 'auditor');
  expect([302, 303]).toContain((await postToAcs(h, b, form.SAMLResponse, form.RelayState)).status);
  const list = (await (await b.fetch(`${base}/audit/api/reports?text=audit-serve-rejected-1`)).json()) as { items: { id: string; ruleCounts: Record<string, number>; hasPayload: boolean }[] };
  expect(list.items).toHaveLength(1);
  expect(list.items[0].ruleCounts).toHaveProperty('PAT-04');
  expect(list.items[0].hasPayload).toBe(true);
  const html = await (await b.fetch(`${base}/audit/reports/${list.items[0].id}`)).text();
  expect(html).toContain('href="/ig/rules.html#PAT-04"');
  expect(html).toContain(cpr);

  const failures = (await (await b.fetch(`${base}/audit/api/AuditEvent?subtype=110122`)).json()) as { entry: { resource: { outcomeDesc: string } }[] };
  expect(failures.entry.map((e) => e.resource.outcomeDesc).join('\n')).toMatch(/access-token: .*\(POST \/fhir, 401\)/);
  const submissions = (await (await b.fetch(`${base}/audit/api/AuditEvent?subtype=transaction&outcome=4`)).json()) as { total: number };
  expect(submissions.total).toBe(1);

  expect(await g.kill('SIGTERM')).toBe(0);
  const files = fs.readdirSync(dir).filter((f) => f.startsWith('gateway.sqlite'));
  const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(dir, f))));
  expect(bytes.includes(Buffer.from(cpr))).toBe(false);
  expect(g.stdout.join('\n')).not.toContain(cpr);
  expect(g.stdout.some((l) => /development SAML IdP/.test(l))).toBe(true);
});
