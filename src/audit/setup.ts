/**
 * What `ngc-gateway serve` needs from the audit in one call: keys, the audit tables, the service,
 * the auditors' SAML login (configured, or the local development IdP outside production) and the
 * /audit workspace, and the scheduled retention purge.
 */
import type { Router } from 'express';
import type { GatewayStore } from '../store';
import { createSamlAuth, loadSamlConfig, type SamlConfig } from '../auth/saml';
import { startDevSaml, DISPLAY_NAME_ATTRIBUTE } from '../auth/saml/dev-idp';
import { AuditStore } from './audit-store';
import { AuditKeyError, loadAuditKeys } from './crypto';
import { AuditService, DEFAULT_RETENTION_DAYS, type AuditLogger } from './service';
import { createAuditWeb } from './web';

export interface AuditSetupOptions {
  env: NodeJS.ProcessEnv;
  nodeEnv: string;
  dataDir: string;
  databaseUrl?: string;
  publicBaseUrl: string;
  /** The gateway store as opened (SAML sessions and request cache live in it). */
  store: GatewayStore;
  logger: AuditLogger & { warn(obj: object, msg?: string): void };
  destination?: string;
}

export interface AuditSetup {
  audit: AuditService;
  retentionDays: number;
  /** The SAML routes and /audit workspace for `AppDeps.audit` (absent in production without SAML configuration). */
  router?: Router;
  close(): Promise<void>;
}

export function retentionDaysFrom(env: NodeJS.ProcessEnv): number {
  const raw = env.AUDIT_RETENTION_DAYS?.trim();
  if (!raw) return DEFAULT_RETENTION_DAYS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 36_500) throw new AuditKeyError('AUDIT_RETENTION_DAYS must be a whole number of days between 1 and 36500');
  return n;
}

export async function setupAudit(o: AuditSetupOptions): Promise<AuditSetup> {
  const retentionDays = retentionDaysFrom(o.env);
  const keys = loadAuditKeys({ env: o.env, dataDir: o.dataDir, nodeEnv: o.nodeEnv, log: (m) => o.logger.warn({}, m) });
  const auditStore = await AuditStore.open({ databaseUrl: o.databaseUrl, dataDir: o.dataDir });
  // The audit's events share the gateway store's group commit (one fsync for many).
  const audit = new AuditService({ store: auditStore, keys, logger: o.logger, destination: o.destination, eventWriter: o.store });
  const closers: (() => Promise<void>)[] = [() => auditStore.close()];
  try {
    let config: SamlConfig | undefined = loadSamlConfig(o.env);
    if (!config && o.nodeEnv !== 'production') {
      const dev = await startDevSaml({ publicBaseUrl: o.publicBaseUrl, nodeEnv: o.nodeEnv });
      closers.unshift(() => dev.idp.close());
      config = dev.config;
      o.logger.warn({ idp: dev.idp.ssoUrl }, 'auditor login uses the local development SAML IdP (users: auditor, clerk); configure SAML_* for a real IdP');
    }
    let router: Router | undefined;
    if (config) {
      const saml = createSamlAuth({ config, store: o.store, publicBaseUrl: o.publicBaseUrl, nodeEnv: o.nodeEnv, onAuthFailure: audit.onSamlFailure, displayNameAttributes: [DISPLAY_NAME_ATTRIBUTE] });
      router = createAuditWeb({ audit, store: audit.wrapStore(o.store), saml });
    } else {
      o.logger.warn({}, 'no SAML configuration: the auditors\' workspace (/audit) is not served');
    }
    const stopPurge = audit.schedulePurge(retentionDays);
    return {
      audit,
      retentionDays,
      router,
      async close() {
        stopPurge();
        await audit.close();
        for (const c of closers) await c().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const c of closers) await c().catch(() => undefined);
    throw err;
  }
}
