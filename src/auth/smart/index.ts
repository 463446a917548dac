/** SMART Backend Services for regional systems: client registry, token endpoint, bearer tokens. */
export { createSmartAuth, authenticatedClient, type SmartAuth, type SmartAuthOptions } from './smart-auth';
export { setupSmartAuth, type SetupSmartAuthOptions, type SmartAuthSetup } from './setup';
export {
  loadClientRegistry,
  parseClientRegistry,
  ClientRegistry,
  ClientRegistryError,
  type RegisteredClient,
  type RegistryOptions,
  type ReloadResult,
} from './registry';
export { clientMayReportFor, SUPPORTED_SCOPES, type AuthenticatedClient, type SmartScope } from './scopes';
export {
  loadGatewayKeys,
  rotateDevGatewayKeys,
  createKeyring,
  generateSigningKey,
  signingKeyFromPem,
  GatewayKeyError,
  type GatewayKeyring,
  type SigningKey,
} from './keys';
export {
  ensureDevClientRegistry,
  resolveClientRegistry,
  DevRegistryRefused,
  DEV_CLIENT_ID,
  DEV_SOR_CODE,
  DEV_SOR_CODES,
  DEV_REGISTRY_FILE,
  DEV_CLIENT_KEY_FILE,
  type DevClientRegistry,
} from './dev-registry';
export type { AuthFailureEvent, AuthFailureHook } from './events';
export type { AuthLogger } from './logger';
export { CLIENT_ASSERTION_TYPE } from './token-endpoint';
