/**
 * Starts the real app on a loopback port with a real SQLite store in a temp dir. The pieces owned
 * by other modules that are injected here (authenticate, validators) are test doubles of the
 * dependency interfaces only; the HTTP layer under test is the product code.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { createApp, createLogger, createMetrics, type AppDeps, type AuthenticatedClient } from '../../../src/http';
import { SqliteStore } from '../../../src/store';
import type { GatewayStore } from '../../../src/store/types';
import type { ValidationIssue } from '../../../src/validation/issue';
import { singleIssueOutcome } from '../../../src/validation/outcome';
import { PERFORMER_SOR } from './bundle';

export const CLIENTS: Record<string, AuthenticatedClient> = {
  'region-h': { clientId: 'region-h', region: 'Hovedstaden', sorCodes: [PERFORMER_SOR], scopes: ['system/Bundle.write', 'system/Bundle.read'] },
  'region-m': { clientId: 'region-m', region: 'Midtjylland', sorCodes: ['7000000000001'], scopes: ['system/Bundle.write', 'system/Bundle.read'] },
  'read-only': { clientId: 'read-only', region: 'Hovedstaden', sorCodes: [PERFORMER_SOR], scopes: ['system/Bundle.read'] },
};

/** Stands in for the bearer middleware: `Authorization: Test <clientId>` of the given registry; otherwise 401 like the real one. */
export function authenticateFrom(registry: Record<string, AuthenticatedClient>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const m = /^Test (\S+)$/.exec(req.headers.authorization ?? '');
    const client = m ? registry[m[1]] : undefined;
    if (!client) {
      res.status(401).setHeader('Content-Type', 'application/fhir+json');
      res.end(JSON.stringify(singleIssueOutcome('error', 'login', 'no valid access token')));
      return;
    }
    (req as unknown as { client: AuthenticatedClient }).client = client;
    next();
  };
}

/** The bearer stand-in over CLIENTS. */
export const testAuthenticate = authenticateFrom(CLIENTS);

/**
 * A deterministic validator double: an error per Observation whose status is not 'final', and a
 * warning per DiagnosticReport without conclusion. Enough to drive every branch of the HTTP layer.
 */
export function testValidateSubmission(bundle: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const entries = (bundle.entry as Array<{ resource?: Record<string, unknown> }>) ?? [];
  entries.forEach((e, i) => {
    const r = e.resource ?? {};
    if (r.resourceType === 'Observation' && r.status !== 'final') {
      issues.push({ severity: 'error', code: 'value', diagnostics: 'status must be final', expression: `Bundle.entry[${i}].resource.status`, rule: { id: 'VAR-01', textDa: 'status skal være final' } });
    }
    if (r.resourceType === 'DiagnosticReport' && !r.conclusion) {
      issues.push({ severity: 'warning', code: 'business-rule', diagnostics: 'no conclusion', expression: `Bundle.entry[${i}].resource.conclusion` });
    }
  });
  if (!bundle.identifier) issues.push({ severity: 'error', code: 'required', diagnostics: 'Bundle.identifier missing', expression: 'Bundle.identifier', rule: { id: 'SUB-02', textDa: 'x' } });
  return issues;
}

export interface Harness {
  url: string;
  store: GatewayStore;
  dir: string;
  logs: string[];
  deps: AppDeps;
  server: Server;
  close(): Promise<void>;
  post(pathname: string, body: string | Buffer | object, init?: { client?: string; contentType?: string; headers?: Record<string, string> }): Promise<globalThis.Response>;
  get(pathname: string, client?: string, headers?: Record<string, string>): Promise<globalThis.Response>;
}

export async function startHarness(overrides: Partial<AppDeps> = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-http-'));
  const store = new SqliteStore({ file: path.join(dir, 'gateway.sqlite') });
  await store.migrate();
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const deps: AppDeps = {
    store,
    validateSubmission: testValidateSubmission,
    validateResource: (r) => (r.resourceType === 'Patient' && !r.gender ? [{ severity: 'error', code: 'required', diagnostics: 'gender missing', expression: 'Patient.gender' }] : []),
    auth: { authenticate: testAuthenticate },
    logger: createLogger({ destination }),
    metrics: createMetrics({ defaultMetrics: false }),
    limits: { ratePerSecond: 0, maxEventLoopLagMs: 0 },
    ...overrides,
  };
  if (overrides.store === undefined) deps.store = store;
  const app = createApp(deps);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const authHeader = (client?: string): Record<string, string> => (client ? { Authorization: `Test ${client}` } : {});
  return {
    url,
    store: deps.store,
    dir,
    logs,
    deps,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await deps.store.close().catch(() => undefined);
      if (deps.store !== store) await store.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    post(pathname, body, init = {}) {
      const payload = (typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)) as BodyInit;
      return fetch(url + pathname, {
        method: 'POST',
        body: payload,
        headers: { 'Content-Type': init.contentType ?? 'application/fhir+json', ...authHeader(init.client === undefined ? 'region-h' : init.client), ...init.headers },
      });
    },
    get(pathname, client = 'region-h', headers = {}) {
      return fetch(url + pathname, { headers: { ...authHeader(client), ...headers } });
    },
  };
}
