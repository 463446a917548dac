/** The fake National Genome Database behaves like a FHIR server where the tests rely on it. */
import { startFakeNgcDatabase, type FakeNgcDatabase } from '../support/fake-ngc-database';

let fake: FakeNgcDatabase;
beforeAll(async () => {
  fake = await startFakeNgcDatabase();
});
afterAll(() => fake.stop());

const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(fake.url + p, { method: 'POST', headers: { 'content-type': 'application/fhir+json', ...headers }, body: JSON.stringify(body) });

it('honours If-None-Exist on a plain create: the second POST returns the first resource', async () => {
  const patient = { resourceType: 'Patient', identifier: [{ system: 'urn:x', value: 'p1' }] };
  const first = await post('/Patient', patient, { 'if-none-exist': 'identifier=urn:x|p1' });
  const second = await post('/Patient', patient, { 'if-none-exist': 'identifier=urn%3Ax%7Cp1' });
  const [a, b] = [await first.json(), await second.json()];
  expect(a.entry[0].response.status).toBe('201 Created');
  expect(b.entry[0].response.status).toBe('200 OK');
  expect(b.entry[0].response.location).toBe(a.entry[0].response.location);
  expect(await fake.count('urn:x|p1', 'Patient')).toBe(1);
});

it('applies a transaction all or nothing', async () => {
  const before = await fake.stats();
  const res = await post('/', {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: { resourceType: 'Patient', identifier: [{ system: 'urn:x', value: 'p2' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient' }, request: { method: 'PUT', url: 'Patient/1' } },
    ],
  });
  expect(res.status).toBe(400);
  expect(await fake.count('urn:x|p2')).toBe(0);
  expect((await fake.stats()).resources).toBe(before.resources);
});

it('fails on command and recovers after the given number of requests', async () => {
  await fake.control({ mode: 'fail', status: 429, retryAfter: 7, times: 1 });
  const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [] };
  const throttled = await post('/', bundle);
  expect(throttled.status).toBe(429);
  expect(throttled.headers.get('retry-after')).toBe('7');
  expect((await post('/', bundle)).status).toBe(200);
});
