/**
 * Building blocks of SAML responses: the local IdP composes them the honest way, and the security
 * tests compose them the dishonest ways (unsigned, foreign key, wrapped, plain, stale ...).
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import * as xmlenc from 'xml-encryption';

export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const SAMLP_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** An xs:ID (must not start with a digit). */
export function samlId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface AssertionParams {
  id?: string;
  issuer: string;
  nameId: string;
  /** Raw XML put in place of the escaped NameID text (tests: comment injection). */
  nameIdRawXml?: string;
  nameIdFormat?: string;
  audience: string;
  recipient: string;
  /** Omitted for unsolicited responses. */
  inResponseTo?: string;
  issueInstant?: Date;
  notBefore?: Date;
  notOnOrAfter?: Date;
  sessionIndex?: string;
  attributes?: Record<string, string[]>;
  /** Raw XML appended inside the assertion (tests: wrapping a signed assertion inside another). */
  extraXml?: string;
}

/** A self-contained <saml:Assertion> (declares its own namespace, so it survives being moved or encrypted). */
export function buildAssertion(p: AssertionParams): { id: string; xml: string } {
  const id = p.id ?? samlId();
  const now = p.issueInstant ?? new Date();
  const notBefore = p.notBefore ?? new Date(now.getTime() - 1_000);
  const notOnOrAfter = p.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  const irt = p.inResponseTo ? ` InResponseTo="${xmlEscape(p.inResponseTo)}"` : '';
  const attrs = Object.entries(p.attributes ?? {})
    .map(([name, values]) =>
      `<saml:Attribute Name="${xmlEscape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">` +
      values.map((v) => `<saml:AttributeValue>${xmlEscape(v)}</saml:AttributeValue>`).join('') +
      '</saml:Attribute>')
    .join('');
  const xml =
    `<saml:Assertion xmlns:saml="${SAML_NS}" ID="${id}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${xmlEscape(p.issuer)}</saml:Issuer>` +
    '<saml:Subject>' +
    `<saml:NameID Format="${xmlEscape(p.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')}">${p.nameIdRawXml ?? xmlEscape(p.nameId)}</saml:NameID>` +
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
    `<saml:SubjectConfirmationData${irt} NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${xmlEscape(p.recipient)}"/>` +
    '</saml:SubjectConfirmation></saml:Subject>' +
    `<saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}">` +
    `<saml:AudienceRestriction><saml:Audience>${xmlEscape(p.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${xmlEscape(p.sessionIndex ?? id)}">` +
    '<saml:AuthnContext><saml:AuthnContextClassRef>https://data.gov.dk/concept/core/nsis/loa/Substantial</saml:AuthnContextClassRef></saml:AuthnContext>' +
    '</saml:AuthnStatement>' +
    (attrs ? `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>` : '') +
    (p.extraXml ?? '') +
    '</saml:Assertion>';
  return { id, xml };
}

/**
 * Signs the element with this ID (enveloped, exclusive c14n, RSA-SHA256), the signature placed right
 * after its Issuer as SAML requires. `includeKeyInfo` puts the certificate into the signature.
 */
export function signElement(xml: string, id: string, privateKeyPem: string, certificatePem?: string, includeKeyInfo = true): string {
  const sig = new SignedXml({
    privateKey: privateKeyPem,
    publicCert: includeKeyInfo ? certificatePem : undefined,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  sig.addReference({ xpath: `//*[@ID='${id}']`, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

/**
 * <saml:EncryptedAssertion> for the SP's encryption certificate: AES-256-GCM, key by RSA-OAEP unless
 * other algorithms are named (tests: the weak ones the SP must refuse).
 */
export function encryptAssertion(assertionXml: string, spEncryptionCertPem: string, algorithms: { data?: string; key?: string } = {}): Promise<string> {
  const weakAllowed = Boolean(algorithms.data ?? algorithms.key);
  const publicKeyPem = createPublicKey(spEncryptionCertPem).export({ type: 'spki', format: 'pem' }).toString();
  return new Promise((resolve, reject) => {
    xmlenc.encrypt(
      assertionXml,
      {
        rsa_pub: publicKeyPem,
        pem: spEncryptionCertPem,
        encryptionAlgorithm: (algorithms.data ?? 'http://www.w3.org/2009/xmlenc11#aes256-gcm') as xmlenc.EncryptionAlgorithm,
        keyEncryptionAlgorithm: (algorithms.key ?? 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p') as xmlenc.KeyEncryptionAlgorithm,
        disallowEncryptionWithInsecureAlgorithm: !weakAllowed,
        warnInsecureAlgorithm: false,
      },
      (err, result) => (err ? reject(err) : resolve(`<saml:EncryptedAssertion xmlns:saml="${SAML_NS}">${result}</saml:EncryptedAssertion>`)),
    );
  });
}

export interface ResponseParams {
  id?: string;
  issuer: string;
  destination?: string;
  inResponseTo?: string;
  issueInstant?: Date;
  statusCode?: string;
}

/** <samlp:Response> around the given assertion content (encrypted or not, one or several). */
export function buildResponse(p: ResponseParams, content: string): { id: string; xml: string } {
  const id = p.id ?? samlId();
  const dest = p.destination ? ` Destination="${xmlEscape(p.destination)}"` : '';
  const irt = p.inResponseTo ? ` InResponseTo="${xmlEscape(p.inResponseTo)}"` : '';
  const xml =
    `<samlp:Response xmlns:samlp="${SAMLP_NS}" xmlns:saml="${SAML_NS}" ID="${id}" Version="2.0" IssueInstant="${iso(p.issueInstant ?? new Date())}"${dest}${irt}>` +
    `<saml:Issuer>${xmlEscape(p.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${p.statusCode ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status>` +
    content +
    '</samlp:Response>';
  return { id, xml };
}

export const toBase64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');
