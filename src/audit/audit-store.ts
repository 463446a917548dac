/**
 * The auditors' view of the submissions: the rule index and CPR keyed hashes written next to each
 * submission, the AuditEvent log, the list/query API with filters, sorting and pagination, the
 * statistics and the retention purge. Reads the store's `submissions` table, writes only its own
 * `audit_*` tables (and the purge clears expired rejected payloads).
 */
import type { AuditEvent } from 'fhir/r4';
import type { LinkedWrite, SubmissionStatus } from '../store';
import { isoOf, jsonOf, openSqlExecutor, type AuditDbConfig, type SqlExecutor } from './sql';

interface AuditMigration {
  version: number;
  sqlite: string;
  postgres: string;
}

const MIGRATIONS: AuditMigration[] = [
  {
    version: 1,
    sqlite: `
      CREATE TABLE audit_submission_rules (submission_id TEXT NOT NULL, rule_id TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (rule_id, submission_id));
      CREATE INDEX audit_submission_rules_sub ON audit_submission_rules (submission_id);
      CREATE TABLE audit_submission_subjects (submission_id TEXT NOT NULL, subject_hash TEXT NOT NULL,
        PRIMARY KEY (subject_hash, submission_id));
      CREATE TABLE audit_events (id TEXT PRIMARY KEY, recorded TEXT NOT NULL, type_code TEXT NOT NULL, subtype_code TEXT,
        action TEXT NOT NULL, outcome TEXT NOT NULL, agent_who TEXT, submission_id TEXT, subject_hash TEXT, resource TEXT NOT NULL);
      CREATE INDEX audit_events_recorded ON audit_events (recorded, id);
      CREATE INDEX audit_events_subject ON audit_events (subject_hash, recorded);
      CREATE INDEX audit_events_submission ON audit_events (submission_id);
      CREATE INDEX audit_events_agent ON audit_events (agent_who, recorded);
      CREATE INDEX IF NOT EXISTS audit_sub_status_received ON submissions (status, received_at, id);
      CREATE INDEX IF NOT EXISTS audit_sub_region_received ON submissions (region, status, received_at);
      CREATE INDEX IF NOT EXISTS audit_sub_sor_received ON submissions (sor_code, status, received_at);
      CREATE INDEX IF NOT EXISTS audit_sub_bundle_value ON submissions (bundle_value);
    `,
    postgres: `
      CREATE TABLE audit_submission_rules (submission_id TEXT NOT NULL, rule_id TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (rule_id, submission_id));
      CREATE INDEX audit_submission_rules_sub ON audit_submission_rules (submission_id);
      CREATE TABLE audit_submission_subjects (submission_id TEXT NOT NULL, subject_hash TEXT NOT NULL,
        PRIMARY KEY (subject_hash, submission_id));
      CREATE TABLE audit_events (id TEXT PRIMARY KEY, recorded TIMESTAMPTZ NOT NULL, type_code TEXT NOT NULL, subtype_code TEXT,
        action TEXT NOT NULL, outcome TEXT NOT NULL, agent_who TEXT, submission_id TEXT, subject_hash TEXT, resource JSONB NOT NULL);
      CREATE INDEX audit_events_recorded ON audit_events (recorded, id);
      CREATE INDEX audit_events_subject ON audit_events (subject_hash, recorded);
      CREATE INDEX audit_events_submission ON audit_events (submission_id);
      CREATE INDEX audit_events_agent ON audit_events (agent_who, recorded);
      CREATE INDEX IF NOT EXISTS audit_sub_status_received ON submissions (status, received_at, id);
      CREATE INDEX IF NOT EXISTS audit_sub_region_received ON submissions (region, status, received_at);
      CREATE INDEX IF NOT EXISTS audit_sub_sor_received ON submissions (sor_code, status, received_at);
      CREATE INDEX IF NOT EXISTS audit_sub_bundle_value ON submissions (bundle_value);
    `,
  },
  {
    // Time to accepted resubmission looks up, per rejection, the first later non-rejected
    // submission of the same report.
    version: 2,
    sqlite: 'CREATE INDEX IF NOT EXISTS audit_sub_report_status_received ON submissions (report_identifier, status, received_at)',
    postgres: 'CREATE INDEX IF NOT EXISTS audit_sub_report_status_received ON submissions (report_identifier, status, received_at)',
  },
  {
    // Every index on submissions is paid for by every submission and every delivery. The free-text
    // search matches substrings ('%...%'), which no B-tree on bundle_value serves; and the index
    // of version 2 starts with report_identifier, so the store's own index on it alone is redundant.
    // A submission's subject hashes are looked up by submission (every forward event, every view),
    // which the primary key (subject first) does not serve: without this index each lookup scanned
    // the whole table.
    version: 3,
    sqlite: `DROP INDEX IF EXISTS audit_sub_bundle_value; DROP INDEX IF EXISTS submissions_report_identifier;
      CREATE INDEX IF NOT EXISTS audit_submission_subjects_sub ON audit_submission_subjects (submission_id);`,
    postgres: `DROP INDEX IF EXISTS audit_sub_bundle_value; DROP INDEX IF EXISTS submissions_report_identifier;
      CREATE INDEX IF NOT EXISTS audit_submission_subjects_sub ON audit_submission_subjects (submission_id);`,
  },
];

export type SortField = 'receivedAt' | 'region' | 'laboratory' | 'client' | 'size' | 'status';
const SORT_COLUMNS: Record<SortField, string> = {
  receivedAt: 'received_at',
  region: 'region',
  laboratory: 'sor_code',
  client: 'client_id',
  size: 'size_bytes',
  status: 'status',
};

export interface SubmissionQuery {
  /** Default `rejected`; `any` for every verdict. */
  status?: SubmissionStatus | 'any';
  region?: string;
  laboratory?: string;
  rule?: string;
  /** ISO instants or dates; `to` is exclusive. */
  from?: string;
  to?: string;
  /** Substring of the Bundle.identifier value, report identifier, client id or submission id. */
  text?: string;
  sort?: SortField;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface SubmissionSummary {
  id: string;
  receivedAt: string;
  clientId: string;
  region?: string;
  laboratory?: string;
  bundleIdentifier?: { system: string; value: string };
  reportIdentifier?: string;
  status: SubmissionStatus;
  sizeBytes: number;
  ruleCounts: Record<string, number>;
  deliveredAt?: string;
  lastError?: string;
  hasPayload: boolean;
}

export interface SubmissionPage {
  items: SubmissionSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface AcceptanceBucket {
  period: string;
  region: string;
  total: number;
  accepted: number;
}
export interface RuleFrequency {
  region: string;
  laboratory: string;
  rule: string;
  submissions: number;
  issues: number;
}
export interface ResubmissionTime {
  region: string;
  rejected: number;
  resubmitted: number;
  medianHours?: number;
  meanHours?: number;
}

export interface AuditEventQuery {
  from?: string;
  to?: string;
  type?: string;
  subtype?: string;
  outcome?: string;
  agent?: string;
  submission?: string;
  subjectHash?: string;
  limit?: number;
  offset?: number;
}

export interface StoredAuditEvent {
  resource: AuditEvent;
  submissionId?: string;
  subjectHash?: string;
}

const INSERT_RULE = 'INSERT INTO audit_submission_rules (submission_id, rule_id, count) VALUES (?, ?, ?) ON CONFLICT DO NOTHING';
const INSERT_SUBJECT = 'INSERT INTO audit_submission_subjects (submission_id, subject_hash) VALUES (?, ?) ON CONFLICT DO NOTHING';
const INSERT_EVENT = `INSERT INTO audit_events (id, recorded, type_code, subtype_code, action, outcome, agent_who, submission_id, subject_hash, resource)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const SUMMARY_COLUMNS = `id, received_at, client_id, region, sor_code, bundle_system, bundle_value, report_identifier, status,
  size_bytes, rule_counts, delivered_at, last_error, CASE WHEN payload IS NULL THEN 0 ELSE 1 END AS has_payload`;

function toSummary(r: Record<string, unknown>): SubmissionSummary {
  return {
    id: String(r.id),
    receivedAt: isoOf(r.received_at) as string,
    clientId: String(r.client_id),
    region: (r.region as string | null) ?? undefined,
    laboratory: (r.sor_code as string | null) ?? undefined,
    bundleIdentifier: r.bundle_system ? { system: String(r.bundle_system), value: String(r.bundle_value) } : undefined,
    reportIdentifier: (r.report_identifier as string | null) ?? undefined,
    status: r.status as SubmissionStatus,
    sizeBytes: Number(r.size_bytes),
    ruleCounts: jsonOf<Record<string, number>>(r.rule_counts) ?? {},
    deliveredAt: isoOf(r.delivered_at),
    lastError: (r.last_error as string | null) ?? undefined,
    hasPayload: Number(r.has_payload) === 1,
  };
}

/** Normalises a date or instant filter to an ISO instant (dates are midnight UTC). */
export function instantOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** What a forward AuditEvent says about the delivered submission (forwardFacts). */
export interface ForwardFacts {
  clientId?: string;
  region?: string;
  laboratory?: string;
  reportIdentifier?: string;
  subjectHashes: string[];
}

export class AuditStore {
  private constructor(private readonly db: SqlExecutor) {}

  get kind(): 'sqlite' | 'postgres' {
    return this.db.kind;
  }

  /** Opens the audit tables on the store's database (after the store has migrated it). */
  static async open(config: AuditDbConfig): Promise<AuditStore> {
    const s = new AuditStore(openSqlExecutor(config));
    try {
      await s.migrate();
    } catch (err) {
      await s.close().catch(() => undefined);
      throw err;
    }
    return s;
  }

  private async migrate(): Promise<void> {
    await this.db.tx(async (db) => {
      if (db.kind === 'postgres') await db.exec('SELECT pg_advisory_xact_lock(7266001)');
      await db.exec('CREATE TABLE IF NOT EXISTS audit_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      const applied = new Set((await db.all<{ version: number }>('SELECT version FROM audit_schema_migrations')).map((r) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await db.exec(db.kind === 'sqlite' ? m.sqlite : m.postgres);
        await db.run('INSERT INTO audit_schema_migrations (version, applied_at) VALUES (?, ?)', [m.version, new Date().toISOString()]);
      }
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /**
   * The rule index and subject hashes of one submission, as rows for the store to commit in the
   * submission's own transaction. One fixed statement per row, so each engine prepares it once.
   */
  indexRows(submissionId: string, ruleCounts: Record<string, number>, subjectHashes: readonly string[]): LinkedWrite[] {
    const rows: LinkedWrite[] = [];
    for (const [rule, count] of Object.entries(ruleCounts)) rows.push({ sql: INSERT_RULE, params: [submissionId, rule, count] });
    for (const h of new Set(subjectHashes)) rows.push({ sql: INSERT_SUBJECT, params: [submissionId, h] });
    return rows;
  }

  /** Writes the rule index and subject hashes of one submission on the audit's own connection. */
  async indexSubmission(submissionId: string, ruleCounts: Record<string, number>, subjectHashes: string[]): Promise<void> {
    await this.writeRows(this.indexRows(submissionId, ruleCounts, subjectHashes));
  }

  /** Runs rows in one transaction on the audit's own connection (when no store commits them). */
  async writeRows(rows: readonly LinkedWrite[]): Promise<void> {
    if (rows.length === 1) await this.db.run(rows[0].sql, [...rows[0].params]);
    else if (rows.length) await this.db.tx(async (db) => {
      for (const r of rows) await db.run(r.sql, [...r.params]);
    });
  }

  /** What a forward AuditEvent names: the submission's client and origin, and its subjects' hashes. */
  async forwardFacts(submissionId: string): Promise<ForwardFacts> {
    return (await this.forwardFactsOf([submissionId])).get(submissionId) ?? { subjectHashes: [] };
  }

  /** forwardFacts of several submissions in one query (the delivery worker records its sends in batches). */
  async forwardFactsOf(submissionIds: readonly string[]): Promise<Map<string, ForwardFacts>> {
    const out = new Map<string, ForwardFacts>();
    const ids = [...new Set(submissionIds)];
    // Bounded IN lists: SQLite and PostgreSQL both cap the parameters of one statement.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await this.db.all<{ id: string; client_id: string; region: string | null; sor_code: string | null; report_identifier: string | null; subject_hash: string | null }>(
        `SELECT s.id, s.client_id, s.region, s.sor_code, s.report_identifier, h.subject_hash
         FROM submissions s LEFT JOIN audit_submission_subjects h ON h.submission_id = s.id WHERE s.id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) {
        let facts = out.get(r.id);
        if (!facts) {
          facts = { clientId: r.client_id, region: r.region ?? undefined, laboratory: r.sor_code ?? undefined, reportIdentifier: r.report_identifier ?? undefined, subjectHashes: [] };
          out.set(r.id, facts);
        }
        if (r.subject_hash) facts.subjectHashes.push(r.subject_hash);
      }
    }
    return out;
  }

  async subjectHashesOf(submissionId: string): Promise<string[]> {
    return (await this.db.all<{ subject_hash: string }>('SELECT subject_hash FROM audit_submission_subjects WHERE submission_id = ?', [submissionId])).map((r) => r.subject_hash);
  }

  async submissionsOfSubject(subjectHash: string): Promise<string[]> {
    return (await this.db.all<{ submission_id: string }>('SELECT submission_id FROM audit_submission_subjects WHERE subject_hash = ?', [subjectHash])).map((r) => r.submission_id);
  }

  private where(q: SubmissionQuery): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const status = q.status ?? 'rejected';
    if (status !== 'any') {
      clauses.push('status = ?');
      params.push(status);
    }
    if (q.region) {
      clauses.push('region = ?');
      params.push(q.region);
    }
    if (q.laboratory) {
      clauses.push('sor_code = ?');
      params.push(q.laboratory);
    }
    const from = instantOf(q.from);
    if (from) {
      clauses.push('received_at >= ?');
      params.push(from);
    }
    const to = instantOf(q.to);
    if (to) {
      clauses.push('received_at < ?');
      params.push(to);
    }
    if (q.rule) {
      clauses.push('EXISTS (SELECT 1 FROM audit_submission_rules r WHERE r.rule_id = ? AND r.submission_id = submissions.id)');
      params.push(q.rule);
    }
    if (q.text?.trim()) {
      const like = `%${q.text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const op = this.db.kind === 'postgres' ? 'ILIKE' : 'LIKE';
      clauses.push(`(bundle_value ${op} ? ESCAPE '\\' OR report_identifier ${op} ? ESCAPE '\\' OR client_id ${op} ? ESCAPE '\\' OR id = ?)`);
      params.push(like, like, like, q.text.trim());
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  async listSubmissions(q: SubmissionQuery = {}): Promise<SubmissionPage> {
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 50), 1), 1000);
    const offset = Math.max(Math.trunc(q.offset ?? 0), 0);
    const col = SORT_COLUMNS[q.sort ?? 'receivedAt'] ?? 'received_at';
    const dir = q.order === 'asc' ? 'ASC' : 'DESC';
    const w = this.where(q);
    // Page and count in parallel (two pool connections on PostgreSQL).
    const [rows, [{ n }]] = await Promise.all([
      this.db.all(`SELECT ${SUMMARY_COLUMNS} FROM submissions ${w.sql} ORDER BY ${col} ${dir}, id ${dir} LIMIT ? OFFSET ?`, [...w.params, limit, offset]),
      this.db.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM submissions ${w.sql}`, w.params),
    ]);
    return { items: rows.map(toSummary), total: Number(n), limit, offset };
  }

  async getSummary(id: string): Promise<SubmissionSummary | undefined> {
    const [row] = await this.db.all(`SELECT ${SUMMARY_COLUMNS} FROM submissions WHERE id = ?`, [id]);
    return row ? toSummary(row) : undefined;
  }

  /** Every submission with this report identifier, oldest first (corrections and resubmissions). */
  async byReportIdentifier(reportIdentifier: string): Promise<SubmissionSummary[]> {
    const rows = await this.db.all(`SELECT ${SUMMARY_COLUMNS} FROM submissions WHERE report_identifier = ? ORDER BY received_at, id`, [reportIdentifier]);
    return rows.map(toSummary);
  }

  /** Distinct regions, laboratories and rules, for the filter menus. */
  async facets(): Promise<{ regions: string[]; laboratories: string[]; rules: string[] }> {
    const list = async (sql: string) => (await this.db.all<{ v: string }>(sql)).map((r) => r.v);
    return {
      regions: await list('SELECT DISTINCT region AS v FROM submissions WHERE region IS NOT NULL ORDER BY v'),
      laboratories: await list('SELECT DISTINCT sor_code AS v FROM submissions WHERE sor_code IS NOT NULL ORDER BY v'),
      rules: await list('SELECT DISTINCT rule_id AS v FROM audit_submission_rules ORDER BY v'),
    };
  }

  private periodExpr(bucket: 'day' | 'month'): string {
    if (this.db.kind === 'postgres') return `to_char(received_at AT TIME ZONE 'UTC', '${bucket === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM'}')`;
    return `substr(received_at, 1, ${bucket === 'day' ? 10 : 7})`;
  }

  async acceptanceOverTime(range: { from?: string; to?: string; bucket?: 'day' | 'month' } = {}): Promise<AcceptanceBucket[]> {
    const w = this.where({ status: 'any', from: range.from, to: range.to });
    const p = this.periodExpr(range.bucket ?? 'day');
    const rows = await this.db.all<{ period: string; region: string | null; total: number | string; accepted: number | string }>(
      `SELECT ${p} AS period, region, COUNT(*) AS total, SUM(CASE WHEN status <> 'rejected' THEN 1 ELSE 0 END) AS accepted
       FROM submissions ${w.sql} GROUP BY ${p}, region ORDER BY period, region`,
      w.params,
    );
    return rows.map((r) => ({ period: r.period, region: r.region ?? '(none)', total: Number(r.total), accepted: Number(r.accepted) }));
  }

  async ruleFrequencies(range: { from?: string; to?: string; region?: string; laboratory?: string; limit?: number } = {}): Promise<RuleFrequency[]> {
    const w = this.where({ status: 'rejected', from: range.from, to: range.to, region: range.region, laboratory: range.laboratory });
    const rows = await this.db.all<{ region: string | null; sor_code: string | null; rule_id: string; subs: number | string; issues: number | string }>(
      `SELECT s.region, s.sor_code, r.rule_id, COUNT(*) AS subs, SUM(r.count) AS issues
       FROM audit_submission_rules r JOIN (SELECT id, region, sor_code FROM submissions ${w.sql}) s ON s.id = r.submission_id
       GROUP BY s.region, s.sor_code, r.rule_id ORDER BY subs DESC, issues DESC, r.rule_id LIMIT ?`,
      [...w.params, Math.min(range.limit ?? 200, 5000)],
    );
    return rows.map((r) => ({ region: r.region ?? '(none)', laboratory: r.sor_code ?? '(none)', rule: r.rule_id, submissions: Number(r.subs), issues: Number(r.issues) }));
  }

  /** For each rejected submission with a report identifier: how long until an accepted one with the same identifier. */
  async resubmissionTimes(range: { from?: string; to?: string } = {}): Promise<ResubmissionTime[]> {
    const w = this.where({ status: 'rejected', from: range.from, to: range.to });
    const rows = await this.db.all<{ region: string | null; received_at: unknown; fixed_at: unknown }>(
      `SELECT s.region, s.received_at,
         (SELECT MIN(t.received_at) FROM submissions t WHERE t.report_identifier = s.report_identifier
            AND t.status <> 'rejected' AND t.received_at > s.received_at) AS fixed_at
       FROM submissions s ${w.sql ? `${w.sql} AND` : 'WHERE'} s.report_identifier IS NOT NULL`,
      w.params,
    );
    const by = new Map<string, { rejected: number; hours: number[] }>();
    for (const r of rows) {
      const region = r.region ?? '(none)';
      const e = by.get(region) ?? { rejected: 0, hours: [] };
      e.rejected++;
      const fixed = isoOf(r.fixed_at);
      if (fixed) e.hours.push((Date.parse(fixed) - Date.parse(isoOf(r.received_at) as string)) / 3_600_000);
      by.set(region, e);
    }
    return [...by.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([region, e]) => {
        const h = [...e.hours].sort((a, b) => a - b);
        const median = h.length ? (h.length % 2 ? h[(h.length - 1) / 2] : (h[h.length / 2 - 1] + h[h.length / 2]) / 2) : undefined;
        return { region, rejected: e.rejected, resubmitted: h.length, medianHours: median, meanHours: h.length ? h.reduce((a, b) => a + b, 0) / h.length : undefined };
      });
  }

  /** One AuditEvent as a row (for the store to commit with what it records). */
  eventRow(event: AuditEvent, index: { submissionId?: string; subjectHash?: string } = {}): LinkedWrite {
    return {
      sql: INSERT_EVENT,
      params: [
        event.id,
        event.recorded,
        event.type.code ?? '',
        event.subtype?.[0]?.code ?? null,
        event.action ?? 'E',
        event.outcome ?? '0',
        event.agent.find((a) => a.requestor)?.who?.identifier?.value ?? null,
        index.submissionId ?? null,
        index.subjectHash ?? null,
        JSON.stringify(event),
      ],
    };
  }

  async insertEvent(event: AuditEvent, index: { submissionId?: string; subjectHash?: string } = {}): Promise<void> {
    await this.writeRows([this.eventRow(event, index)]);
  }

  async searchEvents(q: AuditEventQuery = {}): Promise<{ items: StoredAuditEvent[]; total: number }> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      clauses.push(sql);
      params.push(v);
    };
    const from = instantOf(q.from);
    const to = instantOf(q.to);
    if (from) add('recorded >= ?', from);
    if (to) add('recorded < ?', to);
    if (q.type) add('type_code = ?', q.type);
    if (q.subtype) add('subtype_code = ?', q.subtype);
    if (q.outcome) add('outcome = ?', q.outcome);
    if (q.agent) add('agent_who = ?', q.agent);
    if (q.submission) add('submission_id = ?', q.submission);
    if (q.subjectHash) add('subject_hash = ?', q.subjectHash);
    const w = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 1000);
    const rows = await this.db.all<{ resource: unknown; submission_id: string | null; subject_hash: string | null }>(
      `SELECT resource, submission_id, subject_hash FROM audit_events ${w} ORDER BY recorded DESC, id DESC LIMIT ? OFFSET ?`,
      [...params, limit, Math.max(q.offset ?? 0, 0)],
    );
    const [{ n }] = await this.db.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM audit_events ${w}`, params);
    return {
      items: rows.map((r) => ({ resource: jsonOf<AuditEvent>(r.resource), submissionId: r.submission_id ?? undefined, subjectHash: r.subject_hash ?? undefined })),
      total: Number(n),
    };
  }

  /**
   * Retention: the encrypted payloads of rejected submissions received before `before` are
   * deleted (the record, its rule index and the audit log stay for the statistics). Returns how many.
   */
  async purgeRejectedPayloads(before: Date): Promise<number> {
    // The sealed copy of the outcome quotes the payload too: it goes with it (the readable
    // structure of the outcome stays for the statistics and the receipt).
    const dropSealed = this.db.kind === 'postgres' ? "outcome - 'extension'" : "json_remove(outcome, '$.extension')";
    return this.db.run(`UPDATE submissions SET payload = NULL, outcome = ${dropSealed} WHERE status = 'rejected' AND payload IS NOT NULL AND received_at < ?`, [before.toISOString()]);
  }

  /** Raw access for tests and the seeding benchmark. */
  get executor(): SqlExecutor {
    return this.db;
  }
}
