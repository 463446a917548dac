/**
 * Two gateway instances behind one address sharing one database (PostgreSQL, and SQLite for the
 * embedded set-up): the login may start on one and finish on the other, the session is valid on
 * both, and a response accepted by one is refused by the other.
 */
import { createHarness, type EngineName } from '../store/engines';
import { Browser, loginAtIdp, postToAcs, startLogin, startSamlHarness } from '../support/saml-harness';

describe.each<EngineName>(['postgres', 'sqlite'])('two instances on one %s database', (engine) => {
  const dbs = createHarness(engine);
  afterAll(() => dbs.cleanup());

  it('share the request cache, the sessions and the replay guard', async () => {
    const db = await dbs.fresh();
    const h = await startSamlHarness({ stores: [await db.open(), await db.open()] });
    try {
      const browser = new Browser();
      const on = (i: number): Record<string, string> => ({ 'x-instance': String(i) });
      const login = await browser.fetch(`${h.spBase}/auth/saml/login?returnTo=%2Faudit`, { headers: on(0) });
      expect(login.status).toBe(302);
      const { SAMLResponse, RelayState } = await loginAtIdp(browser, login.headers.get('location') ?? '', 'auditor');

      const acs = await browser.postForm(h.acsUrl, { SAMLResponse, RelayState: RelayState ?? '' }, on(1));
      expect(acs.status).toBe(303);
      for (const i of [0, 1]) {
        const page = await browser.fetch(`${h.spBase}/audit`, { headers: on(i) });
        expect(page.status).toBe(200);
      }

      const before = h.failures.length;
      const replay = await new Browser().postForm(h.acsUrl, { SAMLResponse }, on(0));
      expect(replay.status).toBe(401);
      expect(h.failures.slice(before)).toEqual([expect.objectContaining({ mechanism: 'saml', status: 401 })]);

      // And the ordinary path still works through the round robin.
      const other = new Browser();
      const { idpUrl } = await startLogin(h, other);
      const posted = await loginAtIdp(other, idpUrl, 'auditor');
      expect((await postToAcs(h, other, posted.SAMLResponse, posted.RelayState)).status).toBe(303);
    } finally {
      await h.close();
    }
  });
});
