/**
 * A local SAML identity provider for development and tests. It behaves like NemLog-in towards the
 * gateway: it accepts only signed AuthnRequests from the registered SP, and answers with an
 * unsigned Response carrying a signed AND encrypted assertion, auto-posted to the registered ACS.
 * Users are picked from a list (no passwords): it is never to be exposed beyond loopback.
 */
import { createSign, randomBytes, verify as verifySignature } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { stringify as toQueryString } from 'node:querystring';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import express from 'express';
import { DOMParser } from '@xmldom/xmldom';
import { generateSelfSignedCertificate, type KeyAndCertificate } from '../x509';
import { DEFAULT_AUDITOR_ATTRIBUTE, DEFAULT_AUDITOR_VALUE, NSIS_LOA_ATTRIBUTE } from '../config';
import { escapeHtml, page } from '../http-helpers';
import { buildAssertion, buildResponse, encryptAssertion, samlId, signElement, toBase64, xmlEscape, SAML_NS, SAMLP_NS } from './xml-builder';

export interface DevIdpUser {
  username: string;
  displayName: string;
  /** SAML attributes besides the ones the IdP adds (display name). */
  attributes: Record<string, string[]>;
}

export interface DevServiceProvider {
  entityId: string;
  acsUrl: string;
  /** Verifies the AuthnRequests' redirect-binding signatures. */
  signingCertPem: string;
  /** Assertions are encrypted for this certificate. */
  encryptionCertPem: string;
  /** Where logout messages go (redirect binding); no single logout without it. */
  logoutUrl?: string;
}

export interface DevIdpLogout {
  nameId: string;
  sessionIndex?: string;
  requestId: string;
}

export interface DevIdpOptions {
  host?: string;
  port?: number;
  entityId?: string;
  sp?: DevServiceProvider;
  users?: DevIdpUser[];
  auditorAttribute?: string;
  auditorValue?: string;
  key?: KeyAndCertificate;
  /** Also sign the Response element (NemLog-in does not; the SP must work either way). */
  signResponse?: boolean;
}

export interface DevIdp {
  baseUrl: string;
  entityId: string;
  ssoUrl: string;
  sloUrl: string;
  certificatePem: string;
  privateKeyPem: string;
  users: DevIdpUser[];
  registerServiceProvider(sp: DevServiceProvider): void;
  /** A base64 SAMLResponse for this user answering this AuthnRequest id, exactly as the login form sends it. */
  issueResponse(user: DevIdpUser, inResponseTo: string): Promise<string>;
  /** A signed, IdP-initiated LogoutRequest for the SP, as a redirect URL. */
  logoutRequestUrl(nameId: string, sessionIndex?: string): string;
  /** LogoutRequests received from the SP (verified). */
  logouts: DevIdpLogout[];
  metadataXml(): string;
  close(): Promise<void>;
}

export const DISPLAY_NAME_ATTRIBUTE = 'https://data.gov.dk/model/core/eid/fullName';
const SIG_ALG_RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const PENDING_TTL_MS = 10 * 60_000;

export function defaultDevUsers(auditorAttribute = DEFAULT_AUDITOR_ATTRIBUTE, auditorValue = DEFAULT_AUDITOR_VALUE): DevIdpUser[] {
  return [
    { username: 'auditor', displayName: 'Astrid Auditor', attributes: { [auditorAttribute]: [auditorValue] } },
    { username: 'clerk', displayName: 'Carl Clerk (no auditor role)', attributes: { [auditorAttribute]: ['ngc-staff'] } },
  ];
}

interface Pending {
  requestId: string;
  relayState?: string;
  expiresAt: number;
}

interface ParsedAuthnRequest {
  id: string;
  issuer: string;
  acsUrl?: string;
}

function parseAuthnRequest(samlRequest: string): ParsedAuthnRequest {
  const xml = inflateRawSync(Buffer.from(samlRequest, 'base64'), { maxOutputLength: 100_000 }).toString('utf8');
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m) => errors.push(m), fatalError: (m) => errors.push(m) } }).parseFromString(xml, 'text/xml');
  const root = doc?.documentElement;
  if (errors.length || !root || root.localName !== 'AuthnRequest') throw new Error('not an AuthnRequest');
  const issuer = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]?.textContent?.trim() ?? '';
  return { id: root.getAttribute('ID') ?? '', issuer, acsUrl: root.getAttribute('AssertionConsumerServiceURL') ?? undefined };
}

/** Checks a redirect-binding signature (RSA-SHA256) over SAMLRequest/SAMLResponse, RelayState, SigAlg. */
function redirectSignatureValid(q: Record<string, unknown>, kind: 'SAMLRequest' | 'SAMLResponse', certPem: string): boolean {
  const { RelayState, SigAlg, Signature } = q;
  const message = q[kind];
  if (typeof message !== 'string' || SigAlg !== SIG_ALG_RSA_SHA256 || typeof Signature !== 'string') return false;
  const signed: Record<string, string> = { [kind]: message };
  if (typeof RelayState === 'string') signed.RelayState = RelayState;
  signed.SigAlg = SigAlg;
  return verifySignature('sha256', Buffer.from(toQueryString(signed)), certPem, Buffer.from(Signature, 'base64'));
}

function inflateXml(message: string): Document {
  const xml = inflateRawSync(Buffer.from(message, 'base64'), { maxOutputLength: 100_000 }).toString('utf8');
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m) => errors.push(m), fatalError: (m) => errors.push(m) } }).parseFromString(xml, 'text/xml');
  if (errors.length || !doc?.documentElement) throw new Error('not well-formed XML');
  return doc;
}

/** Starts the IdP on loopback (port 0: any free port). */
export async function startDevIdp(options: DevIdpOptions = {}): Promise<DevIdp> {
  const key = options.key ?? generateSelfSignedCertificate('NGC development IdP', { modulusLength: 2048 });
  const auditorAttribute = options.auditorAttribute ?? DEFAULT_AUDITOR_ATTRIBUTE;
  const users = options.users ?? defaultDevUsers(auditorAttribute, options.auditorValue ?? DEFAULT_AUDITOR_VALUE);
  let sp = options.sp;
  const pending = new Map<string, Pending>();
  const app = express();
  app.disable('x-powered-by');
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const baseUrl = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  const entityId = options.entityId ?? `${baseUrl}/saml/idp`;
  const ssoUrl = `${baseUrl}/saml/sso`;
  const sloUrl = `${baseUrl}/saml/slo`;
  const logouts: DevIdpLogout[] = [];
  const iso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

  /** A redirect-binding URL carrying a deflated, RSA-SHA256-signed message. */
  const signedRedirect = (target: string, kind: 'SAMLRequest' | 'SAMLResponse', xml: string, relayState?: string): string => {
    const params: Record<string, string> = { [kind]: deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64') };
    if (relayState) params.RelayState = relayState;
    params.SigAlg = SIG_ALG_RSA_SHA256;
    const query = toQueryString(params);
    const signature = createSign('sha256').update(query).sign(key.privateKeyPem, 'base64');
    return `${target}${target.includes('?') ? '&' : '?'}${query}&Signature=${encodeURIComponent(signature)}`;
  };

  const refuse = (res: express.Response, status: number, message: string): void => {
    res.status(status).type('html').send(page('Local IdP: request refused', `<p>${escapeHtml(message)}</p>`));
  };

  app.get('/saml/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml').send(idp.metadataXml());
  });

  app.get('/saml/sso', (req, res) => {
    if (!sp) return refuse(res, 503, 'no service provider registered');
    const q = req.query as Record<string, unknown>;
    const { SAMLRequest, RelayState, SigAlg, Signature } = q;
    if (typeof SAMLRequest !== 'string' || typeof SigAlg !== 'string' || typeof Signature !== 'string') {
      return refuse(res, 400, 'a signed AuthnRequest (SAMLRequest, SigAlg, Signature) is required');
    }
    if (SigAlg !== SIG_ALG_RSA_SHA256) return refuse(res, 400, 'only RSA-SHA256 request signatures are accepted');
    if (!redirectSignatureValid(q, 'SAMLRequest', sp.signingCertPem)) return refuse(res, 400, 'the AuthnRequest signature does not verify with the SP certificate');
    let request: ParsedAuthnRequest;
    try {
      request = parseAuthnRequest(SAMLRequest);
    } catch {
      return refuse(res, 400, 'the SAMLRequest is not a deflated AuthnRequest');
    }
    if (request.issuer !== sp.entityId) return refuse(res, 400, 'AuthnRequest from an unknown SP');
    if (request.acsUrl && request.acsUrl !== sp.acsUrl) return refuse(res, 400, 'AssertionConsumerServiceURL is not the registered one');
    const now = Date.now();
    for (const [handle, p] of pending) if (p.expiresAt < now) pending.delete(handle);
    const handle = randomBytes(16).toString('base64url');
    pending.set(handle, { requestId: request.id, relayState: typeof RelayState === 'string' ? RelayState : undefined, expiresAt: now + PENDING_TTL_MS });
    const choices = users
      .map((u, i) => `<p><label><input type="radio" name="username" value="${escapeHtml(u.username)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(u.displayName)} (${escapeHtml(u.username)})</label></p>`)
      .join('');
    res.type('html').send(page('Local development IdP', `<form method="post" action="/saml/sso"><fieldset><legend>Log in as</legend>${choices}</fieldset>` +
      `<input type="hidden" name="handle" value="${handle}"><button type="submit">Log in</button></form>`));
  });

  app.get('/saml/slo', (req, res) => {
    const q = req.query as Record<string, unknown>;
    if (!sp?.logoutUrl) return refuse(res, 503, 'no service provider with a logout URL registered');
    if (q.SAMLResponse !== undefined) {
      // The SP's answer to a logout this IdP started.
      if (!redirectSignatureValid(q, 'SAMLResponse', sp.signingCertPem)) return refuse(res, 400, 'a LogoutResponse signed by the SP is required');
      return res.type('html').send(page('Logged out', '<p>You are logged out of the service.</p>'));
    }
    if (!redirectSignatureValid(q, 'SAMLRequest', sp.signingCertPem)) return refuse(res, 400, 'a LogoutRequest signed by the SP is required');
    let doc: Document;
    try {
      doc = inflateXml(q.SAMLRequest as string);
    } catch {
      return refuse(res, 400, 'the SAMLRequest is not a deflated LogoutRequest');
    }
    const root = doc.documentElement;
    const issuer = root.getElementsByTagNameNS(SAML_NS, 'Issuer')[0]?.textContent?.trim();
    if (root.localName !== 'LogoutRequest' || issuer !== sp.entityId) return refuse(res, 400, 'not a LogoutRequest from the registered SP');
    const requestId = root.getAttribute('ID') ?? '';
    logouts.push({
      requestId,
      nameId: root.getElementsByTagNameNS(SAML_NS, 'NameID')[0]?.textContent ?? '',
      sessionIndex: root.getElementsByTagNameNS(SAMLP_NS, 'SessionIndex')[0]?.textContent ?? undefined,
    });
    const response =
      `<samlp:LogoutResponse xmlns:samlp="${SAMLP_NS}" xmlns:saml="${SAML_NS}" ID="${samlId()}" Version="2.0" IssueInstant="${iso()}" ` +
      `Destination="${xmlEscape(sp.logoutUrl)}" InResponseTo="${xmlEscape(requestId)}"><saml:Issuer>${xmlEscape(entityId)}</saml:Issuer>` +
      '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>';
    res.redirect(302, signedRedirect(sp.logoutUrl, 'SAMLResponse', response, typeof q.RelayState === 'string' ? q.RelayState : undefined));
  });

  app.post('/saml/sso', express.urlencoded({ extended: false, limit: '10kb' }), (req, res, next) => {
    const body = req.body as Record<string, unknown>;
    const p = typeof body.handle === 'string' ? pending.get(body.handle) : undefined;
    if (!sp || !p || p.expiresAt < Date.now()) return refuse(res, 400, 'unknown or expired login; start again at the service');
    pending.delete(body.handle as string);
    const user = users.find((u) => u.username === body.username);
    if (!user) return refuse(res, 400, 'unknown user');
    idp.issueResponse(user, p.requestId).then(
      (samlResponse) => {
        res.type('html').send(autoPostForm(sp!.acsUrl, samlResponse, p.relayState));
      },
      next,
    );
  });

  const idp: DevIdp = {
    baseUrl,
    entityId,
    ssoUrl,
    sloUrl,
    logouts,
    certificatePem: key.certificatePem,
    privateKeyPem: key.privateKeyPem,
    users,
    registerServiceProvider(next) {
      sp = next;
    },
    async issueResponse(user, inResponseTo) {
      if (!sp) throw new Error('no service provider registered');
      const assertion = buildAssertion({
        issuer: entityId,
        nameId: user.username,
        audience: sp.entityId,
        recipient: sp.acsUrl,
        inResponseTo,
        // Like NemLog-in: the level of assurance as an attribute (a user's own attributes may override it).
        attributes: { [NSIS_LOA_ATTRIBUTE]: ['Substantial'], ...user.attributes, [DISPLAY_NAME_ATTRIBUTE]: [user.displayName] },
      });
      const signed = signElement(assertion.xml, assertion.id, key.privateKeyPem, key.certificatePem);
      const encrypted = await encryptAssertion(signed, sp.encryptionCertPem);
      const response = buildResponse({ issuer: entityId, destination: sp.acsUrl, inResponseTo }, encrypted);
      const xml = options.signResponse ? signElement(response.xml, response.id, key.privateKeyPem, key.certificatePem) : response.xml;
      return toBase64(xml);
    },
    logoutRequestUrl(nameId, sessionIndex) {
      if (!sp?.logoutUrl) throw new Error('no service provider with a logout URL registered');
      const request =
        `<samlp:LogoutRequest xmlns:samlp="${SAMLP_NS}" xmlns:saml="${SAML_NS}" ID="${samlId()}" Version="2.0" IssueInstant="${iso()}" ` +
        `Destination="${xmlEscape(sp.logoutUrl)}"><saml:Issuer>${xmlEscape(entityId)}</saml:Issuer>` +
        `<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${xmlEscape(nameId)}</saml:NameID>` +
        (sessionIndex ? `<samlp:SessionIndex>${xmlEscape(sessionIndex)}</samlp:SessionIndex>` : '') +
        '</samlp:LogoutRequest>';
      return signedRedirect(sp.logoutUrl, 'SAMLRequest', request);
    },
    metadataXml() {
      const cert = key.certificatePem.replace(/-----[A-Z ]+-----|\s+/g, '');
      return (
        `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">` +
        '<md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
        `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sloUrl}"/>` +
        `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>` +
        '</md:IDPSSODescriptor></md:EntityDescriptor>'
      );
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return idp;
}

/** The page that carries the response to the ACS (HTTP-POST binding), submitted by script or by hand. */
export function autoPostForm(acsUrl: string, samlResponse: string, relayState?: string): string {
  const relay = relayState !== undefined ? `<input type="hidden" name="RelayState" value="${escapeHtml(relayState)}">` : '';
  return page('Continue to the service', `<form method="post" action="${escapeHtml(acsUrl)}" id="saml-post">` +
    `<input type="hidden" name="SAMLResponse" value="${escapeHtml(samlResponse)}">${relay}` +
    '<button type="submit">Continue</button></form><script>document.getElementById("saml-post").submit()</script>');
}
