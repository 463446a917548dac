/** What auth reports about every refusal, for the audit trail (never a token or key). */
export interface AuthFailureEvent {
  /** `token-request`: POST /auth/token refused; `access-token`: a bearer token refused; `insufficient-scope`: 403. */
  kind: 'token-request' | 'access-token' | 'insufficient-scope';
  /** Stable code: `unknown-client`, `jti-replayed`, `wrong-audience`, `expired-token`, ... */
  reason: string;
  /** The OAuth error code or the FHIR issue code sent back. */
  error: string;
  description: string;
  status: number;
  /** The client the request claimed to be, when it named one (not proof of identity). */
  clientId?: string;
  method: string;
  path: string;
  remoteAddress?: string;
  at: Date;
}

export type AuthFailureHook = (event: AuthFailureEvent) => void | Promise<void>;
