/**
 * Dogfooding: every FHIR resource the gateway emits over HTTP must be valid FHIR R4 by the gateway's
 * own engine (base specification + NGC package, `--resource` semantics: base spec and the declared
 * meta.profile). Like a FHIR server that emits only valid FHIR. Real app on loopback, the real
 * submission validator, a real SQLite store and real delivery over HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, FhirResource, Resource } from 'fhir/r4';
import { createValidator, type EngineValidator } from '../../src/validation';
import { createSubmissionValidator, type SubmissionValidator } from '../../src/submission';
import { createIgRouter } from '../../src/ig';
import { createDeliveryWorker, createNgcDatabaseTarget } from '../../src/delivery';
import type { AuthenticatedClient } from '../../src/http';
import { authenticateFrom, startHarness, type Harness } from './support/harness';
import { waitFor } from '../delivery/bundles';
import { startWorkspace, type Workspace } from '../audit/support/workspace';
import { seedThroughApi } from '../audit/support/seed';
import { Browser, hiddenField, loginAtIdp, postToAcs, startLogin, type SamlHarness } from '../support/saml-harness';

const EXAMPLES = path.join(__dirname, '../../implementation-guide/examples');
function example(name: string, identifierValue?: string): Record<string, unknown> {
  const b = JSON.parse(fs.readFileSync(path.join(EXAMPLES, name), 'utf8')) as Record<string, unknown>;
  // The examples share one Bundle.identifier; another identifier keeps SUB-11 (409) out of the way.
  if (identifierValue && b.identifier) (b.identifier as { value: string }).value = identifierValue;
  return b;
}

let checker: EngineValidator;
let submission: SubmissionValidator;

/**
 * Findings accepted on purpose, each with why. Keep this list short: anything else the engine
 * reports on an emitted resource fails the test.
 */
const JUSTIFIED: Array<{ resourceType: string; pattern: RegExp; why: string }> = [
  {
    resourceType: 'OperationOutcome',
    pattern: /^warning [^:]*: Constraint failed: dom-6:/,
    // dom-6 is a best-practice "should"; an OperationOutcome's issue.diagnostics and details.text
    // already are the human-readable content, so a narrative would only repeat them in every answer.
    why: 'best practice only; the issues are the human-readable text',
  },
  {
    resourceType: 'AuditEvent',
    pattern: /^warning [^:]*: Constraint failed: dom-6:/,
    // Immutable audit records in IHE BALP style, read by machines and rendered by the auditors'
    // workspace; IHE BALP does not require a narrative, and one per event would repeat its codes.
    why: 'machine records; the workspace renders them',
  },
];


/**
 * Errors and warnings of the engine on `resource` (information is not a defect), with list indexes
 * folded ([3] -> [*]) and counted, so that one defect repeated over 40 elements reads as one line.
 */
function problems(resource: unknown): string[] {
  const typeAt = (expression: string): string => {
    // An issue inside a Bundle entry belongs to that entry's resource.
    const m = /^Bundle\.entry\[(\d+)\]\.resource(?:$|\.)/.exec(expression);
    const r = m ? (resource as { entry: Array<{ resource?: unknown }> }).entry[Number(m[1])].resource : resource;
    return (r as { resourceType?: string } | undefined)?.resourceType ?? '';
  };
  const counts = new Map<string, number>();
  for (const i of checker.validate(resource)) {
    if (i.severity === 'information') continue;
    const line = `${i.severity} ${(i.expression ?? '').replace(/\[\d+\]/g, '[*]')}: ${i.diagnostics ?? ''}`;
    if (JUSTIFIED.some((j) => j.pattern.test(line) && j.resourceType === typeAt(i.expression ?? ''))) continue;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) => (n > 1 ? `${n}x ${line}` : line));
}

async function fhirBody(res: globalThis.Response): Promise<Resource & Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
  return (await res.json()) as Resource & Record<string, unknown>;
}

beforeAll(() => {
  checker = createValidator();
  submission = createSubmissionValidator({ validator: checker });
}, 120_000);

/** The SOR codes of the example's organisations: the client reports for its own laboratory (SUB-12). */
function sorCodesOf(bundle: Record<string, unknown>): string[] {
  const entries = (bundle.entry as Array<{ resource: { resourceType: string; identifier?: Array<{ value: string }> } }>) ?? [];
  return entries.filter((e) => e.resource.resourceType === 'Organization').flatMap((e) => (e.resource.identifier ?? []).map((i) => i.value));
}

const VALID = 'valid/wgs-germline-positive.json';

function clients(): Record<string, AuthenticatedClient> {
  const sor = sorCodesOf(example(VALID));
  return {
    lab: { clientId: 'lab', region: 'Hovedstaden', sorCodes: sor, scopes: ['system/Bundle.write', 'system/Bundle.read'] },
    other: { clientId: 'other', region: 'Midtjylland', sorCodes: ['7000000000001'], scopes: ['system/Bundle.write', 'system/Bundle.read'] },
    reader: { clientId: 'reader', region: 'Hovedstaden', sorCodes: sor, scopes: ['system/Bundle.read'] },
  };
}


async function gateway(limits: Record<string, number> = {}): Promise<Harness> {
  const siteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-dogfood-site-'));
  return startHarness({
    validateSubmission: (bundle, { now }) => submission.validateParsed(bundle, now).issues,
    validateResource: (resource, { profiles }) => checker.validate(resource, { profiles }),
    auth: { authenticate: authenticateFrom(clients()) },
    guide: createIgRouter({ siteDir, submissionValidator: submission }),
    profiles: [],
    limits: { ratePerSecond: 0, maxEventLoopLagMs: 0, ...limits },
  });
}

describe('FHIR resources emitted by the gateway are valid R4', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await gateway();
  });
  afterAll(() => h?.close());

  it('GET /fhir/metadata: the CapabilityStatement', async () => {
    const cs = await fhirBody(await h.get('/fhir/metadata', ''));
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(problems(cs)).toEqual([]);
  });

  it('POST /fhir: the 202 receipt, the 200 replay, and the 409 conflict', async () => {
    const accepted = await h.post('/fhir', example(VALID), { client: 'lab' });
    const receipt = await fhirBody(accepted);
    expect(accepted.status).toBe(202);
    expect(problems(receipt)).toEqual([]);
    const replay = await h.post('/fhir', example(VALID), { client: 'lab' });
    expect(replay.status).toBe(200);
    expect(problems(await fhirBody(replay))).toEqual([]);
    const changed = example(VALID);
    changed.timestamp = '2026-11-20T11:00:00+01:00';
    const conflict = await h.post('/fhir', changed, { client: 'lab' });
    expect(conflict.status).toBe(409);
    expect(problems(await fhirBody(conflict))).toEqual([]);
  });

  it('POST /fhir: 422 with every issue, 400, 401, 403 (SUB-12 and scope), 415', async () => {
    const invalid = await h.post('/fhir', example('invalid/ANA-01.json', 'dogfood-422'), { client: 'lab' });
    expect(invalid.status).toBe(422);
    const oo = await fhirBody(invalid);
    expect((oo.issue as unknown[]).length).toBeGreaterThan(0);
    expect(problems(oo)).toEqual([]);
    const answers = [
      [400, await h.post('/fhir', 'not json', { client: 'lab' })],
      [400, await h.post('/fhir', { resourceType: 'Patient' }, { client: 'lab' })],
      [401, await h.post('/fhir', example(VALID), { client: '' })],
      [403, await h.post('/fhir', example(VALID), { client: 'other' })],
      [403, await h.post('/fhir', example(VALID), { client: 'reader' })],
      [415, await h.post('/fhir', '{}', { client: 'lab', contentType: 'text/plain' })],
      [404, await h.get('/fhir/Task/00000000-0000-4000-8000-000000000000', 'lab')],
      [404, await h.get('/fhir/Nothing', 'lab')],
      [405, await h.get('/fhir', 'lab')],
      [406, await h.get('/fhir/metadata', '', { accept: 'application/fhir+xml' })],
    ] as const;
    for (const [status, res] of answers) {
      expect(res.status).toBe(status);
      const body = await fhirBody(res);
      expect(body.resourceType).toBe('OperationOutcome');
      expect({ status, problems: problems(body) }).toEqual({ status, problems: [] });
    }
  });

  it('413 and 429 OperationOutcomes', async () => {
    const small = await gateway({ maxBodyBytes: 2000, ratePerSecond: 1, rateBurst: 1 });
    try {
      const tooBig = await small.post('/fhir', example(VALID), { client: 'lab' });
      expect(tooBig.status).toBe(413);
      expect(problems(await fhirBody(tooBig))).toEqual([]);
      let limited: globalThis.Response | undefined;
      for (let i = 0; i < 5 && !limited; i++) {
        const r = await small.post('/fhir/$validate', { resourceType: 'Bundle', type: 'transaction' }, { client: 'lab' });
        if (r.status === 429) limited = r;
        else await r.arrayBuffer();
      }
      expect(limited?.status).toBe(429);
      expect(problems(await fhirBody(limited!))).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('POST /fhir/Bundle/$validate and /fhir/$validate: the verdicts', async () => {
    for (const [pathname, body] of [
      ['/fhir/Bundle/$validate', example(VALID)],
      ['/fhir/Bundle/$validate', example('invalid/ANA-02.json')],
      ['/fhir/$validate', { resourceType: 'Patient', gender: 'other', birthDate: 'yesterday' }],
    ] as const) {
      const res = await h.post(pathname, body, { client: 'lab' });
      const oo = await fhirBody(res);
      expect(oo.resourceType).toBe('OperationOutcome');
      expect({ pathname, problems: problems(oo) }).toEqual({ pathname, problems: [] });
    }
  });

  it('POST /ig/validate (FHIR JSON answer)', async () => {
    for (const name of [VALID, 'invalid/ANA-03.json']) {
      const res = await fetch(`${h.url}/ig/validate`, { method: 'POST', body: JSON.stringify(example(name)), headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' } });
      const oo = await fhirBody(res);
      expect(oo.resourceType).toBe('OperationOutcome');
      expect({ name, problems: problems(oo) }).toEqual({ name, problems: [] });
    }
  });

  describe('the submission status Task in each state, and what the delivery worker sends', () => {
    let sink: Server;
    let sinkUrl: string;
    const received: Bundle[] = [];
    let answer: { status: number; body: object } = { status: 200, body: {} };
    beforeAll(async () => {
      sink = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Bundle;
          received.push(bundle);
          const body =
            answer.status < 300
              ? { resourceType: 'Bundle', type: 'transaction-response', entry: (bundle.entry ?? []).map((e, i) => ({ response: { status: '201 Created', location: `${e.resource?.resourceType}/${i + 1}/_history/1` } })) }
              : answer.body;
          res.writeHead(answer.status, { 'content-type': 'application/fhir+json' });
          res.end(JSON.stringify(body));
        });
      });
      await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
      sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/fhir`;
    });
    afterAll(() => new Promise((r) => sink.close(r)));

    async function submit(identifier: string): Promise<string> {
      const b = example(VALID);
      (b.identifier as { value: string }).value = identifier;
      const res = await h.post('/fhir', b, { client: 'lab' });
      expect(res.status).toBe(202);
      await res.arrayBuffer();
      return res.headers.get('content-location')!.split('/').pop()!;
    }

    async function task(id: string): Promise<Record<string, unknown>> {
      const res = await h.get(`/fhir/Task/${id}`, 'lab');
      expect(res.status).toBe(200);
      return fhirBody(res);
    }

    async function deliverOnce(id: string, status: 'delivered' | 'failed'): Promise<void> {
      const worker = createDeliveryWorker({ store: h.store, target: createNgcDatabaseTarget(sinkUrl, { timeoutMs: 5000 }), options: { pollIntervalMs: 20, baseDelayMs: 10, maxDelayMs: 50 } });
      worker.start();
      try {
        await waitFor(async () => (await h.store.getSubmission(id))?.status === status, 15_000, `submission ${status}`);
      } finally {
        await worker.stop();
      }
    }

    it('accepted, delivered (and the delivered transaction Bundle), failed, rejected', async () => {
      const accepted = await submit('dogfood-accepted');
      const acceptedTask = await task(accepted);
      expect(acceptedTask.status).toBe('accepted');
      expect(problems(acceptedTask)).toEqual([]);

      answer = { status: 200, body: {} };
      await deliverOnce(accepted, 'delivered');
      const delivered = await task(accepted);
      expect(delivered.status).toBe('completed');
      expect(problems(delivered)).toEqual([]);
      const sent = received.at(-1)!;
      expect(sent.type).toBe('transaction');
      expect(sent.entry?.every((e) => e.resource?.meta?.tag?.some((t) => t.system === 'http://ngc.dk/fhir/genomics/delivery-key'))).toBe(true);
      expect(problems(sent)).toEqual([]);

      const failing = await submit('dogfood-failed');
      answer = { status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'refused' }] } };
      await deliverOnce(failing, 'failed');
      const failed = await task(failing);
      expect(failed.status).toBe('failed');
      expect(problems(failed)).toEqual([]);

      const bad = example('invalid/ANA-04.json', 'dogfood-rejected');
      const res = await h.post('/fhir', bad, { client: 'lab' });
      expect(res.status).toBe(422);
      await res.arrayBuffer();
      const rejectedId = res.headers.get('content-location')?.split('/').pop();
      expect(rejectedId).toBeDefined();
      const rejected = await task(rejectedId!);
      expect(rejected.status).toBe('rejected');
      expect(problems(rejected)).toEqual([]);
    }, 60_000);
  });

  describe('the NGC conformance resources', () => {
    for (const type of ['StructureDefinition', 'ValueSet', 'CodeSystem'] as const) {
      it(`GET /fhir/${type}: the searchset Bundle and every resource in it`, async () => {
        const all = (await fhirBody(await h.get(`/fhir/${type}`, ''))) as unknown as Bundle<FhirResource>;
        expect(all.total).toBeGreaterThan(0);
        expect(problems(all)).toEqual([]);
      }, 120_000);
    }

    it('GET /fhir/StructureDefinition?url= with an unsupported parameter: the searchset with its outcome entry', async () => {
      const url = 'http://ngc.dk/fhir/genomics/StructureDefinition/ngc-patient';
      const res = await h.get(`/fhir/StructureDefinition?url=${encodeURIComponent(url)}&publisher=x`, '');
      const bundle = await fhirBody(res);
      expect(bundle.total).toBe(1);
      expect(problems(bundle)).toEqual([]);
    }, 60_000);
  });
});

describe('the audit JSON API emits valid AuditEvents and Bundles', () => {
  let ws: Workspace;
  let auditor: Browser;
  let ids: { rejectedId: string; acceptedId: string };
  beforeAll(async () => {
    ws = await startWorkspace();
    ids = await seedThroughApi(ws);
    const h = { spBase: ws.base, acsUrl: `${ws.base}/auth/saml/acs` } as unknown as SamlHarness;
    auditor = new Browser();
    const { idpUrl } = await startLogin(h, auditor, '/audit/');
    const form = await loginAtIdp(auditor, idpUrl, 'auditor');
    const res = await postToAcs(h, auditor, form.SAMLResponse, form.RelayState);
    expect([302, 303]).toContain(res.status);
    // A refused login too, so that the failure events are among those checked.
    const clerk = new Browser();
    const c = await startLogin(h, clerk, '/audit/');
    const clerkForm = await loginAtIdp(clerk, c.idpUrl, 'clerk');
    await postToAcs(h, clerk, clerkForm.SAMLResponse, clerkForm.RelayState);
    await clerk.fetch(`${ws.base}/audit/api/reports`, { headers: { accept: 'application/json' } });
    await auditor.fetch(`${ws.base}/audit/api/reports/${ids.rejectedId}`);
  }, 60_000);
  afterAll(() => ws?.close());

  it('GET /audit/api/AuditEvent: the searchset Bundle and every AuditEvent in it', async () => {
    const res = await auditor.fetch(`${ws.base}/audit/api/AuditEvent?_count=1000`);
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Bundle<FhirResource>;
    expect(bundle.resourceType).toBe('Bundle');
    const subtypes = new Set((bundle.entry ?? []).flatMap((e) => ((e.resource as { subtype?: Array<{ code: string }> }).subtype ?? []).map((c) => c.code)));
    // Submissions (transaction), reads of a report and the failed login are all among them.
    expect([...subtypes]).toEqual(expect.arrayContaining(['transaction', 'read', '110122']));
    expect(problems(bundle)).toEqual([]);
    const filtered = (await (await auditor.fetch(`${ws.base}/audit/api/AuditEvent?subtype=read&entity=Task/${ids.rejectedId}`)).json()) as Bundle;
    expect(filtered.total).toBeGreaterThan(0);
    expect(problems(filtered)).toEqual([]);
  }, 60_000);

  it('POST /audit/api/access-request: the AuditEvents it answers with', async () => {
    const formPage = await (await auditor.fetch(`${ws.base}/audit/access-request`)).text();
    const token = hiddenField(formPage, '_csrf') as string;
    const res = await auditor.fetch(`${ws.base}/audit/api/access-request`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: JSON.stringify({ cpr: '0101011234' }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { events: Resource[] };
    expect(body.events.length).toBeGreaterThan(0);
    const byEvent = Object.fromEntries(body.events.map((e, i) => [i, problems(e)]).filter(([, p]) => (p as string[]).length));
    expect(byEvent).toEqual({});
  }, 60_000);
});
