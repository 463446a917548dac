import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Task } from 'fhir/r4';
import { accessToken, freePort, readExample, spawnServe, writeClientRegistry, type GatewayProcess } from './support/gateway-process';
import { readDevSinkJournal } from '../../src/delivery';

jest.setTimeout(120_000);

const EXAMPLE = 'wgs-germline-positive.json';
const exampleSor = (): string => {
  type R = { resourceType: string; performer?: Array<{ reference: string }>; identifier?: Array<{ value: string }> };
  const b = JSON.parse(readExample(EXAMPLE).toString()) as { entry: Array<{ fullUrl: string; resource: R }> };
  const report = b.entry.find((e) => e.resource.resourceType === 'DiagnosticReport')!.resource;
  const org = b.entry.find((e) => e.fullUrl === report.performer![0].reference)!.resource;
  return org.identifier![0].value;
};

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-serve-'));
}

describe('ngc-gateway serve', () => {
  const running: GatewayProcess[] = [];
  afterEach(async () => {
    for (const g of running.splice(0)) if (g.proc.exitCode === null && g.proc.signalCode === null) await g.kill('SIGKILL');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT=abc is not a whole number'],
    [{ DATABASE_URL: 'mysql://root:hunter2@db/ngc' }, 'DATABASE_URL must be a postgres or postgresql URL (got mysql)'],
    [{ NODE_ENV: 'production' }, 'NGC_DATABASE_URL is required when NODE_ENV=production (the local development sink is refused)'],
  ])('a bad setting (%j) stops the start with one line on stderr and exit code 2', async (env, message) => {
    const g = spawnServe({ DATA_DIR: tmp(), ...env });
    running.push(g);
    expect(await g.exited).toBe(2);
    expect(g.stderr).toEqual([`ngc-gateway serve: ${message}`]);
    expect(g.stderr.join('')).not.toContain('hunter2');
  });

  it('starts on its embedded defaults, accepts a valid report, delivers it to the dev sink, and stops on SIGTERM with exit 0', async () => {
    const dir = tmp();
    const port = await freePort();
    const { file, client } = writeClientRegistry(dir, [exampleSor()]);
    const g = spawnServe({ DATA_DIR: dir, PORT: String(port), CLIENTS_FILE: file, PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, DELIVERY_POLL_MS: '100' });
    running.push(g);
    await g.waitReady();
    expect(g.stdout.some((l) => JSON.parse(l).msg === `ngc-gateway listening on port ${port}`)).toBe(true);
    // Ready means compiled, and from then on the heap grows by the gateway's fixed factor (heap-growth.ts).
    // (the log line can reach this process after the ready answer does)
    const readyLine = () => g.stdout.map((l) => JSON.parse(l) as { msg: string; heapGrowingPercent?: unknown }).find((l) => l.msg === 'definitions compiled; ready');
    for (let i = 0; i < 50 && !readyLine(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(readyLine()?.heapGrowingPercent).toBe(100);

    const cs = await (await fetch(`${g.url}/fhir/metadata`)).json();
    const profiles = cs.rest[0].resource.flatMap((r: { supportedProfile?: string[] }) => r.supportedProfile ?? []);
    expect(profiles).toContain('http://ngc.dk/fhir/genomics/StructureDefinition/ngc-genomic-report');

    const anonymous = await fetch(`${g.url}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { issue: Array<{ code: string }> }).issue[0].code).toBe('login');
    const forged = await fetch(`${g.url}/fhir/Task/x`, { headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } });
    expect(forged.status).toBe(401);

    const token = await accessToken(g.url, client);
    const res = await fetch(`${g.url}/fhir`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      body: new Uint8Array(readExample(EXAMPLE)),
    });
    const receipt = await res.json();
    expect({ status: res.status, receipt }).toMatchObject({ status: 202 });
    const location = res.headers.get('content-location')!;
    expect(location).toMatch(new RegExp(`^http://127.0.0.1:${port}/fhir/Task/`));

    let task: Task | undefined;
    for (let i = 0; i < 100; i++) {
      task = (await (await fetch(location, { headers: { authorization: `Bearer ${token}` } })).json()) as Task;
      if (task.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(task?.status).toBe('completed');
    expect(readDevSinkJournal(dir).map((d) => d.bundle.identifier)).toEqual([JSON.parse(readExample(EXAMPLE).toString()).identifier]);

    // The guide's validator is served by the same process, with the same engine, and needs no token.
    const judged = await fetch(`${g.url}/ig/validate`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: new Uint8Array(readExample(EXAMPLE)) });
    expect(judged.status).toBe(200);
    const verdict = (await judged.json()) as { issue: Array<{ severity: string }> };
    expect(verdict.issue.filter((i) => i.severity === 'error')).toEqual([]);
    const conformance = await (await fetch(`${g.url}/fhir/StructureDefinition?url=http://ngc.dk/fhir/genomics/StructureDefinition/ngc-variant`)).json();
    expect(conformance).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });

    expect(await g.kill('SIGTERM')).toBe(0);
    expect(g.stdout.some((l) => JSON.parse(l).msg === 'stopped')).toBe(true);
  });

  it('on SIGTERM finishes a request in flight, refuses new work, then exits 0', async () => {
    const dir = tmp();
    const port = await freePort();
    const { file, client } = writeClientRegistry(dir, [exampleSor()]);
    const metricsFile = path.join(dir, 'metrics-token');
    fs.writeFileSync(metricsFile, 'scraper-token-0123456789\n');
    const g = spawnServe({ DATA_DIR: dir, PORT: String(port), CLIENTS_FILE: file, PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, METRICS_TOKEN_FILE: metricsFile });
    running.push(g);
    await g.waitReady();
    // (METRICS_TOKEN_FILE reaches /metrics)
    expect((await fetch(`${g.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${g.url}/metrics`, { headers: { authorization: 'Bearer scraper-token-0123456789' } })).status).toBe(200);
    const token = await accessToken(g.url, client);
    const body = readExample(EXAMPLE);
    let sendRest!: () => void;
    const restSent = new Promise<void>((r) => (sendRest = r));
    const inFlight = fetch(`${g.url}/fhir`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      body: new ReadableStream({
        async start(c) {
          c.enqueue(body.subarray(0, 100));
          await restSent;
          c.enqueue(body.subarray(100));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    await new Promise((r) => setTimeout(r, 300));
    g.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // Still running: it waits for the upload in progress.
    expect(g.proc.exitCode).toBeNull();
    // New connections are refused (the listener is closed) or, on a kept-alive one, answered 503.
    const ready = await fetch(`${g.url}/health/ready`).then((r) => r.status, (e: { cause?: { code?: string } }) => e.cause?.code);
    expect([503, 'ECONNREFUSED']).toContain(ready);
    sendRest();
    const res = await inFlight;
    expect(res.status).toBe(202);
    expect(await g.exited).toBe(0);
  });
});
