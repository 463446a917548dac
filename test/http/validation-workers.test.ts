/**
 * `serve` with validation on worker threads (VALIDATION_WORKERS=2): the verdict over HTTP is the
 * in-process one (VALIDATION_WORKERS=0), and a Bundle that TERM-01 normalises in the worker is
 * stored and delivered in its normalised form, as on the event loop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BundleEntry, OperationOutcome, Task } from 'fhir/r4';
import { accessToken, freePort, spawnServe, writeClientRegistry, type GatewayProcess } from './support/gateway-process';
import { DELIVERY_TAG_SYSTEM, deliveryKey, readDevSinkJournal } from '../../src/delivery';

jest.setTimeout(180_000);

const INVALID = path.join(__dirname, '..', '..', 'implementation-guide', 'examples', 'invalid');
type Entry = { fullUrl: string; resource: Record<string, unknown> & { performer?: Array<{ reference: string }>; identifier?: Array<{ value: string }> } };
type B = { identifier: { value: string }; entry: Entry[] };
const read = (name: string): B => JSON.parse(fs.readFileSync(path.join(INVALID, name), 'utf8')) as B;
const sorOf = (b: B): string => {
  const report = b.entry.find((e) => e.resource.resourceType === 'DiagnosticReport')!.resource;
  return b.entry.find((e) => e.fullUrl === report.performer![0].reference)!.resource.identifier![0].value;
};
const hgncSystem = (b: B): unknown => (b.entry[8].resource as { component: Array<{ valueCodeableConcept: { coding: Array<{ system: string }> } }> }).component[0].valueCodeableConcept.coding[0].system;
const summary = (o: OperationOutcome) => o.issue.filter((i) => i.severity !== 'information').map((i) => `${i.severity}|${i.code}|${i.expression?.join()}|${i.diagnostics}`);

async function start(workers: string): Promise<{ g: GatewayProcess; dir: string; token: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-workers-'));
  const port = await freePort();
  const { file, client } = writeClientRegistry(dir, [...new Set([sorOf(read('TERM-01.json')), sorOf(read('REP-03.json'))])]);
  const g = spawnServe({ DATA_DIR: dir, PORT: String(port), CLIENTS_FILE: file, PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, DELIVERY_POLL_MS: '100', VALIDATION_WORKERS: workers });
  await g.waitReady(120_000);
  return { g, dir, token: await accessToken(g.url, client) };
}

describe('serve with VALIDATION_WORKERS', () => {
  const running: GatewayProcess[] = [];
  afterAll(async () => {
    for (const g of running) if (g.proc.exitCode === null && g.proc.signalCode === null) await g.kill('SIGKILL');
  });

  it('answers with the in-process verdict and delivers the TERM-01-normalised Bundle', async () => {
    const pooled = await start('2');
    const inline = await start('0');
    running.push(pooled.g, inline.g);
    expect(pooled.g.stdout.some((l) => (JSON.parse(l) as { validationWorkers?: number }).validationWorkers === 2)).toBe(true);

    const post = async (s: { g: GatewayProcess; token: string }, b: B) =>
      fetch(`${s.g.url}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${s.token}` }, body: JSON.stringify(b) });

    for (const name of ['REP-03.json', 'TERM-01.json']) {
      const a = await post(pooled, read(name));
      const b = await post(inline, read(name));
      expect(a.status).toBe(b.status);
      expect(summary((await a.json()) as OperationOutcome)).toEqual(summary((await b.json()) as OperationOutcome));
    }

    // TERM-01 was applied in a worker thread (or in-process); the delivered Bundle must carry the
    // rewritten system, and be made idempotent for the submission it was accepted as.
    for (const [name, gateway] of [['pooled', pooled], ['inline', inline]] as const) {
      const term = read('TERM-01.json');
      term.identifier.value += `-delivered-${name}`;
      const res = await post(gateway, term);
      expect(res.status).toBe(202);
      const location = res.headers.get('content-location')!;
      let task: Task | undefined;
      for (let i = 0; i < 100 && task?.status !== 'completed'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        task = (await (await fetch(location, { headers: { authorization: `Bearer ${gateway.token}` } })).json()) as Task;
      }
      expect(task?.status).toBe('completed');
      const submissionId = location.split('/').pop()!;
      const line = readDevSinkJournal(gateway.dir).find((d) => d.submissionId === submissionId);
      const delivered = line?.bundle as unknown as B;
      expect(delivered.identifier.value).toBe(term.identifier.value);
      expect(hgncSystem(delivered)).toBe('http://www.genenames.org');
      expect(hgncSystem(term)).not.toBe('http://www.genenames.org');
      expect((delivered.entry as unknown as BundleEntry[]).map((e) => e.request?.ifNoneExist)).toEqual(
        term.entry.map((e, i) => `_tag=${DELIVERY_TAG_SYSTEM}|${deliveryKey(submissionId, e.fullUrl, i)}`),
      );
    }

    expect(await pooled.g.kill('SIGTERM')).toBe(0);
    expect(await inline.g.kill('SIGTERM')).toBe(0);
  });

  it('answers every other case of POST /fhir as in-process, though the worker alone parses the body', async () => {
    const pooled = await start('2');
    const inline = await start('0');
    running.push(pooled.g, inline.g);
    const send = async (s: { g: GatewayProcess; token: string }, body: string) => {
      const res = await fetch(`${s.g.url}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${s.token}` }, body });
      const outcome = (await res.json()) as OperationOutcome;
      // Answers name submission ids (receipts, the SUB-11 conflict); everything else must match word for word.
      return { status: res.status, outcome, issues: summary(outcome).map((i) => i.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')) };
    };
    const valid = read('TERM-01.json');
    valid.identifier.value += '-cases';
    const changed = structuredClone(valid);
    changed.entry[0].resource.id = 'changed';
    const foreign = structuredClone(valid);
    foreign.identifier.value += '-foreign';
    const report = foreign.entry.find((e) => e.resource.resourceType === 'DiagnosticReport')!.resource;
    foreign.entry.find((e) => e.fullUrl === report.performer![0].reference)!.resource.identifier![0].value = '999999999';
    const cases: Array<[string, string, number]> = [
      ['not JSON', 'not json', 400],
      ['not a Bundle', '{"resourceType":"Patient"}', 400],
      ['duplicate key', '{"resourceType":"Bundle","type":"transaction","type":"transaction"}', 422],
      ['valid', JSON.stringify(valid), 202],
      ['the same again (SUB-11)', JSON.stringify(valid), 200],
      ['same identifier, other content (SUB-11)', JSON.stringify(changed), 409],
      ['another laboratory (SUB-12)', JSON.stringify(foreign), 403],
    ];
    const receipts: Record<string, OperationOutcome> = {};
    for (const [name, body, status] of cases) {
      const a = await send(pooled, body);
      const b = await send(inline, body);
      expect({ name, status: a.status }).toEqual({ name, status });
      expect({ name, status: b.status }).toEqual({ name, status });
      expect({ name, issues: a.issues }).toEqual({ name, issues: b.issues });
      if (status === 202) receipts.pooled = a.outcome;
      if (status === 200) expect(a.outcome).toEqual(receipts.pooled);
    }
    expect(await pooled.g.kill('SIGTERM')).toBe(0);
    expect(await inline.g.kill('SIGTERM')).toBe(0);
  });
});
