/** NGC auditors' SAML single sign-on: public surface. */
export { createSamlAuth, ACCEPTED_CLOCK_SKEW_MS, REQUEST_TTL_MS, type SamlAuth } from './saml-auth';
export { loadSamlConfig, parseIdpMetadata, SamlConfigError, DEFAULT_AUDITOR_ATTRIBUTE, DEFAULT_AUDITOR_VALUE, NSIS_LOA_ATTRIBUTE, type NsisLoa, type SamlConfig, type IdpMetadata } from './config';
export { StoreRequestCache, StoreSessionStore, type SamlStore } from './store-adapters';
export type { AuditorUser, SamlAuthFailureEvent, CreateSamlAuthOptions } from './types';
export { generateSelfSignedCertificate, type KeyAndCertificate } from './x509';
