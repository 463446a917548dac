/**
 * A gateway-shaped app with the SAML login on real HTTP (loopback), the real SQLite store, the
 * local IdP, and a tiny cookie-keeping HTTP client that walks the login like a browser would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import express from 'express';
import { openStore, type GatewayStore } from '../../src/store';
import { createSamlAuth, DEFAULT_AUDITOR_ATTRIBUTE, DEFAULT_AUDITOR_VALUE, generateSelfSignedCertificate, type SamlAuthFailureEvent, type KeyAndCertificate, type SamlAuth, type SamlConfig, type SamlStore } from '../../src/auth/saml';
import { startDevIdp, DISPLAY_NAME_ATTRIBUTE, type DevIdp } from '../../src/auth/saml/dev-idp';

export interface SamlHarness {
  spBase: string;
  acsUrl: string;
  spEntityId: string;
  idp: DevIdp;
  auth: SamlAuth;
  config: SamlConfig;
  store: GatewayStore;
  spSigning: KeyAndCertificate;
  spEncryption: KeyAndCertificate;
  failures: SamlAuthFailureEvent[];
  close(): Promise<void>;
}

// RSA key generation dominates start-up; 2048-bit keys made once per test file are plenty for tests.
let keyCache: { signing: KeyAndCertificate; encryption: KeyAndCertificate; idp: KeyAndCertificate } | undefined;
export function testKeys(): NonNullable<typeof keyCache> {
  keyCache ??= {
    signing: generateSelfSignedCertificate('test SP signing', { modulusLength: 2048 }),
    encryption: generateSelfSignedCertificate('test SP encryption', { modulusLength: 2048 }),
    idp: generateSelfSignedCertificate('test IdP', { modulusLength: 2048 }),
  };
  return keyCache;
}

/**
 * The local IdP with our test SP registered, and the SP's SAML configuration for it: what every
 * SAML-backed test app (this harness, the audit workspace) starts from.
 */
export async function startTestIdp(spBase: string, keys = testKeys()): Promise<{ idp: DevIdp; config: SamlConfig }> {
  const idp = await startDevIdp({ key: keys.idp });
  const spEntityId = `${spBase}/auth/saml/metadata`;
  idp.registerServiceProvider({ entityId: spEntityId, acsUrl: `${spBase}/auth/saml/acs`, logoutUrl: `${spBase}/auth/saml/logout`, signingCertPem: keys.signing.certificatePem, encryptionCertPem: keys.encryption.certificatePem });
  const config: SamlConfig = {
    spEntityId,
    spSigningKeyPem: keys.signing.privateKeyPem,
    spSigningCertPem: keys.signing.certificatePem,
    spDecryptionKeyPem: keys.encryption.privateKeyPem,
    spDecryptionCertPem: keys.encryption.certificatePem,
    idpEntityId: idp.entityId,
    idpSsoUrl: idp.ssoUrl,
    idpSloUrl: idp.sloUrl,
    idpCertsPem: [idp.certificatePem],
    auditorAttribute: DEFAULT_AUDITOR_ATTRIBUTE,
    auditorValue: DEFAULT_AUDITOR_VALUE,
    minimumLoa: 'Substantial',
    sessionSecret: 'test-session-secret-0123456789abcdef',
    sessionIdleTimeoutMs: 15 * 60_000,
    sessionAbsoluteTimeoutMs: 8 * 3_600_000,
  };
  return { idp, config };
}

export interface HarnessOptions {
  nodeEnv?: string;
  /** Wraps the store the SAML module sees (tests: add latency as a remote database would have). */
  wrapStore?: (store: GatewayStore) => SamlStore;
  /**
   * Several gateway instances behind one address, each with its own store connection (to one shared
   * database, which the caller owns). A request goes to the instance named by an `x-instance`
   * header, else round robin. Default: one instance on a fresh SQLite file.
   */
  stores?: GatewayStore[];
  configOverrides?: Partial<SamlConfig>;
}

export async function startSamlHarness(options: HarnessOptions = {}): Promise<SamlHarness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ngc-saml-'));
  const ownStore = options.stores === undefined;
  const stores = options.stores ?? [await openStore({ dataDir })];
  const store = stores[0];
  const keys = testKeys();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const spBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spEntityId = `${spBase}/auth/saml/metadata`;
  const acsUrl = `${spBase}/auth/saml/acs`;
  const { idp, config: baseConfig } = await startTestIdp(spBase, keys);
  const config: SamlConfig = { ...baseConfig, ...options.configOverrides };
  const failures: SamlAuthFailureEvent[] = [];
  const instances = stores.map((instanceStore) => {
    const auth = createSamlAuth({
      config,
      store: options.wrapStore ? options.wrapStore(instanceStore) : instanceStore,
      publicBaseUrl: spBase,
      nodeEnv: options.nodeEnv ?? 'test',
      onAuthFailure: (e) => {
        failures.push(e);
      },
      displayNameAttributes: [DISPLAY_NAME_ATTRIBUTE],
    });
    const app = express();
    app.use(auth.router);
    // Stand-ins for the audit workspace: a page with a form, a state-changing POST, and a JSON API.
    app.get('/audit', auth.requireAuditor, auth.csrfProtection, (_req, res) => {
      const user = res.locals.auditor as { nameId: string };
      res.type('html').send(`<h1>Rejected reports</h1><p id="user">${user.nameId}</p>` +
        `<form method="post" action="/audit/notes"><input type="hidden" name="_csrf" value="${String(res.locals.csrfToken)}"><button>Save</button></form>`);
    });
    app.post('/audit/notes', auth.requireAuditor, auth.csrfProtection, (_req, res) => {
      res.json({ saved: true });
    });
    app.get('/audit/api/reports', auth.requireAuditor, (_req, res) => {
      res.json({ reports: ['secret-report'] });
    });
    return { auth, app };
  });
  const auth = instances[0].auth;
  let next = 0;
  server.on('request', (req, res) => {
    const named = Number(req.headers['x-instance']);
    const index = Number.isInteger(named) && instances[named] ? named : next++ % instances.length;
    instances[index].app(req, res);
  });
  return {
    spBase, acsUrl, spEntityId, idp, auth, config, store, spSigning: keys.signing, spEncryption: keys.encryption, failures,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await idp.close();
      if (ownStore) await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Cookies per origin, enough to follow the login like a browser (no Domain/Path subtleties needed). */
export class Browser {
  readonly cookies = new Map<string, Map<string, string>>();
  readonly setCookieHeaders: string[] = [];

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const origin = new URL(url).origin;
    const jar = this.cookies.get(origin) ?? new Map<string, string>();
    const headers = new Headers(init.headers);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      this.setCookieHeaders.push(c);
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(origin, jar);
    return res;
  }

  /** Another tab of the same browser: same cookies from here on, kept separately. */
  clone(): Browser {
    const copy = new Browser();
    for (const [origin, jar] of this.cookies) copy.cookies.set(origin, new Map(jar));
    return copy;
  }

  postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
  }
}

export function hiddenField(html: string, name: string): string | undefined {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : undefined;
}

/** Starts a login at the SP; returns the IdP URL it redirects to and the AuthnRequest id. */
export async function startLogin(h: SamlHarness, browser: Browser, returnTo = '/audit'): Promise<{ idpUrl: string; requestId: string; relayState?: string }> {
  const res = await browser.fetch(`${h.spBase}/auth/saml/login?returnTo=${encodeURIComponent(returnTo)}`);
  if (res.status !== 302) throw new Error(`login did not redirect: ${res.status}`);
  const idpUrl = res.headers.get('location') ?? '';
  const u = new URL(idpUrl);
  const xml = inflateRawSync(Buffer.from(u.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
  const requestId = /\sID="([^"]+)"/.exec(xml)?.[1] ?? '';
  return { idpUrl, requestId, relayState: u.searchParams.get('RelayState') ?? undefined };
}

/** Walks the IdP's login form as `username`; returns the fields the IdP auto-posts to the ACS. */
export async function loginAtIdp(browser: Browser, idpUrl: string, username: string): Promise<{ action: string; SAMLResponse: string; RelayState?: string }> {
  const form = await browser.fetch(idpUrl);
  const formHtml = await form.text();
  if (form.status !== 200) throw new Error(`IdP refused the request: ${form.status} ${formHtml}`);
  const handle = hiddenField(formHtml, 'handle') ?? '';
  const posted = await browser.postForm(new URL('/saml/sso', idpUrl).toString(), { handle, username });
  const html = await posted.text();
  const action = /action="([^"]+)"/.exec(html)?.[1] ?? '';
  return { action, SAMLResponse: hiddenField(html, 'SAMLResponse') ?? '', RelayState: hiddenField(html, 'RelayState') };
}

export function postToAcs(h: SamlHarness, browser: Browser, SAMLResponse: string, RelayState?: string): Promise<Response> {
  return browser.postForm(h.acsUrl, RelayState === undefined ? { SAMLResponse } : { SAMLResponse, RelayState });
}
