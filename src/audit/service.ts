/**
 * The audit service: one object serve creates and hands to the HTTP layer (as a store wrapper), the
 * auth modules (failure hooks) and the auditors' workspace. It encrypts rejected payloads, hashes
 * CPR numbers, writes the rule index and AuditEvents, and runs the retention purge.
 */
import type { OperationOutcome } from 'fhir/r4';
import type { GatewayStore, LinkedWrite, SubmissionRecord } from '../store';
import type { AuthFailureEvent } from '../auth/smart/events';
import type { SamlAuthFailureEvent } from '../auth/saml';
import { AuditStore, type ForwardFacts, type StoredAuditEvent } from './audit-store';
import { createPayloadCipher, subjectHasher, type AuditKeyring, type PayloadCipher } from './crypto';
import { buildAuditEvent, type AuditEventInput } from './events';
import { parseJsonSafely, personIdentifiers } from './payload';
import { RefusalTally, type FlowRefusal } from './refusal-tally';

export interface AuditLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface AuditServiceOptions {
  store: AuditStore;
  keys: AuditKeyring;
  logger?: AuditLogger;
  now?: () => Date;
  /** Where forwarded reports go (for forward AuditEvents). */
  destination?: string;
  /**
   * Commits the AuditEvents that belong to no submission write (refused requests, failed logins,
   * views) through the gateway store, so they share its group commit; absent: the audit's own connection.
   */
  eventWriter?: Pick<GatewayStore, 'commitLinked'>;
  /** How long flow-control refusals (429, 503) are counted before their grouped AuditEvents are written (default 10 s). */
  refusalIntervalMs?: number;
}

export const DEFAULT_RETENTION_DAYS = 365;
/** Extension carrying a rejected submission's full OperationOutcome, encrypted (base64 of the sealed bytes). */
export const SEALED_OUTCOME_URL = 'https://ngc.dk/fhir/gateway/StructureDefinition/sealed-outcome';

export class AuditService {
  readonly store: AuditStore;
  readonly cipher: PayloadCipher;
  readonly hashSubject: (identifier: string) => string;
  private readonly logger?: AuditLogger;
  private readonly now: () => Date;
  private readonly destination?: string;
  private readonly eventWriter?: Pick<GatewayStore, 'commitLinked'>;
  private readonly refusals: RefusalTally;

  constructor(o: AuditServiceOptions) {
    this.store = o.store;
    this.cipher = createPayloadCipher(o.keys);
    this.hashSubject = subjectHasher(o.keys.hmacKey);
    this.logger = o.logger;
    this.now = o.now ?? (() => new Date());
    this.destination = o.destination;
    this.eventWriter = o.eventWriter;
    this.refusals = new RefusalTally((events) => this.safely('refusal events', () => this.commit(events.map((e) => this.eventRow(e)))), o.refusalIntervalMs ?? 10_000);
  }

  /** AES-256-GCM with the current key (the HTTP layer's `encryptRejected`). */
  encrypt = (payload: Buffer): Buffer => this.cipher.encrypt(payload);

  private isSealed(b: Buffer): boolean {
    try {
      this.cipher.keyIdOf(b);
      return true;
    } catch {
      return false;
    }
  }

  /** Keyed hashes of the record's patients: from the identifiers the caller found, else from the payload. */
  private hashesOf(record: SubmissionRecord, plaintext: Buffer | undefined): string[] {
    const identifiers = record.subjectIdentifiers ?? (plaintext ? personIdentifiers(parseJsonSafely(plaintext)) : []);
    return [...new Set(identifiers.map(this.hashSubject))];
  }

  /**
   * A rejected submission's outcome quotes the payload (HGVS strings, dates, codes), so only its
   * structure stays readable in the database (severity, code, rule ids, expressions); the full
   * outcome travels encrypted in an extension and is restored by the wrapped store's reads.
   */
  sealOutcome(outcome: OperationOutcome): OperationOutcome {
    return {
      resourceType: 'OperationOutcome',
      extension: [{ url: SEALED_OUTCOME_URL, valueBase64Binary: this.cipher.encrypt(Buffer.from(JSON.stringify(outcome), 'utf8')).toString('base64') }],
      issue: (outcome.issue ?? []).map((i) => ({ severity: i.severity, code: i.code, ...(i.details?.coding ? { details: { coding: i.details.coding.map((c) => ({ system: c.system, code: c.code })) } } : {}), ...(i.expression ? { expression: i.expression } : {}) })),
    };
  }

  unsealOutcome(outcome: OperationOutcome): OperationOutcome {
    const sealed = outcome.extension?.find((e) => e.url === SEALED_OUTCOME_URL)?.valueBase64Binary;
    if (!sealed) return outcome;
    try {
      return JSON.parse(this.cipher.decrypt(Buffer.from(sealed, 'base64')).toString('utf8')) as OperationOutcome;
    } catch {
      // Key retired: what is left is the redacted structure.
      return { resourceType: 'OperationOutcome', issue: outcome.issue };
    }
  }

  private async safely(what: string, fn: () => Promise<void>): Promise<void> {
    // The submission itself is already durable: an audit write that fails is logged loudly for
    // operators rather than turning an accepted report into an error for the region.
    try {
      await fn();
    } catch (err) {
      this.logger?.error({ err: { message: (err as Error).message } }, `audit: ${what} failed`);
    }
  }

  /** Writes one AuditEvent, logging instead of throwing (for fire-and-forget callers). */
  record(input: AuditEventInput): Promise<void> {
    return this.safely(`${input.kind} event`, () => this.event(input));
  }

  /** Counts a 429/503 answer; grouped AuditEvents follow within the interval (see refusal-tally.ts). */
  recordRefusal(refusal: FlowRefusal): void {
    this.refusals.add(refusal);
  }

  /** Writes the refusals counted so far; before the store closes, nothing counted is dropped. */
  async close(): Promise<void> {
    await this.refusals.flush();
  }

  async event(input: AuditEventInput): Promise<void> {
    await this.commit([this.eventRow(input)]);
  }

  private commit(rows: readonly LinkedWrite[]): Promise<void> {
    return this.eventWriter ? this.eventWriter.commitLinked(rows) : this.store.writeRows(rows);
  }

  private eventRow(input: AuditEventInput): LinkedWrite {
    return this.store.eventRow(buildAuditEvent(input), { submissionId: input.submissionId, subjectHash: input.subjectHash });
  }

  /** One event per subject (the patients are found by their hash), or one event when there is none. */
  private eventRows(base: AuditEventInput, hashes: readonly string[]): LinkedWrite[] {
    return hashes.length ? hashes.map((h) => this.eventRow({ ...base, subjectHash: h })) : [this.eventRow(base)];
  }

  /** The audit record of one submission (rule index, subject hashes, AuditEvents), as rows committed with it. */
  private submissionRows(record: SubmissionRecord, hashes: string[]): LinkedWrite[] {
    const base: AuditEventInput = {
      kind: 'submission',
      at: new Date(record.receivedAt),
      outcome: record.status === 'rejected' ? '4' : '0',
      outcomeDesc: record.status === 'rejected' ? 'rejected by validation' : 'accepted',
      agent: { kind: 'client', id: record.clientId },
      submissionId: record.id,
      details: {
        verdict: record.status,
        region: record.region,
        laboratory: record.sorCode,
        bundleIdentifier: record.bundleIdentifier ? `${record.bundleIdentifier.system}|${record.bundleIdentifier.value}` : undefined,
        reportIdentifier: record.reportIdentifier,
        rules: Object.entries(record.ruleCounts ?? {}).map(([k, v]) => `${k}:${v}`).join(' ') || undefined,
        sizeBytes: record.sizeBytes,
      },
    };
    return [...this.store.indexRows(record.id, record.ruleCounts ?? {}, hashes), ...this.eventRows(base, hashes)];
  }

  /**
   * The gateway store as the HTTP layer and delivery worker should see it: rejected payloads are
   * encrypted here (plaintext in, ciphertext to the database; already sealed payloads pass through),
   * and every submission and delivery leaves its record and AuditEvent.
   */
  wrapStore(inner: GatewayStore): GatewayStore {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const audit = this;
    // Each submission's audit record and AuditEvents are committed in the submission's own
    // transaction: a 202 or 422 means both are on disk, and neither exists without the other.
    const withRecord = ({ subjectIdentifiers: _cpr, ...record }: SubmissionRecord): SubmissionRecord => ({ ...record, outcome: audit.sealOutcome(record.outcome) });
    const wrapped: Partial<GatewayStore> = {
      async insertRejected(record, payload, linked) {
        let sealed = payload;
        let plaintext: Buffer | undefined;
        if (payload && audit.isSealed(payload)) plaintext = audit.cipher.decrypt(payload);
        else if (payload) {
          plaintext = payload;
          sealed = audit.cipher.encrypt(payload);
        }
        const rows = audit.submissionRows(record, audit.hashesOf(record, plaintext));
        await inner.insertRejected(withRecord(record), sealed, linked ? [...linked, ...rows] : rows);
      },
      async getSubmission(id) {
        const r = await inner.getSubmission(id);
        return r ? { ...r, outcome: audit.unsealOutcome(r.outcome) } : r;
      },
      async findActiveByBundleIdentifier(clientId, system, value) {
        const r = await inner.findActiveByBundleIdentifier(clientId, system, value);
        return r ? { ...r, outcome: audit.unsealOutcome(r.outcome) } : r;
      },
      // Accepted Bundles wait in the outbox until delivered and hold CPR numbers and genetic data just
      // as rejected ones do: they are sealed the same way, and opened only for the delivery worker.
      async insertAccepted(record, payload, linked, form) {
        const rows = audit.submissionRows(record, audit.hashesOf(record, payload));
        await inner.insertAccepted(withRecord(record), audit.cipher.encrypt(payload), linked ? [...linked, ...rows] : rows, form);
      },
      async claimOutbox(workerId, limit, leaseMs, now) {
        const items = await inner.claimOutbox(workerId, limit, leaseMs, now);
        return items.map((item) => (audit.isSealed(item.payload) ? { ...item, payload: audit.cipher.decrypt(item.payload) } : item));
      },
      async markDelivered(id, response, at, linked) {
        const rows = await audit.forwardRows(id, '0', `delivered (HTTP ${response?.status ?? '?'})`);
        await inner.markDelivered(id, response, at, linked ? [...linked, ...rows] : rows);
      },
      async markFailed(id, reason, at, linked) {
        const rows = await audit.forwardRows(id, '8', `delivery failed: ${reason}`.slice(0, 500));
        await inner.markFailed(id, reason, at, linked ? [...linked, ...rows] : rows);
      },
      // The delivery worker records its outcomes in batches: each final one is a forward event as above.
      async completeDeliveries(completions, linked) {
        const rows: LinkedWrite[] = [];
        const final = completions.filter((c) => c.attempt.outcome === 'delivered' || c.attempt.outcome === 'failed');
        // One query for the whole batch, not one read per submission.
        const facts = final.length ? await audit.store.forwardFactsOf(final.map((c) => c.attempt.submissionId)) : new Map<string, ForwardFacts>();
        for (const { attempt, response } of final) {
          const id = attempt.submissionId;
          const f = facts.get(id) ?? { subjectHashes: [] };
          if (attempt.outcome === 'delivered') rows.push(...audit.forwardRowsOf(id, f, '0', `delivered (HTTP ${response?.status ?? '?'})`));
          else rows.push(...audit.forwardRowsOf(id, f, '8', `delivery failed: ${attempt.error ?? 'delivery failed'}`.slice(0, 500)));
        }
        await inner.completeDeliveries(completions, linked ? [...linked, ...rows] : rows);
      },
    };
    // The inner store's own methods, bound once per method (not on every call through the proxy).
    const bound = new Map<string | symbol, { fn: unknown; bound: unknown }>();
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && prop in wrapped) return (wrapped as Record<string, unknown>)[prop];
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        let b = bound.get(prop);
        if (b?.fn !== v) {
          b = { fn: v, bound: (v as (...a: unknown[]) => unknown).bind(target) };
          bound.set(prop, b);
        }
        return b.bound;
      },
    });
  }

  private async forwardRows(submissionId: string, outcome: '0' | '8', desc: string): Promise<LinkedWrite[]> {
    return this.forwardRowsOf(submissionId, await this.store.forwardFacts(submissionId), outcome, desc);
  }

  private forwardRowsOf(submissionId: string, facts: ForwardFacts, outcome: '0' | '8', desc: string): LinkedWrite[] {
    const base: AuditEventInput = {
      kind: 'forward',
      at: this.now(),
      outcome,
      outcomeDesc: desc,
      agent: { kind: 'client', id: facts.clientId },
      submissionId,
      destination: this.destination,
      details: { region: facts.region, laboratory: facts.laboratory, reportIdentifier: facts.reportIdentifier },
    };
    return this.eventRows(base, facts.subjectHashes);
  }

  /** An auditor opened (decrypted) a rejected report: one event per patient in it. */
  async recordView(auditor: { nameId: string; displayName?: string }, submissionId: string, ip?: string): Promise<void> {
    const hashes = await this.store.subjectHashesOf(submissionId);
    const base: AuditEventInput = { kind: 'view', at: this.now(), outcome: '0', outcomeDesc: 'rejected report payload viewed', agent: { kind: 'auditor', id: auditor.nameId, name: auditor.displayName, ip }, submissionId };
    await this.commit(this.eventRows(base, hashes));
  }

  /** SAML's onAuthFailure hook. */
  onSamlFailure = (e: SamlAuthFailureEvent): Promise<void> =>
    this.safely('login failure event', () =>
      this.event({ kind: 'login-failure', at: new Date(e.at), outcome: e.status === 403 ? '4' : '8', outcomeDesc: `${e.mechanism}: ${e.reason} (${e.method} ${e.path}, ${e.status})`.slice(0, 500), agent: { kind: e.subject ? 'auditor' : 'unknown', id: e.subject, ip: e.ip } }),
    );

  /** SMART's onAuthFailure hook. */
  onSmartFailure = (e: AuthFailureEvent): Promise<void> =>
    this.safely('auth failure event', () =>
      this.event({ kind: 'login-failure', at: e.at, outcome: e.status === 403 ? '4' : '8', outcomeDesc: `${e.kind}: ${e.reason} (${e.method} ${e.path}, ${e.status})`.slice(0, 500), agent: { kind: e.clientId ? 'client' : 'unknown', id: e.clientId, ip: e.remoteAddress } }),
    );

  /**
   * Data-subject access request: every AuditEvent touching this person (submissions about them,
   * forwards, and above all which auditors viewed their data). The lookup itself is audited.
   */
  async accessRequest(personIdentifier: string, auditor: { nameId: string; displayName?: string }): Promise<{ subjectHash: string; submissions: string[]; events: StoredAuditEvent[] }> {
    const subjectHash = this.hashSubject(personIdentifier);
    const submissions = await this.store.submissionsOfSubject(subjectHash);
    const events = (await this.store.searchEvents({ subjectHash, limit: 1000 })).items;
    await this.event({ kind: 'access-request', at: this.now(), outcome: '0', outcomeDesc: 'data-subject access request', agent: { kind: 'auditor', id: auditor.nameId, name: auditor.displayName }, subjectHash });
    return { subjectHash, submissions, events };
  }

  /** Decrypts a stored rejected payload (callers audit the view). */
  decrypt(sealed: Buffer): Buffer {
    return this.cipher.decrypt(sealed);
  }

  async purge(retentionDays: number): Promise<number> {
    const before = new Date(this.now().getTime() - retentionDays * 86_400_000);
    const n = await this.store.purgeRejectedPayloads(before);
    if (n) this.logger?.info({ purged: n, retentionDays }, 'audit retention: deleted expired rejected payloads');
    return n;
  }

  /** Runs the purge now and then every `intervalMs` (default 6 hours); returns a stop function. */
  schedulePurge(retentionDays: number, intervalMs = 6 * 3_600_000): () => void {
    const tick = () => void this.safely('retention purge', async () => void (await this.purge(retentionDays)));
    tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
