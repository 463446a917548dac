/**
 * The registry of regional systems allowed to submit: a JSON file (CLIENTS_FILE) that operators
 * edit. It is validated as a whole before it replaces the registry in use, so a typo in the file
 * never locks every region out: a bad reload keeps the previous registry and says why.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { AuthLogger } from './logger';
import { SUPPORTED_SCOPES, type SmartScope } from './scopes';

export interface PublicJwk {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  [member: string]: unknown;
}

export interface RegisteredClient {
  clientId: string;
  name: string;
  region: string;
  /** SOR codes of the laboratories this client may report for (SUB-12). */
  sorCodes: string[];
  scopes: SmartScope[];
  /** Exactly one of jwks and jwksUri is set. */
  jwks?: { keys: PublicJwk[] };
  jwksUri?: string;
}

export interface RegistryOptions {
  /** `development` and `test` allow http: jwksUris; any other environment requires https. */
  nodeEnv?: string;
}

export class ClientRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientRegistryError';
  }
}

/** Environments where plain-http JWKS URLs (a local test server) are acceptable. */
export function allowsInsecureJwksUri(nodeEnv: string | undefined): boolean {
  return nodeEnv === undefined || nodeEnv === 'development' || nodeEnv === 'test';
}

// Private-key members of RSA and EC JWKs: a registry must only ever hold public keys.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const jwkSchema = {
  type: 'object',
  required: ['kty'],
  properties: {
    kty: { enum: ['RSA', 'EC'] },
    kid: { type: 'string', minLength: 1, maxLength: 256 },
    alg: { enum: ['RS384', 'ES384'] },
    use: { const: 'sig' },
    ...Object.fromEntries(PRIVATE_MEMBERS.map((m) => [m, false])),
  },
};

const registrySchema = {
  type: 'object',
  required: ['clients'],
  additionalProperties: false,
  properties: {
    clients: {
      type: 'array',
      items: {
        type: 'object',
        required: ['clientId', 'name', 'region', 'sorCodes', 'scopes'],
        additionalProperties: false,
        properties: {
          clientId: { type: 'string', pattern: '^[A-Za-z0-9._~:-]{1,128}$' },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          region: { type: 'string', minLength: 1, maxLength: 200 },
          sorCodes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[0-9]{11,18}$' } },
          scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...SUPPORTED_SCOPES] } },
          jwks: {
            type: 'object',
            required: ['keys'],
            additionalProperties: false,
            properties: { keys: { type: 'array', minItems: 1, maxItems: 20, items: jwkSchema } },
          },
          jwksUri: { type: 'string', format: 'uri', pattern: '^https?://' },
        },
        oneOf: [{ required: ['jwks'] }, { required: ['jwksUri'] }],
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false });
addFormats(ajv, ['uri']);
const validateRegistry = ajv.compile(registrySchema);

function describeAjvError(error: ErrorObject): { pointer: string; text: string } {
  const at = error.instancePath || '';
  switch (error.keyword) {
    case 'required':
      return { pointer: `${at}/${(error.params as { missingProperty: string }).missingProperty}`, text: 'is required' };
    case 'additionalProperties':
      return { pointer: `${at}/${(error.params as { additionalProperty: string }).additionalProperty}`, text: 'is not an allowed member' };
    case 'false schema':
      return { pointer: at, text: 'is a private-key member: register public keys only' };
    case 'oneOf':
      return { pointer: at, text: 'needs exactly one of "jwks" and "jwksUri"' };
    case 'enum':
      return { pointer: at, text: `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'pattern':
      if (at.includes('/sorCodes/')) return { pointer: at, text: 'must be a SOR code of 11 to 18 digits' };
      return { pointer: at, text: `${error.message ?? 'is invalid'}` };
    default:
      return { pointer: at, text: error.message ?? 'is invalid' };
  }
}

/** Checks one JWK beyond its shape: that Node can import it and that it suits RS384 / ES384. */
export function checkPublicJwk(jwk: PublicJwk): string | undefined {
  let key;
  try {
    key = createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch (err) {
    return `is not a usable public key (${(err as Error).message})`;
  }
  if (jwk.kty === 'EC' && jwk.crv !== 'P-384') return 'must use curve P-384 (ES384)';
  if (jwk.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return 'must be an RSA key of at least 2048 bits';
  if (jwk.kty === 'EC' && jwk.alg === 'RS384') return 'has alg RS384 but is an EC key';
  if (jwk.kty === 'RSA' && jwk.alg === 'ES384') return 'has alg ES384 but is an RSA key';
  return undefined;
}

/** Validates parsed registry JSON; throws a one-line ClientRegistryError naming the source and JSON pointer. */
export function parseClientRegistry(data: unknown, source: string, options: RegistryOptions = {}): RegisteredClient[] {
  const fail = (pointer: string, text: string): never => {
    throw new ClientRegistryError(`client registry ${source}: ${pointer || '/'} ${text}`);
  };
  if (!validateRegistry(data)) {
    // oneOf reports its branches' `required` failures first; the oneOf itself says it better.
    const errors = validateRegistry.errors!;
    const { pointer, text } = describeAjvError(errors.find((e) => e.keyword === 'oneOf') ?? errors[0]);
    fail(pointer, text);
  }
  const clients = (data as { clients: RegisteredClient[] }).clients;
  const seen = new Map<string, number>();
  clients.forEach((client, i) => {
    const base = `/clients/${i}`;
    const earlier = seen.get(client.clientId);
    if (earlier !== undefined) fail(`${base}/clientId`, `duplicates the clientId of /clients/${earlier}`);
    seen.set(client.clientId, i);
    if (client.jwksUri) {
      const url = new URL(client.jwksUri);
      if (url.protocol !== 'https:' && !allowsInsecureJwksUri(options.nodeEnv)) fail(`${base}/jwksUri`, 'must use https outside development');
      if (url.username || url.password) fail(`${base}/jwksUri`, 'must not carry credentials');
    }
    client.jwks?.keys.forEach((jwk, k) => {
      const problem = checkPublicJwk(jwk);
      if (problem) fail(`${base}/jwks/keys/${k}`, problem);
    });
  });
  return clients;
}

function readRegistryFile(file: string, options: RegistryOptions): RegisteredClient[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClientRegistryError(`client registry ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ClientRegistryError(`client registry ${file}: / is not valid JSON (${(err as Error).message})`);
  }
  return parseClientRegistry(data, file, options);
}

function freeze(clients: RegisteredClient[]): Map<string, RegisteredClient> {
  return new Map(clients.map((c) => [c.clientId, Object.freeze({ ...c, sorCodes: [...c.sorCodes], scopes: [...c.scopes] })]));
}

export type ReloadResult = { ok: true; clients: number } | { ok: false; error: string };

/** The registry in use. Lookups always see the latest successfully loaded file. */
export class ClientRegistry {
  private clients: Map<string, RegisteredClient>;
  private generation = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    clients: RegisteredClient[],
    readonly file?: string,
    private readonly options: RegistryOptions = {},
  ) {
    this.clients = freeze(clients);
  }

  get(clientId: string): RegisteredClient | undefined {
    return this.clients.get(clientId);
  }

  list(): RegisteredClient[] {
    return [...this.clients.values()];
  }

  /** Increases with every successful reload (lets caches of remote keys drop stale entries). */
  get version(): number {
    return this.generation;
  }

  /** Called after each successful reload. */
  onReload(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the file; on any problem keeps the registry in use and reports the error. */
  reload(): ReloadResult {
    if (!this.file) return { ok: false, error: 'client registry was not loaded from a file' };
    try {
      this.clients = freeze(readRegistryFile(this.file, this.options));
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
    this.generation++;
    for (const listener of this.listeners) listener();
    return { ok: true, clients: this.clients.size };
  }

  /** Reloads the file on SIGHUP (the operator's "re-read your configuration"). Returns the unsubscriber. */
  enableSighupReload(logger?: AuthLogger): () => void {
    const handler = () => {
      const result = this.reload();
      if (result.ok) logger?.info({ file: this.file, clients: result.clients }, 'client registry reloaded');
      else logger?.error({ file: this.file, error: result.error }, 'client registry reload failed; keeping the previous registry');
    };
    process.on('SIGHUP', handler);
    return () => process.off('SIGHUP', handler);
  }
}

/** Loads and validates CLIENTS_FILE; throws ClientRegistryError (one line) when it is bad. */
export function loadClientRegistry(file: string, options: RegistryOptions = {}): ClientRegistry {
  const opts = { nodeEnv: options.nodeEnv ?? process.env.NODE_ENV };
  return new ClientRegistry(readRegistryFile(file, opts), file, opts);
}
