/** Shared set-up of the audit tests: a store engine, the audit tables on it and a keyring. */
import crypto from 'node:crypto';
import { AuditService, AuditStore, type AuditKeyring } from '../../../src/audit';
import type { GatewayStore } from '../../../src/store';
import type { TestDatabase } from '../../store/engines';

export function keyring(ids: string[] = ['k1'], current = ids[0], hmacKey = crypto.randomBytes(32)): AuditKeyring {
  const keys = new Map<string, Buffer>();
  for (const id of ids) keys.set(id, crypto.createHash('sha256').update(`test key ${id}`).digest());
  return { current, keys, hmacKey };
}

export interface AuditFixture {
  inner: GatewayStore;
  store: GatewayStore;
  auditStore: AuditStore;
  audit: AuditService;
  close(): Promise<void>;
}

export async function openAudit(db: TestDatabase, keys: AuditKeyring = keyring(), now?: () => Date): Promise<AuditFixture> {
  const inner = await db.open();
  const auditStore = await AuditStore.open(db.config);
  const audit = new AuditService({ store: auditStore, keys, now, destination: 'http://ngc-db.test/fhir' });
  return { inner, store: audit.wrapStore(inner), auditStore, audit, close: () => auditStore.close() };
}
