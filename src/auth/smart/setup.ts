/**
 * Start-up of the SMART side from the environment, for `serve`: CLIENTS_FILE (or the development
 * registry in DATA_DIR), the gateway's signing keys, SIGHUP reload, and the router/middleware.
 */
import { resolveClientRegistry } from './dev-registry';
import type { AuthFailureHook } from './events';
import { loadGatewayKeys, type GatewayKeyring } from './keys';
import { silentLogger, type AuthLogger } from './logger';
import type { ClientRegistry } from './registry';
import { createSmartAuth, type SmartAuth, type SmartAuthOptions } from './smart-auth';

export interface SetupSmartAuthOptions {
  /** Reads CLIENTS_FILE and TOKEN_SIGNING_KEY(_FILE), TOKEN_SIGNING_PREVIOUS_KEY(_FILE). */
  env?: NodeJS.ProcessEnv;
  dataDir: string;
  nodeEnv?: string;
  publicBaseUrl: string;
  store: SmartAuthOptions['store'];
  logger?: AuthLogger;
  onAuthFailure?: AuthFailureHook;
}

export interface SmartAuthSetup extends SmartAuth {
  registry: ClientRegistry;
  keys: GatewayKeyring;
  /** Stops listening for SIGHUP. */
  close(): void;
}

/** Throws (ClientRegistryError, GatewayKeyError, DevRegistryRefused) with a one-line reason when the configuration is unusable. */
export function setupSmartAuth(o: SetupSmartAuthOptions): SmartAuthSetup {
  const env = o.env ?? process.env;
  const logger = o.logger ?? silentLogger;
  const registry = resolveClientRegistry({ clientsFile: env.CLIENTS_FILE, dataDir: o.dataDir, nodeEnv: o.nodeEnv, logger });
  const keys = loadGatewayKeys({ dataDir: o.dataDir, nodeEnv: o.nodeEnv, env });
  const stop = registry.enableSighupReload(logger);
  logger.info({ file: registry.file, clients: registry.list().length, signingKid: keys.current.kid }, 'SMART backend services ready');
  const auth = createSmartAuth({ registry, keys, store: o.store, publicBaseUrl: o.publicBaseUrl, nodeEnv: o.nodeEnv, logger, onAuthFailure: o.onAuthFailure });
  return { ...auth, registry, keys, close: stop };
}
