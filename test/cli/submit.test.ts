/**
 * `ngc-gateway submit` against a real token endpoint on loopback: it authenticates like a regional
 * system, posts the Bundle bytes unchanged, prints the answer and exits 0 / 1 / 2.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { authenticatedClient, ensureDevClientRegistry } from '../../src/auth/smart';
import { run } from '../../src/cli/submit';
import { operationOutcome } from '../../src/validation/outcome';
import { clientEntry, rsaClientKey, startHarness, type Harness } from '../auth/smart/helpers';

const RSA = rsaClientKey();
let dataDir: string;
let h: Harness;
let bundleFile: string;
const received: { contentType?: string; body: string; clientId?: string }[] = [];
const savedDataDir = process.env.DATA_DIR;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ngc-submit-'));
  const dev = ensureDevClientRegistry(dataDir, 'development');
  const devClients = (JSON.parse(readFileSync(dev.file, 'utf8')) as { clients: Record<string, unknown>[] }).clients;
  h = await startHarness({
    clients: [...devClients, clientEntry('rsa-system', RSA, { scopes: ['system/Bundle.write'] })],
    routes: (app, auth) => {
      app.post('/fhir', auth.requireScope('system/Bundle.write'), express.text({ type: '*/*', limit: '1mb' }), (req, res) => {
        received.push({ contentType: req.headers['content-type'], body: req.body as string, clientId: authenticatedClient(req)?.clientId });
        if ((req.body as string).includes('"bad"')) {
          res.status(422).type('application/fhir+json').json(operationOutcome([{ severity: 'error', code: 'required', diagnostics: 'Bundle.identifier is missing', rule: { id: 'SUB-02', textDa: 'mangler' } }]));
          return;
        }
        res.status(202).set('Content-Location', `${h.baseUrl}/fhir/Task/abc`).type('application/fhir+json').json(operationOutcome([], { allOkText: 'accepted as submission abc' }));
      });
    },
  });
  bundleFile = join(dataDir, 'bundle.json');
  writeFileSync(bundleFile, '{"resourceType": "Bundle",  "type": "transaction"}\n');
  process.env.DATA_DIR = dataDir;
});

afterAll(async () => {
  if (savedDataDir === undefined) delete process.env.DATA_DIR;
  else process.env.DATA_DIR = savedDataDir;
  await h.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  received.length = 0;
});

async function submit(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const code = await run(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

it('uses the development client from DATA_DIR, posts the Bundle bytes as FHIR JSON and prints the receipt', async () => {
  const { code, out } = await submit(['--url', h.baseUrl, bundleFile]);
  expect(code).toBe(0);
  expect(out).toContain('HTTP 202');
  expect(out).toContain(`Content-Location: ${h.baseUrl}/fhir/Task/abc`);
  expect(out).toContain('"resourceType": "OperationOutcome"');
  expect(out).toContain('accepted as submission abc');
  expect(received).toEqual([{ contentType: 'application/fhir+json', body: readFileSync(bundleFile, 'utf8'), clientId: 'dev-region-hovedstaden' }]);
});

it('exits 1 and prints every issue when the gateway rejects the Bundle', async () => {
  const bad = join(dataDir, 'bad.json');
  writeFileSync(bad, '{"resourceType": "Bundle", "id": "bad"}');
  const { code, out } = await submit(['--url', h.baseUrl, bad]);
  expect(code).toBe(1);
  expect(out).toContain('HTTP 422');
  expect(out).toContain('SUB-02');
});

it('works with an explicit client id and an RSA key in JWK form', async () => {
  const keyFile = join(dataDir, 'rsa.jwk.json');
  writeFileSync(keyFile, JSON.stringify({ ...(RSA.privateKey.export({ format: 'jwk' }) as object), kid: RSA.kid }));
  const { code, out } = await submit(['--url', h.baseUrl, '--client-id', 'rsa-system', '--key', keyFile, bundleFile]);
  expect(code).toBe(0);
  expect(out).toContain('HTTP 202');
  expect(received[0].clientId).toBe('rsa-system');
});

it('exits 1 with the OAuth error when the gateway refuses the token', async () => {
  const keyFile = join(dataDir, 'stranger.pem');
  writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const { code, out } = await submit(['--url', h.baseUrl, '--client-id', 'dev-region-hovedstaden', '--key', keyFile, bundleFile]);
  expect(code).toBe(1);
  expect(out).toContain('token request refused: HTTP 401 invalid_client');
  expect(received).toHaveLength(0);
});

it('exits 2 on usage errors and when the gateway cannot be reached', async () => {
  expect((await submit([])).code).toBe(2);
  const missing = await submit(['--url', h.baseUrl, join(dataDir, 'nope.json')]);
  expect(missing.code).toBe(2);
  expect(missing.err).toContain('cannot read');
  expect((await submit(['--bogus', bundleFile])).code).toBe(2);
  const unreachable = await submit(['--url', 'http://127.0.0.1:9', bundleFile]);
  expect(unreachable.code).toBe(2);
  expect(unreachable.err).toContain('cannot reach http://127.0.0.1:9');
});

it('exits 2 when there is neither a development client nor --client-id/--key', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'ngc-empty-'));
  process.env.DATA_DIR = empty;
  try {
    const res = await submit(['--url', h.baseUrl, bundleFile]);
    expect(res.code).toBe(2);
    expect(res.err).toContain('no --client-id/--key given');
  } finally {
    process.env.DATA_DIR = dataDir;
    rmSync(empty, { recursive: true, force: true });
  }
});
