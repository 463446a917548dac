/**
 * Runs `ngc-gateway serve` as a real child process (from the TypeScript sources through SWC, as the
 * tests do everywhere), with its own client registry and key, and gets SMART access tokens the way
 * a regional system does (private_key_jwt client assertion → /auth/token).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SignJWT } from 'jose';

const ROOT = path.join(__dirname, '..', '..', '..');

/**
 * Node's own flags in the README's start command (package.json `start`) and in the image's CMD
 * (Dockerfile); the gateway runs with them here too, so tests and benchmarks see what production
 * runs. `--v8-pool-size=0`: one V8 background thread per core but one (see README, "Configuration").
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--v8-pool-size=0'];

export interface TestClient {
  clientId: string;
  kid: string;
  privateKey: KeyObject;
}

/** Writes a client registry with one client (ES384 key) allowed to report for `sorCodes`. */
export function writeClientRegistry(dir: string, sorCodes: string[], clientId = 'e2e-region'): { file: string; client: TestClient } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = `k-${randomUUID().slice(0, 8)}`;
  const registry = {
    clients: [
      {
        clientId,
        name: 'End-to-end test region',
        region: 'Region Hovedstaden',
        sorCodes,
        scopes: ['system/Bundle.write', 'system/Bundle.read'],
        jwks: { keys: [{ ...jwk, kid, alg: 'ES384', use: 'sig' }] },
      },
    ],
  };
  const file = path.join(dir, 'clients.json');
  fs.writeFileSync(file, JSON.stringify(registry, null, 2));
  return { file, client: { clientId, kid, privateKey } };
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function accessToken(baseUrl: string, client: TestClient, scope = 'system/Bundle.write system/Bundle.read'): Promise<string> {
  const tokenUrl = `${baseUrl}/auth/token`;
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: client.kid })
    .setIssuer(client.clientId)
    .setSubject(client.clientId)
    .setAudience(tokenUrl)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 240)
    .setJti(randomUUID())
    .sign(client.privateKey);
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope,
    }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!res.ok || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

export interface GatewayProcess {
  url: string;
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  waitReady(timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

/** Spawns `ngc-gateway serve` with `env` (on top of PATH/HOME only: nothing leaks in from the test runner). */
/** `root`: another checkout of the project to run (a benchmark's baseline), this one by default. */
export function spawnServe(env: Record<string, string>, root = ROOT, nodeFlags: readonly string[] = GATEWAY_NODE_FLAGS): GatewayProcess {
  const proc = spawn(process.execPath, [...nodeFlags, '-r', '@swc-node/register', '-e', "require('./src/cli/main').main(['serve']).then((c) => { process.exitCode = c; })"], {
    cwd: root,
    // Keep import() native, as tsc's build does: fhir-kit-client (delivery) is ESM-only.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SWC_NODE_IGNORE_DYNAMIC: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.push(...d.split('\n').filter(Boolean)));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(...d.split('\n').filter(Boolean)));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = `http://127.0.0.1:${env.PORT}`;
  return {
    url,
    proc,
    stdout,
    stderr,
    exited,
    async waitReady(timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      let exitedEarly = false;
      void exited.then(() => (exitedEarly = true));
      while (Date.now() < until) {
        if (exitedEarly) throw new Error(`gateway exited early: ${stderr.join('\n')} ${stdout.slice(-5).join('\n')}`);
        try {
          const res = await fetch(`${url}/health/ready`);
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`gateway not ready after ${timeoutMs} ms: ${stderr.join('\n')}`);
    },
    async kill(signal) {
      proc.kill(signal);
      return exited;
    },
  };
}

export function readExample(name: string): Buffer {
  return fs.readFileSync(path.join(ROOT, 'implementation-guide', 'examples', 'valid', name));
}
