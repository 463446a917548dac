/**
 * Issue 4's proof: the gateway is killed with SIGKILL at the two dangerous moments, restarted on the
 * same data, and the (fake, real-HTTP) National Genome Database ends up with exactly one copy of
 * every accepted report, and every accepted submission is delivered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Task } from 'fhir/r4';
import { Client } from 'pg';
import { startFakeNgcDatabase, type FakeNgcDatabase } from '../support/fake-ngc-database';
import { accessToken, freePort, readExample, spawnServe, writeClientRegistry, type GatewayProcess, type TestClient } from '../http/support/gateway-process';

jest.setTimeout(180_000);

const EXAMPLE = 'wgs-germline-positive.json';
type Entry = { fullUrl: string; resource: { resourceType: string; identifier?: Array<{ system: string; value: string }>; performer?: Array<{ reference: string }> } };
type Example = { identifier: { system: string; value: string }; entry: Entry[] };

function variant(n: number, tag: string): { body: Buffer; reportKey: string } {
  const b = JSON.parse(readExample(EXAMPLE).toString()) as Example;
  b.identifier.value = `${b.identifier.value}-${tag}-${n}`;
  const report = b.entry.find((e) => e.resource.resourceType === 'DiagnosticReport')!.resource;
  report.identifier![0].value = `${report.identifier![0].value}-${tag}-${n}`;
  return { body: Buffer.from(JSON.stringify(b)), reportKey: `${report.identifier![0].system}|${report.identifier![0].value}` };
}

function performerSor(): string {
  const b = JSON.parse(readExample(EXAMPLE).toString()) as Example;
  const report = b.entry.find((e) => e.resource.resourceType === 'DiagnosticReport')!.resource;
  return b.entry.find((e) => e.fullUrl === report.performer![0].reference)!.resource.identifier![0].value;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A database of its own per test on the test cluster, so gateways here share nothing with other suites. */
async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set (see test/global-setup.ts)');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe.each([['sqlite'], ['postgres']])('crash safety of accepted submissions on %s (SIGKILL, restart, exactly one copy downstream)', (engine) => {
  let dir: string;
  let pgDatabase: string | undefined;
  let db: FakeNgcDatabase;
  let port: number;
  let client: TestClient;
  let env: Record<string, string>;
  const gateways: GatewayProcess[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-crash-'));
    db = await startFakeNgcDatabase({ stateFile: path.join(dir, 'fake-db.json') });
    port = await freePort();
    const reg = writeClientRegistry(dir, [performerSor()]);
    client = reg.client;
    env = {
      DATA_DIR: path.join(dir, 'data'),
      PORT: String(port),
      CLIENTS_FILE: reg.file,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      NGC_DATABASE_URL: db.url,
      DELIVERY_POLL_MS: '100',
      DELIVERY_TIMEOUT_MS: '5000',
      // Rows a killed gateway had claimed come back when their lease ends: short here, 2 min by default.
      DELIVERY_LEASE_MS: '8000',
    };
    if (engine === 'postgres') {
      pgDatabase = `ngc_e2e_${process.pid}_${Date.now()}`;
      await withAdmin((c) => c.query(`CREATE DATABASE ${pgDatabase}`));
      const u = new URL(process.env.TEST_DATABASE_URL!);
      u.pathname = `/${pgDatabase}`;
      env.DATABASE_URL = u.toString();
    }
  });

  afterEach(async () => {
    for (const g of gateways.splice(0)) if (g.proc.exitCode === null && g.proc.signalCode === null) await g.kill('SIGKILL');
    await db.stop();
    if (pgDatabase) await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`));
    pgDatabase = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<GatewayProcess> {
    const g = spawnServe(env);
    gateways.push(g);
    await g.waitReady();
    const listening = g.stdout.map((l) => JSON.parse(l) as { msg?: string; store?: string }).find((l) => l.msg?.startsWith('ngc-gateway listening'));
    expect(listening?.store).toBe(engine);
    return g;
  }

  async function submit(g: GatewayProcess, token: string, body: Buffer): Promise<string> {
    const res = await fetch(`${g.url}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` }, body: new Uint8Array(body) });
    expect(res.status).toBe(202);
    return res.headers.get('content-location')!;
  }

  async function allDelivered(g: GatewayProcess, locations: string[]): Promise<void> {
    const token = await accessToken(g.url, client);
    let tasks: Task[] = [];
    await until('every submission delivered', async () => {
      tasks = await Promise.all(locations.map(async (l) => (await (await fetch(l, { headers: { authorization: `Bearer ${token}` } })).json()) as Task));
      return tasks.every((t) => t.status === 'completed');
    }, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${JSON.stringify(tasks.map((t) => [t.status, t.statusReason, t.output]))}\n${g.stdout.filter((l) => !l.includes("/fhir/Task")).slice(-30).join('\n')}`);
    });
  }

  it('(a) killed after the 202s and before delivery: after restart every report is delivered once', async () => {
    await db.control({ mode: 'fail', status: 503 });
    let g = await start();
    const token = await accessToken(g.url, client);
    const sent = Array.from({ length: 5 }, (_, i) => variant(i, 'a'));
    const locations: string[] = [];
    for (const s of sent) locations.push(await submit(g, token, s.body));
    expect(await g.kill('SIGKILL')).toBe('SIGKILL');
    for (const s of sent) expect(await db.count(s.reportKey, 'DiagnosticReport')).toBe(0);

    await db.control({ mode: 'ok' });
    g = await start();
    await allDelivered(g, locations);
    for (const s of sent) expect(await db.count(s.reportKey, 'DiagnosticReport')).toBe(1);
    expect((await db.stats()).resources).toBe(5 * 12);
    expect(await g.kill('SIGTERM')).toBe(0);
  });

  it('(b) the database committed but the gateway never recorded it, then SIGKILL: redelivery creates no second copy', async () => {
    // The database stores each transaction and cuts the connection before answering.
    await db.control({ mode: 'drop-after-commit' });
    let g = await start();
    const token = await accessToken(g.url, client);
    const sent = Array.from({ length: 4 }, (_, i) => variant(i, 'b'));
    const locations: string[] = [];
    for (const s of sent) locations.push(await submit(g, token, s.body));
    await until('the database holding every report', async () => {
      for (const s of sent) if ((await db.count(s.reportKey, 'DiagnosticReport')) < 1) return false;
      return true;
    });
    expect(await g.kill('SIGKILL')).toBe('SIGKILL');

    await db.control({ mode: 'ok' });
    g = await start();
    await allDelivered(g, locations);
    for (const s of sent) {
      expect(await db.received(s.reportKey)).toBeGreaterThanOrEqual(2); // it really was sent again
      expect(await db.count(s.reportKey, 'DiagnosticReport')).toBe(1);
    }
    expect((await db.stats()).resources).toBe(4 * 12);
    expect(await g.kill('SIGTERM')).toBe(0);
  });

  it('(b\') killed the moment the database holds the report (answer possibly in flight): still one copy, all delivered', async () => {
    let g = await start();
    const token = await accessToken(g.url, client);
    const s = variant(0, 'b2');
    const location = await submit(g, token, s.body);
    await until('the database holding the report', async () => (await db.count(s.reportKey, 'DiagnosticReport')) >= 1, 30_000);
    expect(await g.kill('SIGKILL')).toBe('SIGKILL');
    g = await start();
    await allDelivered(g, [location]);
    expect(await db.count(s.reportKey, 'DiagnosticReport')).toBe(1);
    expect(await g.kill('SIGTERM')).toBe(0);
  });
});
