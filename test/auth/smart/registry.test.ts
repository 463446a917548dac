/**
 * The client registry file: a bad file is refused at start-up with one line naming the file and the
 * JSON pointer; on SIGHUP a good file replaces the registry and a bad one leaves it untouched.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientRegistryError, loadClientRegistry } from '../../../src/auth/smart';
import { clientEntry, ecClientKey } from './helpers';

const KEY = ecClientKey('k1');
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ngc-registry-'));
  file = join(dir, 'clients.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(data: unknown): void {
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
}

function loadError(data: unknown, nodeEnv = 'test'): string {
  write(data);
  try {
    loadClientRegistry(file, { nodeEnv });
  } catch (err) {
    expect(err).toBeInstanceOf(ClientRegistryError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(file);
    return message;
  }
  throw new Error('the registry was accepted');
}

it('loads a valid registry with local keys and with a jwksUri', () => {
  write({ clients: [clientEntry('a', KEY), clientEntry('b', { jwksUri: 'https://keys.region-h.example/jwks.json' }, { sorCodes: ['6031000016002', '6041000016007'] })] });
  const registry = loadClientRegistry(file, { nodeEnv: 'production' });
  expect(registry.list().map((c) => c.clientId)).toEqual(['a', 'b']);
  expect(registry.get('b')).toMatchObject({ jwksUri: 'https://keys.region-h.example/jwks.json', sorCodes: ['6031000016002', '6041000016007'] });
  expect(registry.get('nobody')).toBeUndefined();
});

describe('names the problem with its JSON pointer', () => {
  const good = () => clientEntry('a', KEY);
  it.each<[string, unknown, string]>([
    ['missing file', null, 'cannot be read (ENOENT)'],
    ['not JSON', '{"clients": [', '/ is not valid JSON'],
    ['no clients member', { client: [] }, '/clients is required'],
    ['missing region', { clients: [good(), { ...good(), clientId: 'b', region: undefined }] }, '/clients/1/region is required'],
    ['unknown member', { clients: [{ ...good(), secret: 'x' }] }, '/clients/0/secret is not an allowed member'],
    ['both jwks and jwksUri', { clients: [{ ...good(), jwksUri: 'https://x.example/jwks' }] }, '/clients/0 needs exactly one of "jwks" and "jwksUri"'],
    ['neither jwks nor jwksUri', { clients: [{ ...good(), jwks: undefined }] }, '/clients/0 needs exactly one of "jwks" and "jwksUri"'],
    ['bad SOR code', { clients: [{ ...good(), sorCodes: ['12345'] }] }, '/clients/0/sorCodes/0 must be a SOR code of 11 to 18 digits'],
    ['unknown scope', { clients: [{ ...good(), scopes: ['system/*.*'] }] }, '/clients/0/scopes/0 must be one of "system/Bundle.write", "system/Bundle.read"'],
    ['private key in the registry', { clients: [{ ...good(), jwks: { keys: [{ ...KEY.publicJwk, d: 'secret' }] } }] }, '/clients/0/jwks/keys/0/d is a private-key member'],
    ['duplicate client id', { clients: [good(), good()] }, '/clients/1/clientId duplicates the clientId of /clients/0'],
    ['P-256 key for ES384', { clients: [{ ...good(), jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] } }] }, '/clients/0/jwks/keys/0 must use curve P-384'],
    ['garbage key', { clients: [{ ...good(), jwks: { keys: [{ kty: 'EC', crv: 'P-384', x: 'AAAA', y: 'AAAA' }] } }] }, '/clients/0/jwks/keys/0 is not a usable public key'],
  ])('%s', (_name, data, expected) => {
    if (data === null) {
      try {
        loadClientRegistry(join(dir, 'missing.json'));
        throw new Error('accepted');
      } catch (err) {
        expect((err as Error).message).toBe(`client registry ${join(dir, 'missing.json')}: cannot be read (ENOENT)`);
      }
      return;
    }
    expect(loadError(data)).toContain(expected);
  });

  it('requires https jwksUris outside development', () => {
    const data = { clients: [clientEntry('a', { jwksUri: 'http://keys.example/jwks' })] };
    expect(loadError(data, 'production')).toContain('/clients/0/jwksUri must use https outside development');
    write(data);
    expect(loadClientRegistry(file, { nodeEnv: 'development' }).get('a')).toBeDefined();
  });
});

describe('reload on SIGHUP', () => {
  it('takes a good new file and keeps the old registry when the new file is bad', async () => {
    write({ clients: [clientEntry('a', KEY)] });
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'fixtures', 'sighup-child.ts'), file], {
      cwd: join(__dirname, '..', '..', '..'),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines: { level: string; msg: string; obj: Record<string, unknown>; clients: string[] }[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        lines.push(JSON.parse(buffer.slice(0, i)));
        buffer = buffer.slice(i + 1);
      }
    });
    const until = async (n: number) => {
      for (let i = 0; i < 1500 && lines.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      expect(lines.length).toBeGreaterThanOrEqual(n);
    };
    try {
      await until(1);
      expect(lines[0]).toMatchObject({ msg: 'ready', clients: ['a'] });

      write({ clients: [clientEntry('a', KEY), clientEntry('b', KEY)] });
      child.kill('SIGHUP');
      await until(2);
      expect(lines[1]).toMatchObject({ level: 'info', msg: 'client registry reloaded', obj: { clients: 2 }, clients: ['a', 'b'] });

      write({ clients: [{ ...clientEntry('c', KEY), sorCodes: ['x'] }] });
      child.kill('SIGHUP');
      await until(3);
      expect(lines[2]).toMatchObject({ level: 'error', clients: ['a', 'b'] });
      expect(String(lines[2].obj.error)).toContain('/clients/0/sorCodes/0');
      expect(child.exitCode).toBeNull();
    } finally {
      child.stdin.end();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    }
  });

  it('reload() keeps the registry in use when the file became unreadable', () => {
    write({ clients: [clientEntry('a', KEY)] });
    const registry = loadClientRegistry(file, { nodeEnv: 'test' });
    rmSync(file);
    const result = registry.reload();
    expect(result.ok).toBe(false);
    expect(registry.get('a')).toBeDefined();
  });
});
