/**
 * The whole gateway app (createApp) with the audit wired as serve wires it: the audited store
 * (encryption, records, AuditEvents), the SAML login against the local IdP and the /audit
 * workspace, on a loopback port with a real SQLite store. Submissions go through the real
 * POST /fhir; only the validator and the bearer check are the HTTP tests' doubles.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { createApp, createLogger, createMetrics } from '../../../src/http';
import type { HttpLimits } from '../../../src/http/types';
import { openStore, type GatewayStore } from '../../../src/store';
import { createSamlAuth } from '../../../src/auth/saml';
import { DISPLAY_NAME_ATTRIBUTE, type DevIdp } from '../../../src/auth/saml/dev-idp';
import { AuditService, AuditStore, createAuditWeb, submissionObserver } from '../../../src/audit';
import { testAuthenticate, testValidateSubmission } from '../../http/support/harness';
import { startTestIdp } from '../../support/saml-harness';
import { keyring } from './fixtures';

export interface Workspace {
  base: string;
  idp: DevIdp;
  inner: GatewayStore;
  store: GatewayStore;
  audit: AuditService;
  auditStore: AuditStore;
  dataDir: string;
  logs: string[];
  submit(bundle: object, client?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startWorkspace(o: { limits?: Partial<HttpLimits> } = {}): Promise<Workspace> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-audit-'));
  const inner = await openStore({ dataDir });
  const auditStore = await AuditStore.open({ dataDir });
  const audit = new AuditService({ store: auditStore, keys: keyring() });
  const store = audit.wrapStore(inner);
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { idp, config } = await startTestIdp(base);
  const saml = createSamlAuth({ config, store: inner, publicBaseUrl: base, nodeEnv: 'test', onAuthFailure: audit.onSamlFailure, displayNameAttributes: [DISPLAY_NAME_ATTRIBUTE] });
  const logs: string[] = [];
  const app = createApp({
    store,
    validateSubmission: testValidateSubmission,
    validateResource: () => [],
    auth: { authenticate: testAuthenticate },
    logger: createLogger({ destination: new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }) }),
    metrics: createMetrics({ defaultMetrics: false }),
    limits: { ratePerSecond: 0, maxEventLoopLagMs: 0, ...o.limits },
    publicBaseUrl: base,
    encryptRejected: audit.encrypt,
    submissionObserver: submissionObserver(audit),
    audit: createAuditWeb({ audit, store, saml }),
  });
  server.on('request', app);
  return {
    base,
    idp,
    inner,
    store,
    audit,
    auditStore,
    dataDir,
    logs,
    async submit(bundle, client = 'region-h') {
      const res = await fetch(`${base}/fhir`, { method: 'POST', body: JSON.stringify(bundle), headers: { 'Content-Type': 'application/fhir+json', Authorization: `Test ${client}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await idp.close();
      await auditStore.close();
      await inner.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
