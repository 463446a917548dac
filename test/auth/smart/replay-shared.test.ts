/**
 * Two gateway instances behind one public URL share PostgreSQL: a client assertion used at one
 * instance is refused at the other, and the same assertion raced to both wins exactly once.
 */
import { CLIENT_ASSERTION_TYPE } from '../../../src/auth/smart';
import { createHarness } from '../../store/engines';
import { assertion, clientEntry, ecClientKey, startHarness, type Harness } from './helpers';

const KEY = ecClientKey();
const PUBLIC = 'https://gateway.ngc.example';
const pg = createHarness('postgres');
let one: Harness;
let two: Harness;

beforeAll(async () => {
  const db = await pg.fresh();
  const clients = [clientEntry('region-h', KEY)];
  one = await startHarness({ clients, store: await db.open(), smart: { publicBaseUrl: PUBLIC } });
  two = await startHarness({ clients, store: await db.open(), smart: { publicBaseUrl: PUBLIC } });
});
afterAll(async () => {
  await one?.close();
  await two?.close();
  await pg.cleanup();
});

const form = (a: string) => ({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: a, scope: 'system/Bundle.write' });

it('refuses at instance two an assertion already used at instance one', async () => {
  const a = await assertion('region-h', KEY, `${PUBLIC}/auth/token`);
  expect((await one.tokenRequest(form(a))).status).toBe(200);
  const replay = await two.tokenRequest(form(a));
  expect(replay.status).toBe(401);
  expect(replay.body.error).toBe('invalid_client');
  expect(two.failures).toEqual([expect.objectContaining({ reason: 'jti-replayed', clientId: 'region-h' })]);
});

it('lets an assertion raced to both instances win exactly once', async () => {
  for (let round = 0; round < 5; round++) {
    const a = await assertion('region-h', KEY, `${PUBLIC}/auth/token`);
    const results = await Promise.all([one.tokenRequest(form(a)), two.tokenRequest(form(a))]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  }
});
