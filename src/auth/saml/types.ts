/** Public types of the auditors' SAML login. */
import type { SamlConfig } from './config';
import type { SamlStore } from './store-adapters';

/** The logged-in user as kept in the session. */
export interface AuditorUser {
  /** The IdP's NameID (NemLog-in: a persistent pseudonym, never a CPR number). */
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
  issuer: string;
  displayName?: string;
  /** Whether the configured auditor attribute carried the auditor value. */
  isAuditor: boolean;
}

/** A refused login or request, for the audit log (FHIR AuditEvent, issue 6). Holds no secrets. */
export interface SamlAuthFailureEvent {
  mechanism: 'saml' | 'session' | 'csrf';
  /** 401: not authenticated (bad or missing assertion/session); 403: authenticated but not allowed. */
  status: 401 | 403;
  /** Why, in English, for auditors and operators. */
  reason: string;
  /** Only when a verified assertion named the user; never taken from an unverified message. */
  subject?: string;
  path: string;
  method: string;
  ip?: string;
  userAgent?: string;
  at: string;
}

export interface CreateSamlAuthOptions {
  config: SamlConfig;
  store: SamlStore;
  /** The gateway's public base URL (scheme, host, optional path prefix); the ACS URL is derived from it. */
  publicBaseUrl: string;
  nodeEnv?: string;
  onAuthFailure?: (event: SamlAuthFailureEvent) => void | Promise<void>;
  /** Extra attribute names copied into `displayName`, first present wins. */
  displayNameAttributes?: string[];
}

declare module 'express-session' {
  interface SessionData {
    auditor?: AuditorUser;
    authenticatedAt?: number;
    csrfToken?: string;
  }
}
