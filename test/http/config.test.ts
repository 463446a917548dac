import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, defaultValidationWorkers, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('has embedded defaults for a fresh clone', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, dataDir: path.resolve('data'), nodeEnv: 'development', publicBaseUrl: 'http://localhost:8080' });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.ngcDatabaseUrl).toBeUndefined();
    expect(c.limits.maxBodyBytes).toBe(50 * 1024 * 1024);
  });

  it('reads the metrics token from METRICS_TOKEN or a mounted file, and never echoes it', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: ' s3cret-scraper-token-0123 ' }).metricsToken).toBe('s3cret-scraper-token-0123');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-cfg-'));
    const file = path.join(dir, 'metrics-token');
    fs.writeFileSync(file, 'mounted-scraper-token-4567\n');
    expect(loadConfig({ METRICS_TOKEN_FILE: file }).metricsToken).toBe('mounted-scraper-token-4567');
    expect(() => loadConfig({ METRICS_TOKEN: 'short-s3cret' })).toThrow('METRICS_TOKEN must be at least 16 characters long');
    expect(() => loadConfig({ METRICS_TOKEN: 'short-s3cret' })).not.toThrow(/short-s3cret/);
    expect(() => loadConfig({ METRICS_TOKEN: 's3cret-scraper-token-0123', METRICS_TOKEN_FILE: file })).toThrow('set only one of METRICS_TOKEN and METRICS_TOKEN_FILE');
    expect(() => loadConfig({ METRICS_TOKEN_FILE: path.join(dir, 'missing') })).toThrow(/METRICS_TOKEN_FILE .*missing: cannot be read \(ENOENT\)/);
  });

  it('validates on one worker thread per core by default; VALIDATION_WORKERS=0 keeps it on the event loop', () => {
    expect(loadConfig({}).validationWorkers).toBe(Math.max(1, os.availableParallelism() - 1));
    expect([1, 2, 8].map(defaultValidationWorkers)).toEqual([1, 1, 7]);
    expect(loadConfig({ VALIDATION_WORKERS: '0' }).validationWorkers).toBe(0);
    expect(loadConfig({ VALIDATION_WORKERS: '3' }).validationWorkers).toBe(3);
    expect(() => loadConfig({ VALIDATION_WORKERS: 'two' })).toThrow(/VALIDATION_WORKERS=two is not a whole number/);
    expect(() => loadConfig({ VALIDATION_WORKERS: '65' })).toThrow(/VALIDATION_WORKERS=65 is out of range/);
  });

  it('reads every setting', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-cfg-'));
    const clients = path.join(dir, 'clients.json');
    fs.writeFileSync(clients, '{"clients":[]}');
    const c = loadConfig({
      PORT: '9000',
      DATA_DIR: dir,
      DATABASE_URL: 'postgres://u:p@db:5432/ngc',
      NGC_DATABASE_URL: 'https://ngd.example/fhir',
      CLIENTS_FILE: clients,
      NODE_ENV: 'production',
      PUBLIC_BASE_URL: 'https://gateway.ngc.dk/',
      RATE_LIMIT_PER_SECOND: '2.5',
      MAX_BODY_BYTES: '1048576',
    });
    expect(c).toMatchObject({ port: 9000, dataDir: dir, databaseUrl: 'postgres://u:p@db:5432/ngc', ngcDatabaseUrl: 'https://ngd.example/fhir', clientsFile: clients, publicBaseUrl: 'https://gateway.ngc.dk' });
    expect(c.limits).toMatchObject({ ratePerSecond: 2.5, maxBodyBytes: 1048576 });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT=eighty is not a whole number/],
    [{ PORT: '70000' }, /PORT=70000 is out of range/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /DATABASE_URL must be a postgres or postgresql URL/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL is not a valid URL/],
    [{ NGC_DATABASE_URL: 'ftp://x' }, /NGC_DATABASE_URL must be/],
    [{ CLIENTS_FILE: '/nonexistent/clients.json' }, /CLIENTS_FILE=.* cannot be read/],
    [{ NODE_ENV: 'production' }, /NGC_DATABASE_URL is required when NODE_ENV=production/],
    [{ NODE_ENV: 'production', NGC_DATABASE_URL: 'https://x' }, /CLIENTS_FILE is required/],
    [{ NODE_ENV: 'production', NGC_DATABASE_URL: 'http://x' }, /NGC_DATABASE_URL must be a https URL/],
    [{ MAX_BODY_BYTES: String(60 * 1024 * 1024) }, /MAX_BODY_BYTES=.* is out of range/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL=loud is not one of/],
    [{ DATA_DIR: __filename }, /DATA_DIR=.* is not a directory/],
    [{ DELIVERY_TIMEOUT_MS: '5000', DELIVERY_LEASE_MS: '5000' }, /DELIVERY_LEASE_MS \(5000\) must be longer than DELIVERY_TIMEOUT_MS/],
  ])('%j is refused', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never repeats the database password in its message', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@db/x' })).toThrow(/^(?!.*s3cret)/);
  });
});
