/**
 * Crafts SAML responses for the security tests: honest ones signed with the local IdP's key, and
 * the forgeries an attacker can make (the SP's encryption certificate is public, so anyone can
 * produce a well-encrypted assertion; only the IdP's signature makes one trustworthy).
 */
import { generateSelfSignedCertificate, NSIS_LOA_ATTRIBUTE, type KeyAndCertificate } from '../../src/auth/saml';
import { samlXml } from '../../src/auth/saml/dev-idp';
import { testKeys, type SamlHarness } from './saml-harness';

const { buildAssertion, buildResponse, encryptAssertion, signElement, toBase64 } = samlXml;

let attackerKey: KeyAndCertificate | undefined;
export function attackerKeys(): KeyAndCertificate {
  attackerKey ??= generateSelfSignedCertificate('NGC development IdP', { modulusLength: 2048 }); // same name as the real one
  return attackerKey;
}

export const AUDITOR_ATTRIBUTES = { 'https://ngc.dk/saml/attributes/role': ['ngc-auditor'] };
export const NO_ROLE_ATTRIBUTES = { 'https://ngc.dk/saml/attributes/role': ['ngc-staff'] };

export interface AssertionOptions {
  /** The AuthnRequest answered; null: unsolicited. */
  requestId: string | null;
  nameId?: string;
  nameIdRawXml?: string;
  attributes?: Record<string, string[]>;
  issuer?: string;
  audience?: string;
  recipient?: string;
  issueInstant?: Date;
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** Who signs: the real IdP key, an attacker's key, or nobody. */
  signer?: 'idp' | 'attacker' | 'none';
  /** Put the signer's certificate in the signature's KeyInfo. */
  keyInfo?: boolean;
  extraXml?: string;
}

/** A <saml:Assertion> (signed unless told otherwise), as XML text, and its ID. */
export function craftAssertion(h: SamlHarness, o: AssertionOptions): { id: string; xml: string } {
  const a = buildAssertion({
    issuer: o.issuer ?? h.idp.entityId,
    nameId: o.nameId ?? 'auditor',
    nameIdRawXml: o.nameIdRawXml,
    audience: o.audience ?? h.spEntityId,
    recipient: o.recipient ?? h.acsUrl,
    inResponseTo: o.requestId ?? undefined,
    // NemLog-in always states the level of assurance; a test may override it through `attributes`.
    attributes: { [NSIS_LOA_ATTRIBUTE]: ['Substantial'], ...(o.attributes ?? AUDITOR_ATTRIBUTES) },
    issueInstant: o.issueInstant,
    notBefore: o.notBefore,
    notOnOrAfter: o.notOnOrAfter,
    extraXml: o.extraXml,
  });
  const signer = o.signer ?? 'idp';
  if (signer === 'none') return a;
  const key = signer === 'idp' ? testKeys().idp : attackerKeys();
  return { id: a.id, xml: signElement(a.xml, a.id, key.privateKeyPem, key.certificatePem, o.keyInfo ?? true) };
}

export const encryptFor = (h: SamlHarness, assertionXml: string, algorithms?: { data?: string; key?: string }): Promise<string> =>
  encryptAssertion(assertionXml, h.spEncryption.certificatePem, algorithms);

export interface ResponseOptions {
  requestId: string | null;
  destination?: string;
  issuer?: string;
}

/** Base64 <samlp:Response> (unsigned, as NemLog-in sends it) around the given content. */
export function craftResponse(h: SamlHarness, o: ResponseOptions, content: string): string {
  return toBase64(buildResponse({ issuer: o.issuer ?? h.idp.entityId, destination: o.destination ?? h.acsUrl, inResponseTo: o.requestId ?? undefined }, content).xml);
}

/** The common case: one assertion, signed and encrypted unless told otherwise, in a Response. */
export async function craft(h: SamlHarness, o: AssertionOptions & { encrypt?: boolean; destination?: string; responseInResponseTo?: string | null }): Promise<string> {
  const assertion = craftAssertion(h, o);
  const content = o.encrypt === false ? assertion.xml : await encryptFor(h, assertion.xml);
  const responseIrt = o.responseInResponseTo === undefined ? o.requestId : o.responseInResponseTo;
  return craftResponse(h, { requestId: responseIrt, destination: o.destination }, content);
}
