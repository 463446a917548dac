/**
 * Fresh clone: the development registry and demo key appear in DATA_DIR on first start, the key is
 * private to its owner and never logged, the demo client can get a token, and production refuses.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEV_CLIENT_ID,
  DevRegistryRefused,
  ensureDevClientRegistry,
  loadGatewayKeys,
  resolveClientRegistry,
  rotateDevGatewayKeys,
  setupSmartAuth,
  GatewayKeyError,
  type AuthLogger,
} from '../../../src/auth/smart';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ngc-dev-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function recorder() {
  const lines: string[] = [];
  const logger: AuthLogger = {
    info: (obj, msg) => lines.push(JSON.stringify({ obj, msg })),
    warn: (obj, msg) => lines.push(JSON.stringify({ obj, msg })),
    error: (obj, msg) => lines.push(JSON.stringify({ obj, msg })),
  };
  return { lines, logger };
}

it('creates a registry with one demo client and a 0600 private key, once, and says so without the key', () => {
  const { lines, logger } = recorder();
  const first = ensureDevClientRegistry(dataDir, 'development', logger);
  expect(first).toMatchObject({ created: true, clientId: DEV_CLIENT_ID, file: join(dataDir, 'dev-clients.json'), keyFile: join(dataDir, 'dev-client-key.pem') });
  expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
  const pem = readFileSync(first.keyFile, 'utf8');
  expect(pem).toContain('BEGIN PRIVATE KEY');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('created a development client registry');
  expect(lines[0]).not.toContain(pem.split('\n')[1]);

  const registry = resolveClientRegistry({ dataDir, nodeEnv: 'development' });
  const client = registry.get(DEV_CLIENT_ID)!;
  expect(client.region).toBe('Region Hovedstaden');
  expect(client.scopes).toEqual(['system/Bundle.write', 'system/Bundle.read']);
  expect(client.jwks!.keys[0]).not.toHaveProperty('d');

  const again = ensureDevClientRegistry(dataDir, 'development', logger);
  expect(again.created).toBe(false);
  expect(readFileSync(first.keyFile, 'utf8')).toBe(pem);
  expect(lines).toHaveLength(1);
});

it('refuses to create a development registry in production', () => {
  expect(() => ensureDevClientRegistry(dataDir, 'production')).toThrow(DevRegistryRefused);
  expect(() => resolveClientRegistry({ dataDir, nodeEnv: 'production' })).toThrow(/CLIENTS_FILE/);
});

it('uses CLIENTS_FILE when it is set and creates nothing', () => {
  const { file } = ensureDevClientRegistry(join(dataDir, 'elsewhere'), 'development');
  const registry = resolveClientRegistry({ clientsFile: file, dataDir, nodeEnv: 'production' });
  expect(registry.file).toBe(file);
  expect(() => statSync(join(dataDir, 'dev-clients.json'))).toThrow();
});

describe('gateway signing keys', () => {
  it('are generated once in DATA_DIR outside production, and rotate keeping the previous key', () => {
    const first = loadGatewayKeys({ dataDir, nodeEnv: 'development', env: {} });
    expect(statSync(join(dataDir, 'token-signing', 'current.pem')).mode & 0o777).toBe(0o600);
    expect(loadGatewayKeys({ dataDir, nodeEnv: 'development', env: {} }).current.kid).toBe(first.current.kid);
    const rotated = rotateDevGatewayKeys(dataDir);
    expect(rotated.previous?.kid).toBe(first.current.kid);
    expect(rotated.current.kid).not.toBe(first.current.kid);
    expect(rotated.jwks().keys.map((k) => k.kid)).toEqual([rotated.current.kid, first.current.kid]);
  });

  it('come from TOKEN_SIGNING_KEY_FILE in production, which is required', () => {
    expect(() => loadGatewayKeys({ dataDir, nodeEnv: 'production', env: {} })).toThrow(GatewayKeyError);
    const dev = loadGatewayKeys({ dataDir, nodeEnv: 'development', env: {} });
    const file = join(dataDir, 'token-signing', 'current.pem');
    const prod = loadGatewayKeys({ dataDir: '/nonexistent', nodeEnv: 'production', env: { TOKEN_SIGNING_KEY_FILE: file } });
    expect(prod.current.kid).toBe(dev.current.kid);
    expect(() => loadGatewayKeys({ dataDir, nodeEnv: 'production', env: { TOKEN_SIGNING_KEY_FILE: join(dataDir, 'dev-clients.json') } })).toThrow(/TOKEN_SIGNING_KEY_FILE .* cannot be read/);
  });

  it('take TOKEN_SIGNING_KEY inline too (newlines escaped as in a one-line env file), but not both it and the file', () => {
    const dev = loadGatewayKeys({ dataDir, nodeEnv: 'development', env: {} });
    const file = join(dataDir, 'token-signing', 'current.pem');
    const pem = readFileSync(file, 'utf8');
    const inline = loadGatewayKeys({ dataDir: '/nonexistent', nodeEnv: 'production', env: { TOKEN_SIGNING_KEY: pem.replace(/\n/g, '\\n') } });
    expect(inline.current.kid).toBe(dev.current.kid);
    expect(() => loadGatewayKeys({ dataDir, nodeEnv: 'production', env: { TOKEN_SIGNING_KEY: pem, TOKEN_SIGNING_KEY_FILE: file } })).toThrow('set only one of TOKEN_SIGNING_KEY and TOKEN_SIGNING_KEY_FILE');
  });

  it('refuses a client key (P-384) as the gateway key', () => {
    const { keyFile } = ensureDevClientRegistry(dataDir, 'development');
    expect(() => loadGatewayKeys({ dataDir, nodeEnv: 'production', env: { TOKEN_SIGNING_KEY_FILE: keyFile } })).toThrow(/must be an EC P-256 key/);
  });
});

describe('setupSmartAuth (what serve calls)', () => {
  const store = { rememberOnce: async () => true };

  it('on a fresh data dir in development: dev registry, generated keys, ready router', () => {
    const { lines, logger } = recorder();
    const setup = setupSmartAuth({ env: {}, dataDir, nodeEnv: 'development', publicBaseUrl: 'http://localhost:8080/', store, logger });
    try {
      expect(setup.registry.get(DEV_CLIENT_ID)).toBeDefined();
      expect(setup.tokenUrl).toBe('http://localhost:8080/auth/token');
      expect(setup.keys.jwks().keys).toHaveLength(1);
      expect(lines.some((l) => l.includes('created a development client registry'))).toBe(true);
    } finally {
      setup.close();
    }
  });

  it('in production without CLIENTS_FILE: refuses to start', () => {
    expect(() => setupSmartAuth({ env: {}, dataDir, nodeEnv: 'production', publicBaseUrl: 'https://gw.example', store })).toThrow(DevRegistryRefused);
    expect(() => statSync(join(dataDir, 'dev-clients.json'))).toThrow();
  });
});
