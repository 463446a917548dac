/**
 * `ngc-gateway serve` in development: a working auditor login without any configuration. Fresh SP
 * keys and a local IdP are created at start; nothing is written to disk, so nothing secret can end up
 * in the repository. Refused in production.
 */
import { generateSelfSignedCertificate } from '../x509';
import { DEFAULT_AUDITOR_ATTRIBUTE, DEFAULT_AUDITOR_VALUE, type SamlConfig } from '../config';
import { startDevIdp, type DevIdp } from './server';

export interface DevSaml {
  config: SamlConfig;
  idp: DevIdp;
}

export async function startDevSaml(options: { publicBaseUrl: string; nodeEnv?: string; idpPort?: number }): Promise<DevSaml> {
  if ((options.nodeEnv ?? process.env.NODE_ENV) === 'production') throw new Error('the local SAML IdP is for development only');
  const base = options.publicBaseUrl.replace(/\/+$/, '');
  const signing = generateSelfSignedCertificate('NGC gateway SP signing (development)', { modulusLength: 2048 });
  const encryption = generateSelfSignedCertificate('NGC gateway SP encryption (development)', { modulusLength: 2048 });
  const spEntityId = `${base}/auth/saml/metadata`;
  const idp = await startDevIdp({ port: options.idpPort });
  idp.registerServiceProvider({ entityId: spEntityId, acsUrl: `${base}/auth/saml/acs`, logoutUrl: `${base}/auth/saml/logout`, signingCertPem: signing.certificatePem, encryptionCertPem: encryption.certificatePem });
  const config: SamlConfig = {
    spEntityId,
    spSigningKeyPem: signing.privateKeyPem,
    spSigningCertPem: signing.certificatePem,
    spDecryptionKeyPem: encryption.privateKeyPem,
    spDecryptionCertPem: encryption.certificatePem,
    idpEntityId: idp.entityId,
    idpSsoUrl: idp.ssoUrl,
    idpSloUrl: idp.sloUrl,
    idpCertsPem: [idp.certificatePem],
    auditorAttribute: DEFAULT_AUDITOR_ATTRIBUTE,
    auditorValue: DEFAULT_AUDITOR_VALUE,
    minimumLoa: 'Substantial',
    sessionIdleTimeoutMs: 30 * 60_000,
    sessionAbsoluteTimeoutMs: 8 * 3_600_000,
  };
  return { config, idp };
}
