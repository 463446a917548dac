/**
 * Encryption of rejected payloads at rest (AES-256-GCM) and the keyed hash that makes CPR numbers
 * searchable without storing them. Keys carry ids so they can rotate: the current key encrypts,
 * every listed key decrypts. Sealed format: "NGA1" | keyId length (1 byte) | keyId | IV (12) |
 * tag (16) | ciphertext. The key id and format are authenticated as associated data, so a blob
 * cannot be relabelled to another key.
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const MAGIC = Buffer.from('NGA1', 'ascii');
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export class AuditKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditKeyError';
  }
}

export interface AuditKeyring {
  /** Id of the key new payloads are encrypted with. */
  current: string;
  /** Key id → 32-byte AES key. */
  keys: Map<string, Buffer>;
  /** Secret of the CPR keyed hash (HMAC-SHA256); not rotated with the payload keys, or old hashes stop matching. */
  hmacKey: Buffer;
}

export interface PayloadCipher {
  readonly currentKeyId: string;
  encrypt(plaintext: Buffer): Buffer;
  decrypt(sealed: Buffer): Buffer;
  /** The id of the key a sealed payload was encrypted with. */
  keyIdOf(sealed: Buffer): string;
}

export function createPayloadCipher(ring: Pick<AuditKeyring, 'current' | 'keys'>): PayloadCipher {
  const currentKey = ring.keys.get(ring.current);
  if (!currentKey) throw new AuditKeyError(`the current audit key '${ring.current}' is not in the key list`);
  const header = (id: string) => Buffer.concat([MAGIC, Buffer.from([Buffer.byteLength(id)]), Buffer.from(id, 'utf8')]);
  // Every accepted and rejected submission is sealed: the key object and header are made once.
  const currentHeader = header(ring.current);
  const currentKeyObject = createSecretKey(currentKey);
  const parse = (sealed: Buffer) => {
    if (sealed.length < 6 || !sealed.subarray(0, 4).equals(MAGIC)) throw new AuditKeyError('not an audit payload (bad header)');
    const idLen = sealed[4];
    const id = sealed.subarray(5, 5 + idLen).toString('utf8');
    const body = 5 + idLen;
    if (sealed.length < body + 28) throw new AuditKeyError('audit payload truncated');
    return { id, aad: sealed.subarray(0, body), iv: sealed.subarray(body, body + 12), tag: sealed.subarray(body + 12, body + 28), data: sealed.subarray(body + 28) };
  };
  return {
    currentKeyId: ring.current,
    encrypt(plaintext) {
      const aad = currentHeader;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', currentKeyObject, iv);
      c.setAAD(aad);
      const data = c.update(plaintext);
      const rest = c.final();
      // header | iv | tag | ciphertext, assembled in one buffer (the ciphertext is copied once).
      const out = Buffer.allocUnsafe(aad.length + 28 + data.length + rest.length);
      aad.copy(out, 0);
      iv.copy(out, aad.length);
      c.getAuthTag().copy(out, aad.length + 12);
      data.copy(out, aad.length + 28);
      rest.copy(out, aad.length + 28 + data.length);
      return out;
    },
    decrypt(sealed) {
      const p = parse(sealed);
      const key = ring.keys.get(p.id);
      if (!key) throw new AuditKeyError(`audit payload encrypted with unknown key '${p.id}'`);
      const d = createDecipheriv('aes-256-gcm', key, p.iv);
      d.setAAD(p.aad);
      d.setAuthTag(p.tag);
      return Buffer.concat([d.update(p.data), d.final()]);
    },
    keyIdOf(sealed) {
      return parse(sealed).id;
    },
  };
}

/** HMAC-SHA256 (hex) of a person identifier; the only form in which CPR numbers reach the database. */
export function subjectHasher(hmacKey: Buffer): (identifier: string) => string {
  const key = createSecretKey(hmacKey);
  return (identifier) => createHmac('sha256', key).update(identifier.trim(), 'utf8').digest('hex');
}

function decodeKey(value: string, where: string): Buffer {
  const v = value.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  if (buf.length !== 32) throw new AuditKeyError(`${where}: a key must be 32 bytes (64 hex digits or base64)`);
  return buf;
}

/** Shape of AUDIT_KEYS_FILE: `{"current": "k2", "keys": {"k1": "<hex|base64>", "k2": "..."}, "hmacKey": "..."}`. */
interface KeysFile {
  current?: unknown;
  keys?: unknown;
  hmacKey?: unknown;
}

function parseKeysFile(text: string, where: string): AuditKeyring {
  let doc: KeysFile;
  try {
    doc = JSON.parse(text) as KeysFile;
  } catch {
    throw new AuditKeyError(`${where}: not JSON`);
  }
  if (typeof doc.current !== 'string' || !doc.keys || typeof doc.keys !== 'object' || typeof doc.hmacKey !== 'string') {
    throw new AuditKeyError(`${where}: expected {"current": id, "keys": {id: key}, "hmacKey": key}`);
  }
  const keys = new Map<string, Buffer>();
  for (const [id, v] of Object.entries(doc.keys as Record<string, unknown>)) {
    if (!KEY_ID.test(id)) throw new AuditKeyError(`${where}: invalid key id '${id}'`);
    if (typeof v !== 'string') throw new AuditKeyError(`${where}: key '${id}' is not a string`);
    keys.set(id, decodeKey(v, `${where} key '${id}'`));
  }
  if (!keys.has(doc.current)) throw new AuditKeyError(`${where}: current key '${doc.current}' is not listed`);
  return { current: doc.current, keys, hmacKey: decodeKey(doc.hmacKey, `${where} hmacKey`) };
}

export interface LoadAuditKeysOptions {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  nodeEnv?: string;
  log?: (message: string) => void;
}

/** Name of the development key file created in DATA_DIR outside production. */
export const DEV_KEYS_FILE = 'audit-keys.dev.json';

/**
 * Keys from AUDIT_KEYS_FILE (JSON, see KeysFile), else AUDIT_KEY (`id:key[,id:key...]`, the first
 * is current) with AUDIT_HMAC_KEY, else (not in production) a development file in DATA_DIR.
 */
export function loadAuditKeys(options: LoadAuditKeysOptions): AuditKeyring {
  const { env } = options;
  if (env.AUDIT_KEYS_FILE) {
    let text: string;
    try {
      text = fs.readFileSync(env.AUDIT_KEYS_FILE, 'utf8');
    } catch (err) {
      throw new AuditKeyError(`AUDIT_KEYS_FILE: cannot read ${env.AUDIT_KEYS_FILE}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return parseKeysFile(text, 'AUDIT_KEYS_FILE');
  }
  if (env.AUDIT_KEY) {
    if (!env.AUDIT_HMAC_KEY) throw new AuditKeyError('AUDIT_KEY is set but AUDIT_HMAC_KEY (the CPR hash secret) is not');
    const keys = new Map<string, Buffer>();
    let current: string | undefined;
    for (const part of env.AUDIT_KEY.split(',')) {
      const i = part.indexOf(':');
      if (i < 1) throw new AuditKeyError('AUDIT_KEY: expected id:key[,id:key...]');
      const id = part.slice(0, i).trim();
      if (!KEY_ID.test(id)) throw new AuditKeyError(`AUDIT_KEY: invalid key id '${id}'`);
      keys.set(id, decodeKey(part.slice(i + 1), `AUDIT_KEY '${id}'`));
      current ??= id;
    }
    return { current: current as string, keys, hmacKey: decodeKey(env.AUDIT_HMAC_KEY, 'AUDIT_HMAC_KEY') };
  }
  if (options.nodeEnv === 'production') {
    throw new AuditKeyError('no audit keys: set AUDIT_KEYS_FILE or AUDIT_KEY and AUDIT_HMAC_KEY (a development key is never generated in production)');
  }
  const file = path.join(options.dataDir, DEV_KEYS_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    const doc = { current: 'dev-1', keys: { 'dev-1': randomBytes(32).toString('hex') }, hmacKey: randomBytes(32).toString('hex') };
    fs.writeFileSync(file, JSON.stringify(doc, null, 2), { mode: 0o600, flag: 'wx' });
    options.log?.(`generated development audit keys in ${file} (not for production)`);
  }
  return parseKeysFile(fs.readFileSync(file, 'utf8'), file);
}
