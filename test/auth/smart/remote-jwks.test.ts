/**
 * Clients registered with a jwksUri: the gateway fetches only that URL, caches the set as long as
 * the server allows (within bounds), and gives up on slow, huge, redirected or plain-http answers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RemoteJwksCache } from '../../../src/auth/smart/remote-jwks';
import { clientEntry, ecClientKey, startHarness, type Harness } from './helpers';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function keyServer(handler: Handler): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

const KEY = ecClientKey();
const servers: Server[] = [];
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function harnessFor(jwksUri: string, jwksFetch = {}) {
  h = await startHarness({ clients: [clientEntry('remote', { jwksUri })], smart: { jwksFetch } });
  return h;
}

it('fetches the registered key set once and serves later assertions from the cache', async () => {
  const ks = await keyServer((_req, res) => {
    res.setHeader('content-type', 'application/jwk-set+json');
    res.setHeader('cache-control', 'max-age=600');
    res.end(JSON.stringify({ keys: [KEY.publicJwk] }));
  });
  servers.push(ks.server);
  const hh = await harnessFor(`${ks.url}/jwks.json`);
  for (let i = 0; i < 3; i++) expect((await hh.getToken('remote', KEY, 'system/Bundle.write')).status).toBe(200);
  expect(ks.hits).toEqual(['/jwks.json']);
});

it('refetches when the max-age has passed', async () => {
  const ks = await keyServer((_req, res) => {
    res.setHeader('cache-control', 'max-age=1');
    res.end(JSON.stringify({ keys: [KEY.publicJwk] }));
  });
  servers.push(ks.server);
  const hh = await harnessFor(`${ks.url}/jwks.json`, { minMaxAgeSec: 0 });
  expect((await hh.getToken('remote', KEY, 'system/Bundle.write')).status).toBe(200);
  expect((await hh.getToken('remote', KEY, 'system/Bundle.write')).status).toBe(200);
  expect(ks.hits).toHaveLength(1);
  await new Promise((r) => setTimeout(r, 1100));
  expect((await hh.getToken('remote', KEY, 'system/Bundle.write')).status).toBe(200);
  expect(ks.hits).toHaveLength(2);
});

it('gives up on a key server that does not answer in time', async () => {
  const ks = await keyServer(() => {
    /* never answers */
  });
  servers.push(ks.server);
  const hh = await harnessFor(`${ks.url}/slow`, { timeoutMs: 300 });
  const started = Date.now();
  const res = await hh.getToken('remote', KEY, 'system/Bundle.write');
  expect(Date.now() - started).toBeLessThan(3000);
  expect(res.status).toBe(401);
  expect(res.body.error).toBe('invalid_client');
  expect(res.body.error_description).toContain('within 300 ms');
  expect(hh.failures[0]).toMatchObject({ reason: 'jwks-unavailable', clientId: 'remote' });
});

it('gives up on a key set larger than the limit, declared or streamed', async () => {
  const big = JSON.stringify({ keys: [KEY.publicJwk], padding: 'x'.repeat(200_000) });
  const ks = await keyServer((req, res) => {
    if (req.url === '/chunked') {
      res.write(big.slice(0, 100_000));
      res.end(big.slice(100_000));
    } else {
      res.setHeader('content-length', Buffer.byteLength(big));
      res.end(big);
    }
  });
  servers.push(ks.server);
  for (const path of ['/declared', '/chunked']) {
    const cache = new RemoteJwksCache({ allowHttp: true, maxBytes: 64 * 1024 });
    await expect(cache.get(`${ks.url}${path}`)).rejects.toThrow('key set larger than 65536 bytes');
  }
  const hh = await harnessFor(`${ks.url}/chunked`, { maxBytes: 64 * 1024 });
  const res = await hh.getToken('remote', KEY, 'system/Bundle.write');
  expect(res.status).toBe(401);
  expect(hh.failures[0]).toMatchObject({ reason: 'jwks-unavailable' });
});

it('does not follow a redirect to a URL nobody registered', async () => {
  const target = await keyServer((_req, res) => res.end(JSON.stringify({ keys: [KEY.publicJwk] })));
  servers.push(target.server);
  const ks = await keyServer((_req, res) => {
    res.statusCode = 302;
    res.setHeader('location', `${target.url}/jwks.json`);
    res.end();
  });
  servers.push(ks.server);
  const hh = await harnessFor(`${ks.url}/jwks.json`);
  expect((await hh.getToken('remote', KEY, 'system/Bundle.write')).status).toBe(401);
  expect(target.hits).toHaveLength(0);
});

it('fetches over plain http only in development', async () => {
  const ks = await keyServer((_req, res) => res.end(JSON.stringify({ keys: [KEY.publicJwk] })));
  servers.push(ks.server);
  const productionLike = new RemoteJwksCache({ allowHttp: false });
  await expect(productionLike.get(`${ks.url}/jwks.json`)).rejects.toThrow('refusing to fetch a key set over http');
  expect(ks.hits).toHaveLength(0);
});

it('refetches for an unknown kid (client key rotation), but at most once per cool-down', async () => {
  const next = ecClientKey();
  let served = [KEY.publicJwk];
  const ks = await keyServer((_req, res) => res.end(JSON.stringify({ keys: served })));
  servers.push(ks.server);
  const cache = new RemoteJwksCache({ allowHttp: true, refetchCooldownMs: 0 });
  expect((await cache.get(`${ks.url}/j`)).map((k) => k.kid)).toEqual([KEY.kid]);
  served = [KEY.publicJwk, next.publicJwk];
  expect((await cache.get(`${ks.url}/j`, next.kid)).map((k) => k.kid)).toEqual([KEY.kid, next.kid]);
  const slow = new RemoteJwksCache({ allowHttp: true, refetchCooldownMs: 60_000 });
  await slow.get(`${ks.url}/j`);
  await slow.get(`${ks.url}/j`, 'unknown-kid');
  await slow.get(`${ks.url}/j`, 'unknown-kid');
  expect(ks.hits).toHaveLength(3);
});
