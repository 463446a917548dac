/**
 * SAML configuration from the environment. Keys and certificates come from files (or inline PEM in
 * the environment), never from the repository.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import * as xpath from 'xpath';

export interface SamlConfig {
  /** Our entity id: the AuthnRequest Issuer and the Audience the assertions must name. */
  spEntityId: string;
  spSigningKeyPem: string;
  spSigningCertPem: string;
  spDecryptionKeyPem: string;
  spDecryptionCertPem: string;
  /** The IdP entity id: the Issuer every assertion must carry. */
  idpEntityId: string;
  idpSsoUrl: string;
  idpSloUrl?: string;
  /** Certificates whose keys may sign assertions (several during an IdP key rollover). */
  idpCertsPem: string[];
  /** The SAML attribute, and the value in it, that make a user an NGC auditor. */
  auditorAttribute: string;
  auditorValue: string;
  /**
   * Lowest NSIS level of assurance accepted (NemLog-in's `https://data.gov.dk/concept/core/nsis/loa`
   * attribute); requested in the AuthnRequest as a minimum too.
   */
  minimumLoa: NsisLoa;
  /** Signs the session cookie; random per process when not configured (development only). */
  sessionSecret?: string;
  sessionIdleTimeoutMs: number;
  sessionAbsoluteTimeoutMs: number;
}

export type NsisLoa = 'Low' | 'Substantial' | 'High';
export const NSIS_LOA_LEVELS: readonly NsisLoa[] = ['Low', 'Substantial', 'High'];
export const NSIS_LOA_ATTRIBUTE = 'https://data.gov.dk/concept/core/nsis/loa';
export const nsisLoaClassRef = (level: NsisLoa): string => `https://data.gov.dk/concept/core/nsis/loa/${level}`;

export const DEFAULT_AUDITOR_ATTRIBUTE = 'https://ngc.dk/saml/attributes/role';
export const DEFAULT_AUDITOR_VALUE = 'ngc-auditor';

export class SamlConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SamlConfigError';
  }
}

const MD_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** A PEM value given inline, or the path of a file holding it. */
function pemFrom(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new SamlConfigError(`${name} is required (a file path, or the PEM itself)`);
  if (value.startsWith('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (err) {
    throw new SamlConfigError(`${name}: cannot read ${value}: ${(err as Error).message}`);
  }
}

function certificate(pem: string, what: string): string {
  try {
    return new X509Certificate(pem).toString();
  } catch {
    throw new SamlConfigError(`${what} is not a PEM X.509 certificate`);
  }
}

/** Every certificate in a PEM bundle. */
export function splitPemCertificates(pem: string, what: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new SamlConfigError(`${what} holds no certificate`);
  return blocks.map((b) => certificate(b, what));
}

function base64ToPem(b64: string): string {
  const body = b64.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  sloUrl?: string;
  signingCertsPem: string[];
}

/** Reads the parts of IdP metadata we use: entity id, redirect SSO/SLO endpoints, signing certificates. */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m) => errors.push(m), fatalError: (m) => errors.push(m) } }).parseFromString(xml, 'text/xml');
  if (errors.length || !doc?.documentElement) throw new SamlConfigError(`IdP metadata is not well-formed XML: ${errors[0] ?? 'empty'}`);
  const select = xpath.useNamespaces({ md: MD_NS, ds: DS_NS });
  const entity = select('//md:EntityDescriptor[md:IDPSSODescriptor]', doc) as Element[];
  if (entity.length !== 1) throw new SamlConfigError('IdP metadata must hold exactly one EntityDescriptor with an IDPSSODescriptor');
  const entityId = entity[0].getAttribute('entityID') ?? '';
  if (!entityId) throw new SamlConfigError('IdP metadata: EntityDescriptor has no entityID');
  const idp = select('md:IDPSSODescriptor', entity[0]) as Element[];
  const location = (service: string): string | undefined => {
    const nodes = select(`md:${service}[@Binding='${REDIRECT_BINDING}']`, idp[0]) as Element[];
    return nodes[0]?.getAttribute('Location') ?? undefined;
  };
  const ssoUrl = location('SingleSignOnService');
  if (!ssoUrl) throw new SamlConfigError('IdP metadata: no SingleSignOnService with the HTTP-Redirect binding');
  const certNodes = select("md:KeyDescriptor[not(@use) or @use='signing']/ds:KeyInfo/ds:X509Data/ds:X509Certificate", idp[0]) as Element[];
  const signingCertsPem = certNodes.map((n) => certificate(base64ToPem(n.textContent ?? ''), 'IdP metadata signing certificate'));
  if (!signingCertsPem.length) throw new SamlConfigError('IdP metadata: no signing certificate');
  return { entityId, ssoUrl, sloUrl: location('SingleLogoutService'), signingCertsPem };
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new SamlConfigError(`${name} must be a positive number`);
  return n;
}

function httpsOrLoopbackUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SamlConfigError(`${name} is not a URL`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new SamlConfigError(`${name} must be an https URL (http only on loopback)`);
  }
  return url.toString();
}

/**
 * The SAML configuration, or undefined when no SAML variable is set at all (SAML login off).
 * A partial configuration is an error, never silently completed.
 */
export function loadSamlConfig(env: NodeJS.ProcessEnv = process.env): SamlConfig | undefined {
  if (!Object.keys(env).some((k) => k.startsWith('SAML_') && env[k])) return undefined;
  const spEntityId = env.SAML_SP_ENTITY_ID?.trim();
  if (!spEntityId) throw new SamlConfigError('SAML_SP_ENTITY_ID is required');

  let idp: IdpMetadata;
  if (env.SAML_IDP_METADATA) {
    let xml: string;
    try {
      xml = readFileSync(env.SAML_IDP_METADATA, 'utf8');
    } catch (err) {
      throw new SamlConfigError(`SAML_IDP_METADATA: cannot read ${env.SAML_IDP_METADATA}: ${(err as Error).message}`);
    }
    idp = parseIdpMetadata(xml);
  } else {
    const entityId = env.SAML_IDP_ENTITY_ID?.trim();
    const ssoUrl = env.SAML_IDP_SSO_URL?.trim();
    if (!entityId || !ssoUrl) {
      throw new SamlConfigError('set SAML_IDP_METADATA, or SAML_IDP_CERT with SAML_IDP_SSO_URL and SAML_IDP_ENTITY_ID');
    }
    idp = { entityId, ssoUrl, sloUrl: env.SAML_IDP_SLO_URL?.trim() || undefined, signingCertsPem: splitPemCertificates(pemFrom(env, 'SAML_IDP_CERT'), 'SAML_IDP_CERT') };
  }

  const minimumLoa = (env.SAML_MIN_NSIS_LOA?.trim() || 'Substantial') as NsisLoa;
  if (!NSIS_LOA_LEVELS.includes(minimumLoa)) throw new SamlConfigError(`SAML_MIN_NSIS_LOA must be one of ${NSIS_LOA_LEVELS.join(', ')}`);

  let sessionSecret: string | undefined;
  if (env.SAML_SESSION_SECRET_FILE) sessionSecret = readFileSync(env.SAML_SESSION_SECRET_FILE, 'utf8').trim();
  else if (env.SAML_SESSION_SECRET) sessionSecret = env.SAML_SESSION_SECRET;
  if (sessionSecret !== undefined && sessionSecret.length < 32) throw new SamlConfigError('the session secret must be at least 32 characters');

  return {
    spEntityId,
    spSigningKeyPem: pemFrom(env, 'SAML_SP_KEY'),
    spSigningCertPem: certificate(pemFrom(env, 'SAML_SP_CERT'), 'SAML_SP_CERT'),
    spDecryptionKeyPem: pemFrom(env, 'SAML_SP_DECRYPTION_KEY'),
    spDecryptionCertPem: certificate(pemFrom(env, 'SAML_SP_DECRYPTION_CERT'), 'SAML_SP_DECRYPTION_CERT'),
    idpEntityId: idp.entityId,
    idpSsoUrl: httpsOrLoopbackUrl(idp.ssoUrl, 'IdP SSO URL'),
    idpSloUrl: idp.sloUrl ? httpsOrLoopbackUrl(idp.sloUrl, 'IdP SLO URL') : undefined,
    idpCertsPem: idp.signingCertsPem,
    auditorAttribute: env.SAML_AUDITOR_ATTRIBUTE?.trim() || DEFAULT_AUDITOR_ATTRIBUTE,
    auditorValue: env.SAML_AUDITOR_VALUE?.trim() || DEFAULT_AUDITOR_VALUE,
    minimumLoa,
    sessionSecret,
    sessionIdleTimeoutMs: positiveNumber(env, 'SAML_SESSION_IDLE_MINUTES', 30) * 60_000,
    sessionAbsoluteTimeoutMs: positiveNumber(env, 'SAML_SESSION_MAX_HOURS', 8) * 3_600_000,
  };
}
