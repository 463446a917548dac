/**
 * The audit wiring end to end over HTTP: real POST /fhir through createApp stores rejected payloads
 * encrypted (the SQLite file never holds the CPR), the JSON/CSV API under /audit/api answers only an
 * auditor session, every view and access request is audited, CSRF guards the POSTs, and failed
 * logins leave AuditEvents.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Browser, hiddenField, loginAtIdp, postToAcs, startLogin, type SamlHarness } from '../support/saml-harness';
import { startWorkspace, type Workspace } from './support/workspace';
import { rejectedBundle, seedThroughApi } from './support/seed';
import { typicalBundle } from '../http/support/bundle';
import type { StoredAuditEvent } from '../../src/audit';

let ws: Workspace;
let ids: { rejectedId: string; acceptedId: string };
let h: SamlHarness;

beforeAll(async () => {
  ws = await startWorkspace();
  ids = await seedThroughApi(ws);
  h = { spBase: ws.base, acsUrl: `${ws.base}/auth/saml/acs` } as unknown as SamlHarness;
}, 60_000);
afterAll(() => ws?.close());

async function loggedIn(user = 'auditor'): Promise<Browser> {
  const b = new Browser();
  const { idpUrl } = await startLogin(h, b, '/audit/');
  const form = await loginAtIdp(b, idpUrl, user);
  const res = await postToAcs(h, b, form.SAMLResponse, form.RelayState);
  if (user === 'auditor' && ![302, 303].includes(res.status)) throw new Error(`login failed: ${res.status}`);
  return b;
}

it('stores the rejected payload from POST /fhir only encrypted: the CPR is not in the database files', async () => {
  const r = await ws.submit(rejectedBundle('secret-report', '2912941234', 'Likely pathogenic BRCA2 c.9097dup, confidential'));
  expect(r.status).toBe(422);
  const bytes = Buffer.concat(fs.readdirSync(ws.dataDir).filter((f) => f.startsWith('gateway.sqlite')).map((f) => fs.readFileSync(path.join(ws.dataDir, f))));
  expect(bytes.includes(Buffer.from('2912941234'))).toBe(false);
  // (Accepted payloads wait in the outbox in clear until delivered; this one was rejected.)
  expect(bytes.includes(Buffer.from('BRCA2 c.9097dup'))).toBe(false);
  expect(bytes.includes(Buffer.from('secret-report'))).toBe(true);
  expect(bytes.includes(Buffer.from(ws.audit.hashSubject('2912941234')))).toBe(true);
  expect(ws.logs.join('\n')).not.toContain('2912941234');
  // The region still reads its full outcome from the Task (restored from the sealed copy).
  const id = /Task\/([0-9a-f-]+)/.exec(JSON.stringify(r.body))?.[1] ?? (await ws.auditStore.listSubmissions({ text: 'secret-report' })).items[0].id;
  const task = (await (await fetch(`${ws.base}/fhir/Task/${id}`, { headers: { Authorization: 'Test region-h', accept: 'application/fhir+json' } })).json()) as { contained: { issue: { diagnostics?: string }[] }[] };
  expect(task.contained[0].issue.map((i) => i.diagnostics)).toContain('status must be final');
});

it('refuses the API without a session or without the auditor role, and audits the refusals', async () => {
  const anon = await fetch(`${ws.base}/audit/api/reports`, { headers: { accept: 'application/json' } });
  expect(anon.status).toBe(401);
  expect(await anon.text()).not.toContain('rep-A');
  const clerk = await loggedIn('clerk');
  const res = await clerk.fetch(`${ws.base}/audit/api/reports`, { headers: { accept: 'application/json' } });
  expect([401, 403]).toContain(res.status);
  expect(await res.text()).not.toContain('rep-A');
  const failures = await ws.auditStore.searchEvents({ subtype: '110122' });
  expect(failures.items.map((e) => e.resource.outcomeDesc).join('\n')).toMatch(/auditor role missing|no auditor session/);
  // A forged SAML response is refused and audited as a failed login.
  const b = new Browser();
  const bad = await b.postForm(`${ws.base}/auth/saml/acs`, { SAMLResponse: Buffer.from('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>').toString('base64') });
  expect([400, 401, 403]).toContain(bad.status);
  const after = await ws.auditStore.searchEvents({ subtype: '110122', outcome: '8' });
  expect(after.total).toBeGreaterThan(0);
}, 60_000);

it('serves reports, one report with its decrypted payload, statistics, AuditEvents and CSV to an auditor', async () => {
  const b = await loggedIn();
  const list = (await (await b.fetch(`${ws.base}/audit/api/reports?text=rep-A&status=any`)).json()) as { total: number; items: { id: string; status: string }[] };
  expect(list.items.map((i) => i.status).sort()).toEqual(['accepted', 'rejected']);

  const one = (await (await b.fetch(`${ws.base}/audit/api/reports/${ids.rejectedId}`)).json()) as { payloadState: string; payload: { entry: { resource: { identifier?: { value: string }[] } }[] }; related: { id: string }[]; submission: { ruleCounts: Record<string, number> } };
  expect(one.payloadState).toBe('shown');
  expect(one.payload.entry[0].resource.identifier?.[0].value).toBe('0101011234');
  expect(one.related.map((r) => r.id)).toEqual([ids.rejectedId, ids.acceptedId]);
  expect(one.submission.ruleCounts).toEqual({ 'VAR-01': 1 });

  const events = (await (await b.fetch(`${ws.base}/audit/api/AuditEvent?subtype=read&entity=Task/${ids.rejectedId}`)).json()) as { resourceType: string; total: number; entry: { resource: { agent: { who: { identifier?: { value: string } } }[]; entity: { what: { identifier?: { value: string } } }[] } }[] };
  expect(events.resourceType).toBe('Bundle');
  expect(events.total).toBe(1);
  expect(events.entry[0].resource.agent[0].who.identifier?.value).toBe('auditor');
  expect(JSON.stringify(events)).not.toContain('0101011234');
  expect(events.entry[0].resource.entity[1].what.identifier?.value).toBe(ws.audit.hashSubject('0101011234'));

  const csvRes = await b.fetch(`${ws.base}/audit/?format=csv&status=any`);
  expect(csvRes.headers.get('content-type')).toContain('text/csv');
  const lines = (await csvRes.text()).trim().split('\r\n');
  expect(lines[0]).toBe('id,receivedAt,status,clientId,region,laboratory,bundleSystem,bundleValue,reportIdentifier,rules,sizeBytes,deliveredAt,lastError');
  expect(lines.length).toBeGreaterThanOrEqual(6);

  const stats = (await (await b.fetch(`${ws.base}/audit/api/stats/resubmission`)).json()) as { region: string; rejected: number; resubmitted: number }[];
  expect(stats.find((s) => s.region === 'Hovedstaden')).toMatchObject({ resubmitted: 1 });
  const eventsCsv = await (await b.fetch(`${ws.base}/audit/events?format=csv`)).text();
  expect(eventsCsv.split('\r\n')[0]).toBe('recorded,type,subtype,action,outcome,agent,submission,patientHash,description');
}, 60_000);

it('answers an access request by CPR only with a CSRF token, and audits it', async () => {
  const b = await loggedIn();
  await b.fetch(`${ws.base}/audit/reports/${ids.rejectedId}`);
  const noToken = await b.fetch(`${ws.base}/audit/api/access-request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cpr: '0101011234' }) });
  expect(noToken.status).toBe(403);
  const formPage = await (await b.fetch(`${ws.base}/audit/access-request`)).text();
  const token = hiddenField(formPage, '_csrf') as string;
  const res = await b.fetch(`${ws.base}/audit/api/access-request`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: JSON.stringify({ cpr: '0101011234' }) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { submissions: string[]; events: { subtype: { code: string }[]; agent: { who: { identifier?: { value: string } } }[] }[] };
  expect(body.submissions.sort()).toEqual([ids.rejectedId, ids.acceptedId].sort());
  expect(body.events.some((e) => e.subtype[0].code === 'read' && e.agent[0].who.identifier?.value === 'auditor')).toBe(true);
  // The HTML form does the same and shows the viewers.
  const html = await (await b.postForm(`${ws.base}/audit/access-request`, { _csrf: token, cpr: '0101011234' })).text();
  expect(html).toMatch(/views of their data by auditors/);
  expect(html).not.toContain('value="0101011234"');
  const bad = await b.postForm(`${ws.base}/audit/access-request`, { _csrf: token, cpr: 'x' });
  expect(bad.status).toBe(400);
  const asked = await ws.auditStore.searchEvents({ subtype: 'search-type', subjectHash: ws.audit.hashSubject('0101011234') });
  expect(asked.total).toBe(2);
}, 60_000);

it('records refused SMART token requests and bearer tokens as failed-login AuditEvents (the hook serve wires)', async () => {
  await ws.audit.onSmartFailure({ kind: 'token-request', reason: 'jti-replayed', error: 'invalid_client', description: 'assertion replayed', status: 401, clientId: 'region-h', method: 'POST', path: '/auth/token', remoteAddress: '10.0.0.7', at: new Date() });
  await ws.audit.onSmartFailure({ kind: 'insufficient-scope', reason: 'scope-missing', error: 'forbidden', description: 'needs system/Bundle.write', status: 403, clientId: 'read-only', method: 'POST', path: '/fhir', at: new Date() });
  const r = await ws.auditStore.searchEvents({ subtype: '110122', agent: 'region-h' });
  expect(r.items[0].resource).toMatchObject({ outcome: '8', type: { code: '110114' }, agent: [{ requestor: true, who: { identifier: { value: 'region-h' } }, network: { address: '10.0.0.7' } }, { who: { display: 'ngc-reporting-gateway' } }] });
  expect(r.items[0].resource.outcomeDesc).toContain('jti-replayed');
  expect((await ws.auditStore.searchEvents({ subtype: '110122', agent: 'read-only' })).items[0].resource.outcome).toBe('4');
});

it('leaves an AuditEvent for submissions refused before anything is stored, and for duplicates', async () => {
  const post = (body: string, client: string, contentType = 'application/fhir+json') => fetch(`${ws.base}/fhir`, { method: 'POST', body, headers: { 'content-type': contentType, authorization: `Test ${client}` } });
  expect((await post('{}', 'region-h', 'text/plain')).status).toBe(415);
  expect((await post('not json', 'region-h')).status).toBe(400);
  // region-m posting a report of region-h's laboratory (SUB-12).
  expect((await post(JSON.stringify(typicalBundle('foreign-lab')), 'region-m')).status).toBe(403);
  // The accepted rep-A again: the first receipt (SUB-11).
  expect((await post(JSON.stringify(typicalBundle('rep-A')), 'region-h')).status).toBe(200);
  let events: StoredAuditEvent[] = [];
  for (let i = 0; i < 50 && events.length < 4; i++) {
    events = (await ws.auditStore.searchEvents({ subtype: 'transaction', limit: 1000 })).items.filter((e) => /refused|duplicate/.test(e.resource.outcomeDesc ?? ''));
    await new Promise((r) => setTimeout(r, 20));
  }
  const descs = events.map((e) => `${e.resource.agent[0].who?.identifier?.value} ${e.resource.outcomeDesc}`);
  expect(descs).toEqual(expect.arrayContaining(['region-h refused with HTTP 415', 'region-h refused with HTTP 400', 'region-m refused with HTTP 403', 'region-h duplicate of an earlier submission (SUB-11): first receipt returned']));
  expect(events.find((e) => /duplicate/.test(e.resource.outcomeDesc ?? ''))?.submissionId).toBe(ids.acceptedId);
});
