/**
 * The gateway's own token-signing keys. Two at a time: the current key signs new access tokens, the
 * previous one only still verifies tokens it signed before a rotation (they live 5 minutes), and
 * both are published at /auth/jwks so resource servers can follow a rotation without downtime.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secretSetting } from '../../config/secret-setting';

export type GatewayAlg = 'ES256' | 'RS256';

export interface SigningKey {
  kid: string;
  alg: GatewayAlg;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export interface GatewayKeyring {
  readonly current: SigningKey;
  readonly previous?: SigningKey;
  /** The key with this kid, current or previous. */
  find(kid: string): SigningKey | undefined;
  /** The public JWK Set to publish. */
  jwks(): { keys: Record<string, unknown>[] };
}

export class GatewayKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayKeyError';
  }
}

/** RFC 7638 thumbprint: a kid that follows from the key itself, stable across restarts. */
export function jwkThumbprint(jwk: Record<string, unknown>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['e', 'kty', 'n'];
  const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

export function signingKeyFromPrivateKey(privateKey: KeyObject, source = 'key'): SigningKey {
  if (privateKey.type !== 'private') throw new GatewayKeyError(`${source}: not a private key`);
  let alg: GatewayAlg;
  if (privateKey.asymmetricKeyType === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') alg = 'ES256';
  else if (privateKey.asymmetricKeyType === 'rsa' && (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) alg = 'RS256';
  else throw new GatewayKeyError(`${source}: must be an EC P-256 key (ES256) or an RSA key of 2048 bits or more (RS256)`);
  const publicKey = createPublicKey(privateKey);
  const raw = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = jwkThumbprint(raw);
  return { kid, alg, privateKey, publicKey, publicJwk: { ...raw, kid, alg, use: 'sig' } };
}

export function signingKeyFromPem(pem: string, source = 'key'): SigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new GatewayKeyError(`${source}: not a PEM private key (${(err as Error).message})`);
  }
  return signingKeyFromPrivateKey(key, source);
}

export function createKeyring(current: SigningKey, previous?: SigningKey): GatewayKeyring {
  const all = previous && previous.kid !== current.kid ? [current, previous] : [current];
  return {
    current,
    previous: all[1],
    find: (kid) => all.find((k) => k.kid === kid),
    jwks: () => ({ keys: all.map((k) => ({ ...k.publicJwk })) }),
  };
}

/** A fresh EC P-256 key (the gateway's default). */
export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return signingKeyFromPrivateKey(privateKey);
}

function writeSecret(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function devKeyDir(dataDir: string): string {
  return join(dataDir, 'token-signing');
}

/**
 * Development: rotates the keys kept in DATA_DIR (the current key becomes the previous one and a new
 * key is generated). Production keys are rotated by the operator through the environment.
 */
export function rotateDevGatewayKeys(dataDir: string): GatewayKeyring {
  const dir = devKeyDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const currentFile = join(dir, 'current.pem');
  if (existsSync(currentFile)) writeSecret(join(dir, 'previous.pem'), readFileSync(currentFile, 'utf8'));
  const next = generateSigningKey();
  writeSecret(currentFile, next.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  return loadDevKeys(dir);
}

function loadDevKeys(dir: string): GatewayKeyring {
  const currentFile = join(dir, 'current.pem');
  const previousFile = join(dir, 'previous.pem');
  const current = signingKeyFromPem(readFileSync(currentFile, 'utf8'), currentFile);
  const previous = existsSync(previousFile) ? signingKeyFromPem(readFileSync(previousFile, 'utf8'), previousFile) : undefined;
  return createKeyring(current, previous);
}

export interface LoadGatewayKeysOptions {
  nodeEnv?: string;
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}

function fromEnv(env: NodeJS.ProcessEnv, name: string): SigningKey | undefined {
  const setting = secretSetting(env, name, (message) => new GatewayKeyError(message));
  if (!setting) return undefined;
  // Inline PEM often arrives with its newlines escaped (one-line environment files).
  return signingKeyFromPem(setting.fromFile ? setting.text : setting.text.replace(/\\n/g, '\n'), setting.source);
}

/**
 * The gateway's keys: from TOKEN_SIGNING_KEY(_FILE) and TOKEN_SIGNING_PREVIOUS_KEY(_FILE) (PKCS#8 PEM)
 * when set; otherwise, outside production, generated once and kept in DATA_DIR/token-signing.
 */
export function loadGatewayKeys(options: LoadGatewayKeysOptions): GatewayKeyring {
  const env = options.env ?? process.env;
  const current = fromEnv(env, 'TOKEN_SIGNING_KEY');
  const previous = fromEnv(env, 'TOKEN_SIGNING_PREVIOUS_KEY');
  if (current) return createKeyring(current, previous);
  if (previous) throw new GatewayKeyError('TOKEN_SIGNING_PREVIOUS_KEY is set without TOKEN_SIGNING_KEY');
  if (options.nodeEnv === 'production') {
    throw new GatewayKeyError('NODE_ENV=production needs the token-signing key: set TOKEN_SIGNING_KEY_FILE (PKCS#8 PEM, EC P-256 or RSA)');
  }
  const dir = devKeyDir(options.dataDir);
  if (!existsSync(join(dir, 'current.pem'))) return rotateDevGatewayKeys(options.dataDir);
  return loadDevKeys(dir);
}
