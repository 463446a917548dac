/**
 * Audit records on the real stores (SQLite file and PostgreSQL schema): every verdict leaves a
 * record, an index entry and AuditEvents; rejected payloads are stored only encrypted; keys rotate;
 * the retention purge deletes old payloads; a CPR finds who looked at that person's data.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { AuditService } from '../../src/audit';
import { createHarness, testDatabaseUrl, type EngineName, type TestDatabase } from '../store/engines';
import { makeRecord } from '../store/records';
import { typicalBundle, PATIENT_CPR } from '../http/support/bundle';
import { keyring, openAudit } from './support/fixtures';

const VARIANT = 'NM_000492.4:c.1521_1523del';
const OTHER_CPR = '0202024321';

async function databaseText(db: TestDatabase): Promise<Buffer> {
  if (db.engine === 'sqlite') {
    const parts: Buffer[] = [];
    for (const f of fs.readdirSync(db.config.dataDir)) parts.push(fs.readFileSync(path.join(db.config.dataDir, f)));
    return Buffer.concat(parts);
  }
  // A real dump of the schema (what a backup would hold), plus each bytea read raw.
  const dump = execFileSync('pg_dump', ['--data-only', `--schema=${db.config.pgSchema}`, testDatabaseUrl()], { maxBuffer: 64 * 1024 * 1024 });
  const c = new Client({ connectionString: testDatabaseUrl() });
  await c.connect();
  try {
    const schema = db.config.pgSchema as string;
    const tables = (await c.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema])).rows as { table_name: string }[];
    const out: string[] = [];
    for (const t of tables) {
      // The text form of every row, bytea included as hex and as escaped text, like a dump would hold.
      const rows = (await c.query(`SELECT t::text AS r FROM "${schema}"."${t.table_name}" t`)).rows as { r: string }[];
      out.push(...rows.map((r) => r.r));
      const bytea = (await c.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND data_type = 'bytea'`, [schema, t.table_name])).rows as { column_name: string }[];
      for (const col of bytea) {
        const raw = (await c.query(`SELECT "${col.column_name}" AS b FROM "${schema}"."${t.table_name}" WHERE "${col.column_name}" IS NOT NULL`)).rows as { b: Buffer }[];
        out.push(...raw.map((x) => x.b.toString('latin1')));
      }
    }
    return Buffer.concat([dump, Buffer.from(out.join('\n'), 'latin1')]);
  } finally {
    await c.end();
  }
}

describe.each<EngineName>(['sqlite', 'postgres'])('audit records on %s', (engine) => {
  const harness = createHarness(engine);
  afterAll(() => harness.cleanup());

  it('records every verdict with its rules, events and delivery outcome, and never stores a payload in clear', async () => {
    const db = await harness.fresh();
    const f = await openAudit(db);
    try {
      const bundle = Buffer.from(JSON.stringify(typicalBundle('rej-1')));
      const rejected = makeRecord({ status: 'rejected', region: 'H', sorCode: '6021000016009', ruleCounts: { 'PAT-02': 1, 'VAR-03': 2 }, reportIdentifier: 'https://lab/reports|R-1' });
      await f.store.insertRejected(rejected, bundle);
      const accepted = makeRecord({ region: 'H', reportIdentifier: 'https://lab/reports|R-1', receivedAt: new Date(Date.now() + 1000).toISOString() });
      await f.store.insertAccepted(accepted, Buffer.from(JSON.stringify(typicalBundle('acc-1', { cpr: OTHER_CPR }))));
      const delivered = makeRecord({ region: 'S', sorCode: '999' });
      await f.store.insertAccepted(delivered, Buffer.from('{}'));
      await f.store.markDelivered(delivered.id, { status: 201, location: 'Bundle/1' });
      const failed = makeRecord({ region: 'S' });
      await f.store.insertAccepted(failed, Buffer.from('{}'));
      await f.store.markFailed(failed.id, 'HTTP 400 from the national database');

      const all = await f.auditStore.listSubmissions({ status: 'any' });
      expect(all.total).toBe(4);
      expect(Object.fromEntries(all.items.map((i) => [i.id, i.status]))).toEqual({ [rejected.id]: 'rejected', [accepted.id]: 'accepted', [delivered.id]: 'delivered', [failed.id]: 'failed' });
      const rej = await f.auditStore.listSubmissions();
      expect(rej.items.map((i) => i.id)).toEqual([rejected.id]);
      expect(rej.items[0]).toMatchObject({ region: 'H', laboratory: '6021000016009', ruleCounts: { 'PAT-02': 1, 'VAR-03': 2 }, hasPayload: true, sizeBytes: 1234 });
      expect((await f.auditStore.listSubmissions({ rule: 'VAR-03' })).total).toBe(1);
      expect((await f.auditStore.listSubmissions({ rule: 'SUB-01' })).total).toBe(0);
      expect((await f.auditStore.listSubmissions({ status: 'any', region: 'S' })).total).toBe(2);
      expect((await f.auditStore.listSubmissions({ status: 'any', text: rejected.id.slice(3, 12).toUpperCase() })).items.map((i) => i.id)).toEqual([rejected.id]);
      expect((await f.auditStore.listSubmissions({ status: 'any', to: '2000-01-01' })).total).toBe(0);
      expect((await f.auditStore.getSummary(failed.id))?.lastError).toContain('HTTP 400');
      expect((await f.auditStore.byReportIdentifier('https://lab/reports|R-1')).map((s) => s.status)).toEqual(['rejected', 'accepted']);

      const events = await f.auditStore.searchEvents({ limit: 100 });
      const subtypes = events.items.map((e) => `${e.resource.subtype?.[0].code}:${e.resource.outcome}`).sort();
      expect(subtypes).toEqual(['create:0', 'create:8', 'transaction:0', 'transaction:0', 'transaction:0', 'transaction:4'].sort());
      const rejEvent = (await f.auditStore.searchEvents({ submission: rejected.id })).items[0].resource;
      expect(rejEvent.entity?.[0].what?.reference).toBe(`Task/${rejected.id}`);
      expect(rejEvent.entity?.[1].what?.identifier?.value).toBe(f.audit.hashSubject(PATIENT_CPR));
      expect(rejEvent.agent[0]).toMatchObject({ requestor: true, who: { identifier: { value: rejected.clientId } } });

      // The stored bytes are ciphertext that decrypts to the exact body.
      const stored = (await f.inner.getPayload(rejected.id)) as Buffer;
      expect(stored.equals(bundle)).toBe(false);
      expect(f.audit.decrypt(stored).equals(bundle)).toBe(true);
    } finally {
      await f.close();
    }
  }, 60_000);

  it('keeps CPR numbers and variants of rejected payloads out of the database bytes', async () => {
    const db = await harness.fresh();
    const f = await openAudit(db);
    const bundle = typicalBundle('secret-1', { cpr: '1111111118' });
    // Outcomes quote the payload (HGVS strings, dates): they must not leak it either.
    const outcome = { resourceType: 'OperationOutcome' as const, issue: [
      { severity: 'error' as const, code: 'value' as const, details: { coding: [{ system: 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-validation-rule', code: 'VAR-08' }], text: 'Ugyldig HGVS' }, diagnostics: `'${VARIANT}' is not valid HGVS`, expression: ['Bundle.entry[3].resource.component[0].valueCodeableConcept'] },
      { severity: 'error' as const, code: 'value' as const, diagnostics: 'birthDate 2001-01-01 differs from the date encoded in the CPR number 1111111118', expression: ['Bundle.entry[0].resource.birthDate'] },
    ] };
    const rec = makeRecord({ status: 'rejected', ruleCounts: { 'VAR-08': 1, 'PAT-04': 1 }, outcome });
    await f.store.insertRejected(rec, Buffer.from(JSON.stringify(bundle)));
    // Reads through the audited store (Task status, the workspace) still get the whole outcome...
    expect((await f.store.getSubmission(rec.id))?.outcome).toEqual(outcome);
    // ...the raw store only its structure.
    const rawOutcome = (await f.inner.getSubmission(rec.id))?.outcome;
    expect(rawOutcome?.issue.map((i) => [i.code, i.details?.coding?.[0]?.code, i.expression?.[0], i.diagnostics])).toEqual([
      ['value', 'VAR-08', 'Bundle.entry[3].resource.component[0].valueCodeableConcept', undefined],
      ['value', undefined, 'Bundle.entry[0].resource.birthDate', undefined],
    ]);
    await f.close();
    const bytes = await databaseText(db);
    expect(bytes.length).toBeGreaterThan(1000);
    for (const secret of ['1111111118', VARIANT, 'Heterozygous pathogenic', '2001-01-01']) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
    }
    // The hash is there (it is what makes the access request work).
    expect(bytes.includes(Buffer.from(f.audit.hashSubject('1111111118')))).toBe(true);
  }, 60_000);

  it('seals accepted Bundles waiting in the outbox too, and opens them only for the delivery worker', async () => {
    const db = await harness.fresh();
    const f = await openAudit(db);
    const body = Buffer.from(JSON.stringify(typicalBundle('outbox-1', { cpr: '2222222226' })));
    const receipt = { resourceType: 'OperationOutcome' as const, issue: [{ severity: 'warning' as const, code: 'business-rule' as const, diagnostics: 'birthDate 1922-02-22 differs from the date encoded in the CPR number', expression: ['Bundle.entry[0].resource.birthDate'] }] };
    const rec = makeRecord({ outcome: receipt });
    await f.store.insertAccepted(rec, body);
    // The submitter's receipt (Task status, SUB-11 duplicates) reads back whole through the audited store.
    expect((await f.store.getSubmission(rec.id))?.outcome).toEqual(receipt);
    expect((await f.store.findActiveByBundleIdentifier(rec.clientId, rec.bundleIdentifier!.system, rec.bundleIdentifier!.value))?.outcome).toEqual(receipt);
    // The delivery worker gets the exact bytes that were accepted.
    const [item] = await f.store.claimOutbox('w1', 10, 60_000);
    expect(item.payload.equals(body)).toBe(true);
    await f.close();
    const bytes = await databaseText(db);
    for (const secret of ['2222222226', VARIANT, '1922-02-22']) expect(bytes.includes(Buffer.from(secret))).toBe(false);
  }, 60_000);

  it('records a forward event for each final outcome the delivery worker records in a batch', async () => {
    const db = await harness.fresh();
    const f = await openAudit(db);
    try {
      const [delivered, failed, later] = [makeRecord({ region: 'S', clientId: 'region-syddanmark-lims' }), makeRecord({ region: 'S' }), makeRecord({ region: 'S' })];
      for (const r of [delivered, failed, later]) await f.store.insertAccepted(r, Buffer.from('{}'));
      const at = new Date().toISOString();
      await f.store.completeDeliveries([
        { attempt: { submissionId: delivered.id, at, workerId: 'w', outcome: 'delivered', httpStatus: 201, durationMs: 4 }, response: { status: 201 } },
        { attempt: { submissionId: failed.id, at, workerId: 'w', outcome: 'failed', httpStatus: 400, error: 'HTTP 400 from the national database', durationMs: 4 } },
        { attempt: { submissionId: later.id, at, workerId: 'w', outcome: 'retry', httpStatus: 503, error: 'HTTP 503', durationMs: 4 }, nextAttemptAt: new Date(Date.now() + 60_000) },
      ]);
      const forwards = async (id: string) =>
        (await f.auditStore.searchEvents({ submission: id })).items.map((e) => `${e.resource.subtype?.[0].code}:${e.resource.outcome}:${e.resource.outcomeDesc}`).filter((s) => s.startsWith('create:'));
      expect(await forwards(delivered.id)).toEqual(['create:0:delivered (HTTP 201)']);
      expect(await forwards(failed.id)).toEqual(['create:8:delivery failed: HTTP 400 from the national database']);
      // A retry is not an outcome yet.
      expect(await forwards(later.id)).toEqual([]);
      // Each event of the batch names its own submission's client.
      const agentOfForward = async (id: string) =>
        (await f.auditStore.searchEvents({ submission: id })).items.filter((e) => e.resource.subtype?.[0].code === 'create').map((e) => e.resource.agent.find((a) => a.requestor)?.who?.identifier?.value);
      expect(await agentOfForward(delivered.id)).toEqual(['region-syddanmark-lims']);
      expect(await agentOfForward(failed.id)).toEqual([failed.clientId]);
      expect((await f.auditStore.getSummary(failed.id))?.lastError).toContain('HTTP 400');
    } finally {
      await f.close();
    }
  }, 60_000);

  it('decrypts payloads written under a rotated-out key and encrypts new ones with the current key', async () => {
    const db = await harness.fresh();
    const hmac = Buffer.alloc(32, 7);
    const before = await openAudit(db, keyring(['k1'], 'k1', hmac));
    const old = makeRecord({ status: 'rejected' });
    await before.store.insertRejected(old, Buffer.from('{"old":true}'));
    await before.close();

    const after = await openAudit(db, keyring(['k1', 'k2'], 'k2', hmac));
    const fresh = makeRecord({ status: 'rejected' });
    await after.store.insertRejected(fresh, Buffer.from('{"new":true}'));
    const oldSealed = (await after.inner.getPayload(old.id)) as Buffer;
    const newSealed = (await after.inner.getPayload(fresh.id)) as Buffer;
    expect(after.audit.cipher.keyIdOf(oldSealed)).toBe('k1');
    expect(after.audit.cipher.keyIdOf(newSealed)).toBe('k2');
    expect(after.audit.decrypt(oldSealed).toString()).toBe('{"old":true}');
    expect(after.audit.decrypt(newSealed).toString()).toBe('{"new":true}');
    await after.close();

    // Once k1 is removed from the list its payloads cannot be read; a tampered blob is refused.
    const only2 = new AuditService({ store: after.auditStore, keys: keyring(['k2'], 'k2', hmac) });
    expect(() => only2.decrypt(oldSealed)).toThrow(/unknown key 'k1'/);
    const tampered = Buffer.from(newSealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => only2.decrypt(tampered)).toThrow();
  }, 60_000);

  it('purges rejected payloads past the retention period and keeps the records', async () => {
    const db = await harness.fresh();
    const now = new Date('2026-11-25T12:00:00Z');
    const f = await openAudit(db, keyring(), () => now);
    try {
      const old = makeRecord({ status: 'rejected', receivedAt: '2025-11-20T12:00:00.000Z' });
      const recent = makeRecord({ status: 'rejected', receivedAt: '2026-01-10T12:00:00.000Z' });
      await f.store.insertRejected({ ...old, outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'value', diagnostics: 'quotes the payload', expression: ['Bundle.x'] }] } }, Buffer.from('{"a":1}'));
      await f.store.insertRejected(recent, Buffer.from('{"b":2}'));
      expect(await f.audit.purge(365)).toBe(1);
      expect(await f.inner.getPayload(old.id)).toBeUndefined();
      expect(await f.inner.getPayload(recent.id)).toBeDefined();
      expect((await f.auditStore.getSummary(old.id))?.hasPayload).toBe(false);
      // The sealed full outcome went with the payload; the readable structure stays.
      const purged = (await f.store.getSubmission(old.id))?.outcome;
      expect(purged?.extension).toBeUndefined();
      expect(purged?.issue).toEqual([{ severity: 'error', code: 'value', expression: ['Bundle.x'] }]);
      expect(await f.audit.purge(365)).toBe(0);
      // What serve runs: the purge at start and then on its interval.
      const stop = f.audit.schedulePurge(30, 20);
      try {
        for (let i = 0; i < 100 && (await f.inner.getPayload(recent.id)); i++) await new Promise((r) => setTimeout(r, 10));
      } finally {
        stop();
      }
      expect(await f.inner.getPayload(recent.id)).toBeUndefined();
    } finally {
      await f.close();
    }
  }, 60_000);

  it('answers a data-subject access request from a CPR through its keyed hash only', async () => {
    const db = await harness.fresh();
    const f = await openAudit(db);
    try {
      const rec = makeRecord({ status: 'rejected' });
      await f.store.insertRejected(rec, Buffer.from(JSON.stringify(typicalBundle('dsar', { cpr: PATIENT_CPR }))));
      const other = makeRecord({ status: 'rejected' });
      await f.store.insertRejected(other, Buffer.from(JSON.stringify(typicalBundle('dsar-2', { cpr: OTHER_CPR }))));
      await f.audit.recordView({ nameId: 'auditor-astrid', displayName: 'Astrid' }, rec.id);
      await f.audit.recordView({ nameId: 'auditor-bo' }, other.id);

      const answer = await f.audit.accessRequest(PATIENT_CPR, { nameId: 'auditor-carl' });
      expect(answer.submissions).toEqual([rec.id]);
      const viewers = answer.events.filter((e) => e.resource.subtype?.[0].code === 'read').map((e) => e.resource.agent[0].who?.identifier?.value);
      expect(viewers).toEqual(['auditor-astrid']);
      expect(JSON.stringify(answer.events)).not.toContain(PATIENT_CPR);
      // The request is itself audited (who asked about this person).
      const asked = await f.auditStore.searchEvents({ subjectHash: answer.subjectHash, subtype: 'search-type' });
      expect(asked.items[0].resource.agent[0].who?.identifier?.value).toBe('auditor-carl');
      expect((await f.audit.accessRequest('0303030303', { nameId: 'x' })).events).toEqual([]);
    } finally {
      await f.close();
    }
  }, 60_000);
});
