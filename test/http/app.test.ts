import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Bundle, OperationOutcome, Task } from 'fhir/r4';
import { makeIdempotent } from '../../src/delivery';
import { startHarness, type Harness } from './support/harness';
import { typicalBundle, resourceAt, PATIENT_CPR } from './support/bundle';

const FHIR_CT = 'application/fhir+json; charset=utf-8';

async function outcomeOf(res: Response): Promise<OperationOutcome> {
  expect(res.headers.get('content-type')).toBe(FHIR_CT);
  const body = (await res.json()) as OperationOutcome;
  expect(body.resourceType).toBe('OperationOutcome');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
  return body;
}

describe('HTTP API', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  describe('POST /fhir', () => {
    it('202: stores the submission and its outbox row before answering, with a receipt and Content-Location', async () => {
      const res = await h.post('/fhir', typicalBundle());
      expect(res.status).toBe(202);
      const location = res.headers.get('content-location')!;
      // A version 7 UUID (src/store/ids.ts): its first 48 bits are the time of receipt.
      expect(location).toMatch(new RegExp(`^${h.url}/fhir/Task/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`));
      const id = location.split('/').pop()!;
      const receipt = await outcomeOf(res);
      expect(receipt.id).toBe(id);
      expect(receipt.issue[0]).toMatchObject({ severity: 'information', code: 'informational' });
      expect(receipt.issue[0].diagnostics).toContain(id);
      const record = await h.store.getSubmission(id);
      expect(record).toMatchObject({ id, status: 'accepted', clientId: 'region-h', sorCode: '6021000016009', bundleIdentifier: { value: 'report-2026-0001' } });
      expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.parse(record!.receivedAt));
      expect(record!.contentHash).toBe(createHash('sha256').update(JSON.stringify(typicalBundle())).digest('hex'));
      expect(await h.store.outboxDepth()).toBe(1);
      // Stored ready to send: the Bundle made idempotent for this submission's id.
      const [item] = await h.store.claimOutbox('t', 10, 1000);
      expect(item.payloadForm).toBe('transaction');
      expect(item.payload.toString()).toBe(JSON.stringify(makeIdempotent(typicalBundle() as unknown as Bundle, id)));
    });

    it('202 receipt carries the warnings too', async () => {
      const b = typicalBundle();
      delete resourceAt(b, 2).conclusion;
      const res = await h.post('/fhir', b);
      expect(res.status).toBe(202);
      const receipt = await outcomeOf(res);
      expect(receipt.issue.map((i) => i.severity)).toEqual(['warning', 'information']);
    });

    it('SUB-11: the same Bundle again gets 200 and the first receipt, and is not queued twice', async () => {
      const first = await h.post('/fhir', typicalBundle());
      const firstBody = await first.json();
      const again = await h.post('/fhir', typicalBundle());
      expect(again.status).toBe(200);
      expect(again.headers.get('content-location')).toBe(first.headers.get('content-location'));
      expect(await outcomeOf(again)).toEqual(firstBody);
      expect(await h.store.outboxDepth()).toBe(1);
    });

    it('SUB-11: the same identifier with different content is a 409 conflict', async () => {
      expect((await h.post('/fhir', typicalBundle('x-1'))).status).toBe(202);
      const res = await h.post('/fhir', typicalBundle('x-1', { note: 'changed' }));
      expect(res.status).toBe(409);
      const oo = await outcomeOf(res);
      expect(oo.issue[0]).toMatchObject({ code: 'conflict', details: { coding: [{ code: 'SUB-11' }] }, expression: ['Bundle.identifier'] });
      expect(await h.store.outboxDepth()).toBe(1);
    });

    it('SUB-11: after a rejected first submission, a corrected one with the same identifier is accepted', async () => {
      const bad = typicalBundle('x-2');
      resourceAt(bad, 3).status = 'preliminary';
      expect((await h.post('/fhir', bad)).status).toBe(422);
      expect((await h.post('/fhir', typicalBundle('x-2'))).status).toBe(202);
    });

    it('SUB-11: concurrent identical submissions are stored once', async () => {
      const body = JSON.stringify(typicalBundle('race'));
      const answers = await Promise.all(Array.from({ length: 8 }, () => h.post('/fhir', body)));
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 202)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(7);
      const locations = new Set(answers.map((r) => r.headers.get('content-location')));
      expect(locations.size).toBe(1);
      expect(await h.store.outboxDepth()).toBe(1);
    });

    it('422: every issue, stored as rejected, status resource says rejected', async () => {
      const b = typicalBundle('bad-1');
      resourceAt(b, 3).status = 'preliminary';
      delete b.identifier;
      b.type = 'batch';
      const res = await h.post('/fhir', b);
      expect(res.status).toBe(422);
      const oo = await outcomeOf(res);
      const rules = oo.issue.map((i) => i.details?.coding?.[0].code).sort();
      expect(rules).toEqual(['SUB-01', 'SUB-02', 'VAR-01']);
      expect(oo.issue.find((i) => i.details?.coding?.[0].code === 'VAR-01')).toMatchObject({ severity: 'error', expression: ['Bundle.entry[3].resource.status'], diagnostics: 'status must be final' });
      const id = res.headers.get('content-location')!.split('/').pop()!;
      expect(await h.store.getSubmission(id)).toMatchObject({ status: 'rejected', ruleCounts: { 'SUB-01': 1, 'SUB-02': 1, 'VAR-01': 1 } });
      expect(await h.store.outboxDepth()).toBe(0);
      const task = (await (await h.get(`/fhir/Task/${id}`)).json()) as Task;
      expect(task.status).toBe('rejected');
    });

    it('422: intake findings (duplicate keys) come together with the engine findings', async () => {
      const text = JSON.stringify(typicalBundle('dup')).replace('"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"69548-6"}]}', '"status":"prelim","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"69548-6"}]}');
      const res = await h.post('/fhir', text);
      expect(res.status).toBe(422);
      const oo = await outcomeOf(res);
      expect(oo.issue.map((i) => [i.details?.coding?.[0].code, i.expression?.[0]])).toEqual([
        ['SUB-13', 'Bundle.entry[3].resource.status'],
        ['VAR-01', 'Bundle.entry[3].resource.status'],
      ]);
    });

    it('422: nesting too deep and too many entries (SUB-10), without running the engine', async () => {
      let calls = 0;
      await h.close();
      h = await startHarness({ validateSubmission: () => (calls++, []), limits: { ratePerSecond: 0, maxEntries: 5 } });
      const deep = '{"resourceType":"Bundle","type":"transaction","x":' + '['.repeat(100) + ']'.repeat(100) + '}';
      const r1 = await h.post('/fhir', deep);
      expect(r1.status).toBe(422);
      expect((await outcomeOf(r1)).issue[0].details?.coding?.[0].code).toBe('SUB-10');
      const many = typicalBundle('many');
      (many.entry as unknown[]).push({}, {}, {});
      const r2 = await h.post('/fhir', many);
      expect(r2.status).toBe(422);
      expect((await outcomeOf(r2)).issue[0]).toMatchObject({ expression: ['Bundle.entry'], details: { coding: [{ code: 'SUB-10' }] } });
      expect(calls).toBe(0);
    });

    it('400: not JSON, with where it broke', async () => {
      const res = await h.post('/fhir', '{"resourceType":"Bundle","entry":[');
      expect(res.status).toBe(400);
      const oo = await outcomeOf(res);
      expect(oo.issue[0]).toMatchObject({ severity: 'error', details: { coding: [{ code: 'SUB-01' }] } });
      expect(oo.issue[0].diagnostics).toMatch(/not valid JSON/);
    });

    it('400: JSON that is not a Bundle', async () => {
      const res = await h.post('/fhir', { resourceType: 'Patient' });
      expect(res.status).toBe(400);
      expect((await outcomeOf(res)).issue[0].diagnostics).toMatch(/expects a FHIR Bundle, but the body is a Patient/);
    });

    it('401 without credentials', async () => {
      const res = await h.post('/fhir', typicalBundle(), { client: '' });
      expect(res.status).toBe(401);
      expect((await res.json()).issue[0].code).toBe('login');
    });

    it('403 SUB-12: the performing laboratory is not one the client reports for; nothing stored', async () => {
      const res = await h.post('/fhir', typicalBundle('foreign'), { client: 'region-m' });
      expect(res.status).toBe(403);
      const oo = await outcomeOf(res);
      expect(oo.issue[0]).toMatchObject({ code: 'forbidden', details: { coding: [{ code: 'SUB-12' }] } });
      expect(oo.issue[0].diagnostics).toContain('6021000016009');
      expect(await h.store.findActiveByBundleIdentifier('region-m', 'https://lab.regionh.dk/ngc-submissions', 'foreign')).toBeUndefined();
    });

    it('403 when the token lacks system/Bundle.write', async () => {
      const res = await h.post('/fhir', typicalBundle(), { client: 'read-only' });
      expect(res.status).toBe(403);
      expect((await outcomeOf(res)).issue[0].diagnostics).toContain('system/Bundle.write');
    });

    it('413: over the byte limit, by Content-Length and by a chunked stream', async () => {
      await h.close();
      h = await startHarness({ limits: { ratePerSecond: 0, maxBodyBytes: 2000 } });
      const big = JSON.stringify(typicalBundle('big', { note: 'x'.repeat(5000) }));
      const res = await h.post('/fhir', big);
      expect(res.status).toBe(413);
      expect((await outcomeOf(res)).issue[0].code).toBe('too-costly');
      const chunked = await fetch(`${h.url}/fhir`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/fhir+json', Authorization: 'Test region-h' },
        body: new ReadableStream({
          start(c) {
            for (let i = 0; i < 10; i++) c.enqueue(Buffer.from(big.slice(i * 600, (i + 1) * 600)));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(await h.store.outboxDepth()).toBe(0);
    });

    it.each([
      ['application/json'],
      ['application/fhir+xml'],
      ['text/plain'],
      ['application/fhir+json; charset=latin1'],
    ])('415 for Content-Type %s', async (ct) => {
      const res = await h.post('/fhir', typicalBundle(), { contentType: ct });
      expect(res.status).toBe(415);
      expect((await outcomeOf(res)).issue[0].code).toBe('not-supported');
    });

    it('500 when a part fails: an OperationOutcome with the request id, the details only in the log', async () => {
      await h.close();
      h = await startHarness({
        validateSubmission: () => {
          throw new Error(`engine broke on patient ${PATIENT_CPR}`);
        },
      });
      const res = await h.post('/fhir', typicalBundle(), { headers: { 'X-Request-Id': 'req-500' } });
      expect(res.status).toBe(500);
      const oo = await outcomeOf(res);
      expect(oo.issue[0]).toMatchObject({ severity: 'fatal', code: 'exception' });
      expect(oo.issue[0].diagnostics).toContain('req-500');
      expect(oo.issue[0].diagnostics).not.toContain('engine broke');
      const errorLine = h.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
      expect(errorLine.err.message).toContain('engine broke');
      expect(h.logs.join('\n')).not.toContain(PATIENT_CPR);
    });
  });

  describe('$validate', () => {
    it('answers the verdict with every issue and stores nothing', async () => {
      const b = typicalBundle('v-1');
      resourceAt(b, 3).status = 'amended';
      for (const path of ['/fhir/Bundle/$validate', '/fhir/$validate']) {
        const res = await h.post(path, b);
        expect(res.status).toBe(200);
        const oo = await outcomeOf(res);
        expect(oo.issue.map((i) => i.details?.coding?.[0].code)).toEqual(['VAR-01']);
      }
      expect(await h.store.outboxDepth()).toBe(0);
      expect(await h.store.findActiveByBundleIdentifier('region-h', 'https://lab.regionh.dk/ngc-submissions', 'v-1')).toBeUndefined();
      // and the same Bundle.identifier can then be submitted for real
      expect((await h.post('/fhir', typicalBundle('v-1'))).status).toBe(202);
    });

    it('says so when all is well', async () => {
      const oo = await outcomeOf(await h.post('/fhir/$validate', typicalBundle()));
      expect(oo.issue).toEqual([{ severity: 'information', code: 'informational', diagnostics: 'Validation successful: no issues found' }]);
    });

    it('takes a Parameters resource with a resource parameter', async () => {
      const params = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient' } }] };
      const oo = await outcomeOf(await h.post('/fhir/$validate', params));
      expect(oo.issue[0]).toMatchObject({ severity: 'error', expression: ['Patient.gender'] });
      const res = await h.post('/fhir/$validate', { resourceType: 'Parameters', parameter: [] });
      expect(res.status).toBe(400);
    });

    it('Bundle/$validate refuses other resource types with 400', async () => {
      expect((await h.post('/fhir/Bundle/$validate', { resourceType: 'Patient', gender: 'male' })).status).toBe(400);
    });

    it('names SUB-12 in the verdict for a foreign laboratory', async () => {
      const oo = await outcomeOf(await h.post('/fhir/$validate', typicalBundle(), { client: 'region-m' }));
      expect(oo.issue.map((i) => i.details?.coding?.[0].code)).toEqual(['SUB-12']);
    });
  });

  describe('GET /fhir/Task/:id', () => {
    it('shows accepted, then delivered with what the database answered', async () => {
      const res = await h.post('/fhir', typicalBundle());
      const id = res.headers.get('content-location')!.split('/').pop()!;
      let task = (await (await h.get(`/fhir/Task/${id}`)).json()) as Task;
      expect(task).toMatchObject({ resourceType: 'Task', id, status: 'accepted', intent: 'order', owner: { identifier: { value: 'region-h' } } });
      expect(task.groupIdentifier).toEqual({ system: 'https://lab.regionh.dk/ngc-submissions', value: 'report-2026-0001' });
      await h.store.markDelivered(id, { status: 201, location: 'https://ngd.example/fhir/DiagnosticReport/77/_history/1' });
      const r = await h.get(`/fhir/Task/${id}`);
      expect(r.headers.get('content-type')).toBe(FHIR_CT);
      task = (await r.json()) as Task;
      expect(task.status).toBe('completed');
      expect(task.output).toEqual(
        expect.arrayContaining([
          { type: { text: 'national-database-status' }, valueInteger: 201 },
          { type: { text: 'national-database-location' }, valueUri: 'https://ngd.example/fhir/DiagnosticReport/77/_history/1' },
        ]),
      );
    });

    it('shows failed with the reason', async () => {
      const id = (await h.post('/fhir', typicalBundle())).headers.get('content-location')!.split('/').pop()!;
      await h.store.markFailed(id, 'HTTP 400 from the National Genome Database: invalid reference');
      const task = (await (await h.get(`/fhir/Task/${id}`)).json()) as Task;
      expect(task.status).toBe('failed');
      expect(task.statusReason?.text).toContain('HTTP 400');
    });

    it('404 for unknown ids and for another client\'s submissions alike', async () => {
      const id = (await h.post('/fhir', typicalBundle())).headers.get('content-location')!.split('/').pop()!;
      const other = await h.get(`/fhir/Task/${id}`, 'region-m');
      expect(other.status).toBe(404);
      const unknown = await h.get('/fhir/Task/00000000-0000-4000-8000-000000000000', 'region-m');
      expect(unknown.status).toBe(404);
      const o1 = await outcomeOf(other);
      expect(o1.issue[0].code).toBe('not-found');
      expect((await h.get('/fhir/Task/%3Cscript%3E')).status).toBe(404);
    });
  });

  describe('protocol', () => {
    it('GET /fhir/metadata: a CapabilityStatement without authentication', async () => {
      await h.close();
      h = await startHarness({ profiles: [{ url: 'http://ngc.dk/fhir/genomics/StructureDefinition/ngc-patient', type: 'Patient' }], version: '1.2.3' });
      const res = await h.get('/fhir/metadata', '');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(FHIR_CT);
      const cs = await res.json();
      expect(cs).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance', software: { version: '1.2.3' }, format: expect.arrayContaining(['application/fhir+json']) });
      const rest = cs.rest[0];
      expect(rest.security.service[0].coding[0].code).toBe('SMART-on-FHIR');
      expect(rest.security.description).toContain(`${h.url}/auth/token`);
      expect(rest.security.description).toContain(`${h.url}/.well-known/smart-configuration`);
      expect(rest.interaction).toEqual([expect.objectContaining({ code: 'transaction' })]);
      expect(rest.resource.find((r: { type: string }) => r.type === 'Patient').supportedProfile).toEqual(['http://ngc.dk/fhir/genomics/StructureDefinition/ngc-patient']);
      expect(rest.resource.find((r: { type: string }) => r.type === 'Task').interaction).toEqual([{ code: 'read' }]);
      // The conformance resources the gateway serves read-only are declared too.
      for (const type of ['StructureDefinition', 'ValueSet', 'CodeSystem']) {
        expect(rest.resource.find((r: { type: string }) => r.type === type).interaction).toEqual([{ code: 'read' }, { code: 'search-type' }]);
      }
    });

    it('405 for a method a route does not have, with Allow', async () => {
      const res = await h.get('/fhir');
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect((await outcomeOf(res)).issue[0].code).toBe('not-supported');
      expect((await fetch(`${h.url}/fhir/metadata`, { method: 'DELETE' })).status).toBe(405);
    });

    it('404 for unknown endpoints', async () => {
      const res = await h.get('/fhir/Patient/1');
      expect(res.status).toBe(404);
      expect((await outcomeOf(res)).issue[0].code).toBe('not-found');
      expect((await h.get('/nope')).status).toBe(404);
    });

    it('406 when the client accepts no JSON, or asks for XML', async () => {
      expect((await h.get('/fhir/metadata', '', { Accept: 'application/fhir+xml' })).status).toBe(406);
      expect((await h.get('/fhir/metadata?_format=xml', '')).status).toBe(406);
      expect((await h.get('/fhir/metadata?_format=json', '')).status).toBe(200);
      expect((await h.get('/fhir/metadata', '', { Accept: 'application/json, */*;q=0.1' })).status).toBe(200);
    });

    it('429 with Retry-After when a client exceeds its rate; other clients are not affected', async () => {
      await h.close();
      h = await startHarness({ limits: { ratePerSecond: 1, rateBurst: 2 } });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await h.post('/fhir/$validate', typicalBundle())).status);
      expect(statuses).toEqual([200, 200, 429, 429]);
      const res = await h.post('/fhir/$validate', typicalBundle());
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await outcomeOf(res)).issue[0].code).toBe('throttled');
      expect((await h.post('/fhir/$validate', typicalBundle(), { client: 'region-m' })).status).toBe(200);
    });

    /** Restarts the harness with `limits` and a validator that waits until released (only its first call when `firstOnly`). */
    async function withBlockedValidation(limits: Record<string, number>, firstOnly = false): Promise<() => void> {
      let release!: () => void;
      const blocked = new Promise<void>((r) => (release = r));
      let calls = 0;
      await h.close();
      h = await startHarness({
        validateSubmission: async () => {
          if (!firstOnly || calls++ === 0) await blocked;
          return [];
        },
        limits: { ratePerSecond: 0, ...limits },
      });
      return release;
    }

    it('503 with Retry-After when all processing slots and the queue are taken', async () => {
      const releaseValidation = await withBlockedValidation({ maxInFlight: 1, maxQueue: 1, queueTimeoutMs: 5000 });
      const first = h.post('/fhir/$validate', typicalBundle());
      await new Promise((r) => setTimeout(r, 100));
      const queued = h.post('/fhir/$validate', typicalBundle());
      await new Promise((r) => setTimeout(r, 100));
      const shed = await h.post('/fhir/$validate', typicalBundle());
      expect(shed.status).toBe(503);
      expect(shed.headers.get('retry-after')).toBe('1');
      expect((await outcomeOf(shed)).issue[0].code).toBe('transient');
      releaseValidation();
      expect((await first).status).toBe(200);
      expect((await queued).status).toBe(200);
    });

    /** POST over one keep-alive connection of `agent` (fetch would pick any connection of its pool). */
    function postOn(agent: http.Agent, pathname: string, body: object, client = 'region-h'): Promise<number> {
      const payload = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = http.request(
          `${h.url}${pathname}`,
          { method: 'POST', agent, headers: { 'Content-Type': 'application/fhir+json', Authorization: `Test ${client}`, 'Content-Length': Buffer.byteLength(payload) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    }

    /**
     * The only processing slot taken by a first request (its validation waits until released), and
     * two keep-alive connections of the same client; both connections are closed afterwards.
     */
    async function withSlotTakenAndTwoConnections(
      test: (c: { first: Promise<globalThis.Response>; releaseValidation: () => void; refusedConnection: http.Agent; otherConnection: http.Agent }) => Promise<void>,
    ): Promise<void> {
      const releaseValidation = await withBlockedValidation({ maxInFlight: 1, maxQueue: 0, maxRetryAfterHoldMs: 5000 }, true);
      const refusedConnection = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const otherConnection = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const first = h.post('/fhir/$validate', typicalBundle());
        await new Promise((r) => setTimeout(r, 100));
        await test({ first, releaseValidation, refusedConnection, otherConnection });
      } finally {
        refusedConnection.destroy();
        otherConnection.destroy();
      }
    }

    it('a client that comes back on the same connection before its Retry-After is held until then and served, not refused again at once', () =>
      withSlotTakenAndTwoConnections(async ({ first, releaseValidation, refusedConnection, otherConnection }) => {
        const shed = await h.post('/fhir/$validate', typicalBundle());
        expect(shed.status).toBe(503);
        expect(shed.headers.get('retry-after')).toBe('1');
        expect(await postOn(refusedConnection, '/fhir/$validate', typicalBundle())).toBe(503);
        // Straight back on that connection, ignoring Retry-After: held; meanwhile the slot frees up.
        const started = Date.now();
        const early = postOn(refusedConnection, '/fhir/$validate', typicalBundle());
        await new Promise((r) => setTimeout(r, 300));
        releaseValidation();
        expect((await first).status).toBe(200);
        expect(await early).toBe(200);
        expect(Date.now() - started).toBeGreaterThanOrEqual(800);
        // The same client on a connection that was never refused, and another client: not held.
        let t = Date.now();
        expect(await postOn(otherConnection, '/fhir/$validate', typicalBundle())).toBe(200);
        expect(Date.now() - t).toBeLessThan(800);
        expect(await postOn(refusedConnection, '/fhir/$validate', typicalBundle())).toBe(200);
        t = Date.now();
        expect((await h.post('/fhir/$validate', typicalBundle(), { client: 'region-m' })).status).toBe(200);
        expect(Date.now() - t).toBeLessThan(800);
      }));

    it('a refused client that sends again on another connection is not held', () =>
      withSlotTakenAndTwoConnections(async ({ first, releaseValidation, refusedConnection, otherConnection }) => {
        expect(await postOn(refusedConnection, '/fhir/$validate', typicalBundle())).toBe(503);
        // Its other sender is answered at once (refused again: the slot is still taken), not held for a second.
        const t = Date.now();
        expect(await postOn(otherConnection, '/fhir/$validate', typicalBundle())).toBe(503);
        expect(Date.now() - t).toBeLessThan(800);
        releaseValidation();
        expect((await first).status).toBe(200);
      }));

    it('with the hold switched off, a client that comes straight back is refused again at once', async () => {
      const releaseValidation = await withBlockedValidation({ maxInFlight: 1, maxQueue: 0, maxRetryAfterHoldMs: 0 });
      const first = h.post('/fhir/$validate', typicalBundle());
      await new Promise((r) => setTimeout(r, 100));
      expect((await h.post('/fhir/$validate', typicalBundle())).status).toBe(503);
      const t = Date.now();
      expect((await h.post('/fhir/$validate', typicalBundle())).status).toBe(503);
      expect(Date.now() - t).toBeLessThan(800);
      releaseValidation();
      expect((await first).status).toBe(200);
    });
  });

  describe('operations', () => {
    it('/health/live and /health/ready', async () => {
      let ready = false;
      await h.close();
      h = await startHarness({ isReady: () => ready });
      expect((await h.get('/health/live', '')).status).toBe(200);
      expect((await h.get('/health/ready', '')).status).toBe(503);
      ready = true;
      const r = await h.get('/health/ready', '');
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ status: 'ready', store: 'sqlite' });
      await h.store.close();
      expect((await h.get('/health/ready', '')).status).toBe(503);
    });

    it('/metrics: submissions by verdict and rule, latency, outbox depth', async () => {
      await h.post('/fhir', typicalBundle('m-1'));
      await h.post('/fhir', typicalBundle('m-1'));
      const bad = typicalBundle('m-2');
      resourceAt(bad, 3).status = 'x';
      await h.post('/fhir', bad);
      h.deps.metrics.recordDeliveryAttempt('retry', 0.2);
      const text = await (await h.get('/metrics', '')).text();
      expect(text).toMatch(/ngc_submissions_total\{verdict="accepted"\} 1/);
      expect(text).toMatch(/ngc_submissions_total\{verdict="duplicate"\} 1/);
      expect(text).toMatch(/ngc_submissions_total\{verdict="rejected"\} 1/);
      expect(text).toMatch(/ngc_submission_issues_total\{rule="VAR-01",severity="error"\} 1/);
      expect(text).toMatch(/ngc_outbox_depth 1/);
      expect(text).toMatch(/ngc_delivery_attempts_total\{outcome="retry"\} 1/);
      expect(text).toMatch(/ngc_http_request_duration_seconds_count\{method="POST",route="\/fhir\/",status="202"\} 1/);
    });

    it('/metrics asks for the bearer token when one is configured (METRICS_TOKEN)', async () => {
      await h.close();
      h = await startHarness({ metricsToken: 'scraper-token-0123456789' });
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789', 'Basic c2NyYXBlcg==', 'Bearer scraper-token-01234567890']) {
        const res = await fetch(`${h.url}/metrics`, { headers: authorization ? { authorization } : {} });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
        const outcome = (await res.json()) as { resourceType: string; issue: Array<{ code: string }> };
        expect(outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
      }
      const ok = await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer scraper-token-0123456789' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/ngc_outbox_depth 0/);
      // The other operations routes stay open to the orchestrator's probes.
      expect((await fetch(`${h.url}/health/live`)).status).toBe(200);
    });

    it('logs one structured line per request, without CPR numbers, payloads or tokens', async () => {
      const cpr = '2512489996';
      const b = typicalBundle('log-1', { cpr, note: `patient 251248-9996 has CPR ${cpr}` });
      const res = await h.post('/fhir', b, { headers: { 'X-Request-Id': 'req-log-1' } });
      expect(res.status).toBe(202);
      const bad = typicalBundle('log-2', { cpr });
      resourceAt(bad, 3).status = cpr;
      expect((await h.post('/fhir', bad)).status).toBe(422);
      await h.post('/fhir', JSON.stringify(b).slice(0, 500));
      await h.get(`/fhir/Task/${cpr}`);
      const all = h.logs.join('\n');
      expect(all).not.toContain(cpr);
      expect(all).not.toContain('251248-9996');
      expect(all).not.toContain('Test region-h');
      expect(all).not.toContain('Rigshospitalet');
      const line = h.logs.map((l) => JSON.parse(l)).find((l) => l.reqId === 'req-log-1');
      expect(line).toMatchObject({ method: 'POST', status: 202, clientId: 'region-h', verdict: 'accepted', route: '/fhir/' });
      expect(typeof line.latencyMs).toBe('number');
    });
  });
});

describe('load shedding when validation saturates the CPU', () => {
  it('answers 503 with Retry-After while the event loop lags, and recovers', async () => {
    const busy = (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        // synchronous work, as the validation engine's
      }
    };
    const h = await startHarness({
      validateSubmission: () => (busy(300), []),
      limits: { ratePerSecond: 0, maxEventLoopLagMs: 100 },
    });
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => h.post('/fhir/$validate', typicalBundle())));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
      const shed = answers.find((r) => r.status === 503)!;
      expect(Number(shed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await outcomeOf(shed)).issue[0].code).toBe('transient');
      await new Promise((r) => setTimeout(r, 300));
      expect((await h.post('/fhir/$validate', typicalBundle())).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
