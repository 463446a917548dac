/**
 * The fresh-clone path: without CLIENTS_FILE, a development gateway creates a registry of one demo
 * client and that client's private key in DATA_DIR, so `ngc-gateway serve` and `ngc-gateway submit`
 * work end to end with no set-up. Never in production, where a forgotten CLIENTS_FILE must stop the
 * start rather than open a door with a key lying on disk.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwkThumbprint } from './keys';
import { silentLogger, type AuthLogger } from './logger';
import { loadClientRegistry, type ClientRegistry } from './registry';

export const DEV_REGISTRY_FILE = 'dev-clients.json';
export const DEV_CLIENT_KEY_FILE = 'dev-client-key.pem';
export const DEV_CLIENT_ID = 'dev-region-hovedstaden';
/** The demo client's own laboratory. */
export const DEV_SOR_CODE = '6021000016009';
/**
 * The demo client may report for its own laboratory and for the performing laboratories of the
 * implementation guide's example Bundles, so that on a fresh clone `ngc-gateway submit` of any
 * example goes through (a test keeps this list in step with the examples).
 */
export const DEV_SOR_CODES: readonly string[] = [DEV_SOR_CODE, '6081000016007', '4221000016006', '5001000016004'];

export interface DevClientRegistry {
  file: string;
  keyFile: string;
  clientId: string;
  /** False when the files already existed (kept as they are). */
  created: boolean;
}

export class DevRegistryRefused extends Error {
  constructor() {
    super('CLIENTS_FILE is not set: NODE_ENV=production never creates a development client registry; set CLIENTS_FILE to the registry of regional systems');
    this.name = 'DevRegistryRefused';
  }
}

function writeAtomically(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** Creates (once) the development registry and demo client key in `dataDir`; refuses in production. */
export function ensureDevClientRegistry(dataDir: string, nodeEnv: string | undefined, logger: AuthLogger = silentLogger): DevClientRegistry {
  if (nodeEnv === 'production') throw new DevRegistryRefused();
  const file = join(dataDir, DEV_REGISTRY_FILE);
  const keyFile = join(dataDir, DEV_CLIENT_KEY_FILE);
  if (existsSync(file) && existsSync(keyFile)) {
    const clientId = (JSON.parse(readFileSync(file, 'utf8')) as { clients?: { clientId?: string }[] }).clients?.[0]?.clientId ?? DEV_CLIENT_ID;
    return { file, keyFile, clientId, created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const raw = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  const publicJwk = { ...raw, kid: jwkThumbprint(raw), alg: 'ES384', use: 'sig' };
  // Key first: a registry naming a key that was never written would be a client nobody can use.
  writeAtomically(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 0o600);
  const registry = {
    clients: [
      {
        clientId: DEV_CLIENT_ID,
        name: 'Demo regional system (development only)',
        region: 'Region Hovedstaden',
        sorCodes: [...DEV_SOR_CODES],
        scopes: ['system/Bundle.write', 'system/Bundle.read'],
        jwks: { keys: [publicJwk] },
      },
    ],
  };
  writeAtomically(file, JSON.stringify(registry, null, 2) + '\n', 0o644);
  logger.info(
    { file, keyFile, clientId: DEV_CLIENT_ID, sorCodes: DEV_SOR_CODES },
    'CLIENTS_FILE not set: created a development client registry with one demo client (try it with `ngc-gateway submit BUNDLE.json`)',
  );
  return { file, keyFile, clientId: DEV_CLIENT_ID, created: true };
}

export interface ResolveRegistryOptions {
  /** CLIENTS_FILE, when set. */
  clientsFile?: string;
  dataDir: string;
  nodeEnv?: string;
  logger?: AuthLogger;
}

/** CLIENTS_FILE when given; otherwise the development registry (created on first start). */
export function resolveClientRegistry(o: ResolveRegistryOptions): ClientRegistry {
  const file = o.clientsFile || ensureDevClientRegistry(o.dataDir, o.nodeEnv, o.logger).file;
  return loadClientRegistry(file, { nodeEnv: o.nodeEnv });
}
