/** The database client against nock-scripted answers of the National Genome Database. */
import nock from 'nock';
import { DeliveryError, createNgcDatabaseTarget, makeIdempotent } from '../../src/delivery';
import { summariseResponse } from '../../src/delivery/ngc-target';
import { makeBundle } from './bundles';

const BASE = 'http://ngc-db.test/fhir';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => {
  nock.abortPendingRequests();
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    return err as DeliveryError;
  }
  throw new Error('expected the delivery to fail');
}

describe('createNgcDatabaseTarget', () => {
  const bundle = makeIdempotent(makeBundle('rep-7'), 'sub-7');
  /** What the outbox hands the target: the transaction's JSON bytes. */
  const transaction = Buffer.from(JSON.stringify(bundle));

  it('POSTs the transaction to the base URL and summarises the answer without resources', async () => {
    let sent: unknown;
    let headers: Record<string, string | string[] | undefined> = {};
    const scope = nock(BASE)
      .post('/', (body) => {
        sent = body;
        return true;
      })
      .reply(function () {
        headers = this.req.headers;
        return [200, {
          resourceType: 'Bundle',
          type: 'transaction-response',
          entry: bundle.entry!.map((e, i) => ({ response: { status: '201 Created', location: `${e.resource!.resourceType}/${i + 1}/_history/1` } })),
        }];
      });
    const target = createNgcDatabaseTarget(BASE, { timeoutMs: 2000 });
    const result = await target.deliver('sub-7', transaction);
    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual(bundle);
    expect(headers['content-type']).toBe('application/fhir+json');
    expect(headers['prefer']).toBe('return=minimal');
    expect(result.status).toBe(200);
    expect(result.location).toBe('DiagnosticReport/3/_history/1');
    expect(result.body).toEqual({ entries: bundle.entry!.map((e, i) => ({ status: '201 Created', location: `${e.resource!.resourceType}/${i + 1}/_history/1` })) });
    expect(target.description).toBe('National Genome Database at http://ngc-db.test/fhir');
  });

  it('reports a 4xx as final, with what the database said (CPR-like numbers cut out)', async () => {
    nock(BASE).post('/').reply(422, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'processing', diagnostics: 'Patient 0101701234 unknown profile' }],
    });
    const e = await failure(createNgcDatabaseTarget(BASE).deliver('s', transaction));
    expect(e).toMatchObject({ kind: 'http', status: 422, retryable: false });
    expect(e.message).toBe('HTTP 422 from the National Genome Database: error processing Patient [redacted] unknown profile');
  });

  it('reports 5xx and 429 as retryable, with Retry-After in seconds or as a date', async () => {
    nock(BASE).post('/').reply(503, 'Service Unavailable', { 'retry-after': '3' });
    let e = await failure(createNgcDatabaseTarget(BASE).deliver('s', transaction));
    expect(e).toMatchObject({ kind: 'http', status: 503, retryable: true, retryAfterMs: 3000 });

    const when = new Date(Date.now() + 60_000).toUTCString();
    nock(BASE).post('/').reply(429, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'throttled' }] }, { 'Retry-After': when });
    e = await failure(createNgcDatabaseTarget(BASE).deliver('s', transaction));
    expect(e).toMatchObject({ kind: 'http', status: 429, retryable: true });
    expect(e.retryAfterMs).toBeGreaterThan(55_000);
    expect(e.retryAfterMs).toBeLessThanOrEqual(60_000);

    nock(BASE).post('/').reply(500, {});
    e = await failure(createNgcDatabaseTarget(BASE).deliver('s', transaction));
    expect(e).toMatchObject({ status: 500, retryable: true, retryAfterMs: undefined });
  });

  it('gives up on a slow database after the timeout, as a retryable error', async () => {
    nock(BASE).post('/').delay(2000).reply(200, { resourceType: 'Bundle', type: 'transaction-response' });
    const started = Date.now();
    const e = await failure(createNgcDatabaseTarget(BASE, { timeoutMs: 150 }).deliver('s', transaction));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(e).toMatchObject({ kind: 'timeout', retryable: true, message: 'no answer within 150 ms' });
  });

  it('reports a connection reset as a retryable network error', async () => {
    nock(BASE).post('/').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    const e = await failure(createNgcDatabaseTarget(BASE).deliver('s', transaction));
    expect(e).toMatchObject({ kind: 'network', retryable: true });
    expect(e.message).toMatch(/ECONNRESET/);
  });

  it('treats a 2xx with a body that is not JSON as delivered', async () => {
    nock(BASE).post('/').reply(200, 'OK');
    await expect(createNgcDatabaseTarget(BASE).deliver('s', transaction)).resolves.toEqual({ status: 200 });
  });

  it('sends credentials of the URL as a Basic Authorization header, keeping them out of the description', async () => {
    let auth: unknown;
    nock(BASE).post('/').reply(function () {
      auth = this.req.headers['authorization'];
      return [200, { resourceType: 'Bundle', type: 'transaction-response', entry: [] }];
    });
    const target = createNgcDatabaseTarget('http://gateway:s%3Acret@ngc-db.test/fhir/', { timeoutMs: 2000 });
    await target.deliver('s', transaction);
    expect(auth).toBe(`Basic ${Buffer.from('gateway:s:cret').toString('base64')}`);
    expect(target.description).toBe('National Genome Database at http://ngc-db.test/fhir/');
  });

  it('keeps at most 500 entries of a large answer in the summary, with the count', () => {
    const big = { resourceType: 'Bundle', type: 'transaction-response', entry: Array.from({ length: 1200 }, (_, i) => ({ response: { status: '201 Created', location: `Observation/${i}` } })) };
    const result = summariseResponse(bundle, big, 200);
    expect(result.body).toMatchObject({ entryCount: 1200 });
    expect((result.body as { entries: unknown[] }).entries).toHaveLength(500);
    expect(result.location).toBe('Observation/2');
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => createNgcDatabaseTarget('ftp://x')).toThrow(/http\(s\)/);
    expect(() => createNgcDatabaseTarget('not a url')).toThrow(/not a valid URL/);
  });
});
