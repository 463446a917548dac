/** SMART v2 system scopes the gateway knows, and what each allows. */
export const SUPPORTED_SCOPES = ['system/Bundle.write', 'system/Bundle.read'] as const;
export type SmartScope = (typeof SUPPORTED_SCOPES)[number];

export function isSupportedScope(scope: string): scope is SmartScope {
  return (SUPPORTED_SCOPES as readonly string[]).includes(scope);
}

/** The client as the rest of the gateway sees it once its access token was checked. */
export interface AuthenticatedClient {
  clientId: string;
  name: string;
  region: string;
  sorCodes: string[];
  /** Granted by the token and still registered for the client. */
  scopes: SmartScope[];
}

/** SUB-12: may this client report analyses performed by the laboratory with this SOR code? */
export function clientMayReportFor(client: Pick<AuthenticatedClient, 'sorCodes'>, sorCode: string | undefined | null): boolean {
  if (typeof sorCode !== 'string' || sorCode === '') return false;
  return client.sorCodes.includes(sorCode);
}
