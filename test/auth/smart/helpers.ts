/**
 * A real gateway-shaped HTTP server on loopback for the auth tests: the SMART router, a protected
 * /fhir route, the real SQLite store (jti memory) and a registry file on disk.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { SignJWT } from 'jose';
import {
  CLIENT_ASSERTION_TYPE,
  authenticatedClient,
  createKeyring,
  createSmartAuth,
  generateSigningKey,
  loadClientRegistry,
  type AuthFailureEvent,
  type AuthLogger,
  type ClientRegistry,
  type GatewayKeyring,
  type SmartAuth,
  type SmartAuthOptions,
} from '../../../src/auth/smart';
import { openStore, type GatewayStore } from '../../../src/store';

export interface ClientKeyPair {
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
  alg: 'ES384' | 'RS384';
  kid: string;
}

export function ecClientKey(kid = `ec-${randomUUID()}`): ClientKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return { privateKey, publicJwk: { ...(publicKey.export({ format: 'jwk' }) as object), kid, alg: 'ES384', use: 'sig' }, alg: 'ES384', kid };
}

export function rsaClientKey(kid = `rsa-${randomUUID()}`): ClientKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicJwk: { ...(publicKey.export({ format: 'jwk' }) as object), kid, alg: 'RS384', use: 'sig' }, alg: 'RS384', kid };
}

export const SOR_A = '6021000016009';
export const SOR_B = '6031000016002';

export function clientEntry(clientId: string, key: ClientKeyPair | { jwksUri: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientId,
    name: `System ${clientId}`,
    region: 'Region Hovedstaden',
    sorCodes: [SOR_A],
    scopes: ['system/Bundle.write', 'system/Bundle.read'],
    ...('jwksUri' in key ? { jwksUri: key.jwksUri } : { jwks: { keys: [key.publicJwk] } }),
    ...extra,
  };
}

export interface AssertionOverrides {
  iss?: string;
  sub?: string;
  aud?: string;
  exp?: number;
  jti?: string;
  header?: Record<string, unknown>;
  omit?: ('exp' | 'jti')[];
}

export async function assertion(clientId: string, key: ClientKeyPair, aud: string, o: AssertionOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { iss: o.iss ?? clientId, sub: o.sub ?? clientId, aud: o.aud ?? aud, exp: o.exp ?? now + 120, jti: o.jti ?? randomUUID(), iat: now };
  for (const m of o.omit ?? []) delete claims[m];
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...o.header }).sign(key.privateKey);
}

export function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export interface Harness {
  baseUrl: string;
  tokenUrl: string;
  dir: string;
  registryFile: string;
  registry: ClientRegistry;
  keys: GatewayKeyring;
  store: GatewayStore;
  auth: SmartAuth;
  failures: AuthFailureEvent[];
  logs: { level: string; obj: object; msg: string }[];
  writeRegistry(clients: Record<string, unknown>[]): void;
  tokenRequest(form: Record<string, string>, contentType?: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  getToken(clientId: string, key: ClientKeyPair, scope?: string, o?: AssertionOverrides): Promise<{ status: number; body: Record<string, unknown> }>;
  callFhir(token: string | undefined, method?: 'GET' | 'POST'): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  clients: Record<string, unknown>[];
  keys?: GatewayKeyring;
  nodeEnv?: string;
  smart?: Partial<SmartAuthOptions>;
  /** A store shared with other instances (closed by its owner); default: a fresh SQLite store. */
  store?: GatewayStore;
  /** Replaces the default protected test routes under /fhir. */
  routes?: (app: express.Express, auth: SmartAuth) => void;
}

export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ngc-auth-'));
  const registryFile = join(dir, 'clients.json');
  const writeRegistry = (clients: Record<string, unknown>[]) => writeFileSync(registryFile, JSON.stringify({ clients }));
  writeRegistry(o.clients);
  const nodeEnv = o.nodeEnv ?? 'test';
  const registry = loadClientRegistry(registryFile, { nodeEnv });
  const keys = o.keys ?? createKeyring(generateSigningKey());
  const store = o.store ?? (await openStore({ dataDir: dir }));
  const failures: AuthFailureEvent[] = [];
  const logs: Harness['logs'] = [];
  const logger: AuthLogger = {
    info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => logs.push({ level: 'error', obj, msg }),
  };

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = createSmartAuth({
    registry,
    keys,
    store,
    publicBaseUrl: baseUrl,
    nodeEnv,
    logger,
    onAuthFailure: (event) => {
      failures.push(event);
    },
    ...o.smart,
  });
  const app = express();
  app.use(auth.router);
  app.get('/fhir/metadata', (_req, res) => {
    res.json({ resourceType: 'CapabilityStatement' });
  });
  app.use('/fhir', auth.authenticate);
  if (o.routes) {
    o.routes(app, auth);
  } else {
    app.post('/fhir', auth.requireScope('system/Bundle.write'), (req, res) => {
      res.status(202).json({ accepted: true, client: authenticatedClient(req), reqClient: (req as unknown as { client: unknown }).client });
    });
    app.get('/fhir', (req, res) => {
      res.json({ client: authenticatedClient(req) });
    });
  }
  server.on('request', app);

  // Behind a load balancer every instance has the same public URL, which need not be its own address.
  const tokenUrl = auth.tokenUrl;
  const tokenRequest: Harness['tokenRequest'] = async (form, contentType = 'application/x-www-form-urlencoded') => {
    const res = await fetch(`${baseUrl}/auth/token`, { method: 'POST', headers: { 'content-type': contentType }, body: new URLSearchParams(form).toString() });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
  };
  return {
    baseUrl,
    tokenUrl,
    dir,
    registryFile,
    registry,
    keys,
    store,
    auth,
    failures,
    logs,
    writeRegistry,
    tokenRequest,
    async getToken(clientId, key, scope = 'system/Bundle.write system/Bundle.read', ao = {}) {
      return tokenRequest({
        grant_type: 'client_credentials',
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: await assertion(clientId, key, tokenUrl, ao),
        scope,
      });
    },
    async callFhir(token, method = 'POST') {
      const res = await fetch(`${baseUrl}/fhir`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/fhir+json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (!o.store) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
