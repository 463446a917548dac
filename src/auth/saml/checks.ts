/**
 * Checks node-saml does not make but the OIOSAML 3 profile needs: the assertion must have come
 * encrypted, the Response must be addressed to our ACS, and the signed assertion must name our ACS
 * as Recipient, the pending request as InResponseTo and the configured IdP as Issuer. Everything
 * about the user is read from the VERIFIED assertion XML (what the signature covers), never from the
 * raw response.
 */
import { DOMParser } from '@xmldom/xmldom';
import * as xpath from 'xpath';

const SAMLP_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const select = xpath.useNamespaces({ samlp: SAMLP_NS, saml: SAML_NS });

function parse(xml: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m) => errors.push(m), fatalError: (m) => errors.push(m) } }).parseFromString(xml, 'text/xml');
  if (errors.length || !doc?.documentElement) throw new Error('not well-formed XML');
  return doc;
}

/** A reason to refuse, or undefined. */
export type CheckResult = string | undefined;

const XENC_NS = 'http://www.w3.org/2001/04/xmlenc#';
/** Authenticated encryption only: CBC ciphertexts invite padding-oracle attacks on XML encryption. */
export const ACCEPTED_DATA_ENCRYPTION = ['http://www.w3.org/2009/xmlenc11#aes256-gcm', 'http://www.w3.org/2009/xmlenc11#aes128-gcm'];
/** RSA-OAEP only: PKCS#1 v1.5 key transport is open to Bleichenbacher-style attacks. */
export const ACCEPTED_KEY_TRANSPORT = ['http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p', 'http://www.w3.org/2009/xmlenc11#rsa-oaep'];

/**
 * Runs BEFORE anything is decrypted: every EncryptedData must use AES-GCM and every EncryptedKey
 * RSA-OAEP, so that no ciphertext in a weak mode ever reaches the decryption code.
 */
export function checkEncryptionAlgorithms(responseXml: string): CheckResult {
  let doc: Document;
  try {
    doc = parse(responseXml);
  } catch {
    return 'SAMLResponse is not well-formed XML';
  }
  const selectX = xpath.useNamespaces({ xenc: XENC_NS });
  for (const method of selectX('//xenc:EncryptedData/xenc:EncryptionMethod', doc) as Element[]) {
    const alg = method.getAttribute('Algorithm') ?? '';
    if (!ACCEPTED_DATA_ENCRYPTION.includes(alg)) return `assertion encryption ${alg || '(none)'} refused; AES-GCM is required`;
  }
  for (const method of selectX('//xenc:EncryptedKey/xenc:EncryptionMethod', doc) as Element[]) {
    const alg = method.getAttribute('Algorithm') ?? '';
    if (!ACCEPTED_KEY_TRANSPORT.includes(alg)) return `key transport ${alg || '(none)'} refused; RSA-OAEP is required`;
  }
  return undefined;
}

/** The raw (unsigned) Response: exactly one EncryptedAssertion, no plain Assertion anywhere, our Destination. */
export function checkResponseEnvelope(responseXml: string, acsUrl: string): CheckResult {
  const doc = parse(responseXml);
  const root = doc.documentElement;
  if (root.localName !== 'Response' || root.namespaceURI !== SAMLP_NS) return 'not a SAML Response';
  if ((select('//saml:Assertion', doc) as Node[]).length > 0) return 'plain (unencrypted) assertion; assertions must be encrypted';
  if ((select('/samlp:Response/saml:EncryptedAssertion', doc) as Node[]).length !== 1) return 'exactly one EncryptedAssertion is required';
  const destination = root.getAttribute('Destination');
  if (destination !== acsUrl) return `wrong Destination ${JSON.stringify(destination ?? '')}`;
  return undefined;
}

export interface VerifiedAssertionFacts {
  id: string;
  notOnOrAfter: Date;
}

/**
 * The verified assertion: Issuer, a single bearer SubjectConfirmation for our ACS and this request,
 * validity bounds present (node-saml checks their values, but skips absent ones), a NameID.
 */
export function checkVerifiedAssertion(
  assertionXml: string,
  expected: { acsUrl: string; idpEntityId: string; inResponseTo: string },
): CheckResult | VerifiedAssertionFacts {
  const doc = parse(assertionXml);
  const assertion = doc.documentElement;
  if (assertion.localName !== 'Assertion' || assertion.namespaceURI !== SAML_NS) return 'verified content is not an assertion';
  const id = assertion.getAttribute('ID');
  if (!id) return 'assertion without ID';
  const issuer = select('string(saml:Issuer)', assertion) as string;
  if (issuer.trim() !== expected.idpEntityId) return `assertion issued by ${JSON.stringify(issuer.trim())}, not the configured IdP`;
  const nameIds = select('saml:Subject/saml:NameID', assertion) as Element[];
  if (nameIds.length !== 1 || !(nameIds[0].textContent ?? '').trim()) return 'assertion without a single NameID';
  const confirmations = select('saml:Subject/saml:SubjectConfirmation', assertion) as Element[];
  if (confirmations.length !== 1 || confirmations[0].getAttribute('Method') !== BEARER) return 'exactly one bearer SubjectConfirmation is required';
  const data = select('saml:SubjectConfirmationData', confirmations[0]) as Element[];
  if (data.length !== 1) return 'SubjectConfirmationData missing';
  const recipient = data[0].getAttribute('Recipient');
  if (recipient !== expected.acsUrl) return `wrong Recipient ${JSON.stringify(recipient ?? '')}`;
  if (data[0].getAttribute('InResponseTo') !== expected.inResponseTo) return 'SubjectConfirmationData InResponseTo does not match the request';
  if (!data[0].getAttribute('NotOnOrAfter')) return 'SubjectConfirmationData without NotOnOrAfter';
  const conditions = select('saml:Conditions', assertion) as Element[];
  if (conditions.length !== 1) return 'assertion without Conditions';
  const notOnOrAfter = conditions[0].getAttribute('NotOnOrAfter');
  if (!notOnOrAfter || Number.isNaN(Date.parse(notOnOrAfter))) return 'Conditions without NotOnOrAfter';
  if ((select('saml:AudienceRestriction/saml:Audience', conditions[0]) as Node[]).length === 0) return 'Conditions without an Audience';
  return { id, notOnOrAfter: new Date(notOnOrAfter) };
}
