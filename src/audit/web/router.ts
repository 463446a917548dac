/**
 * The auditors' workspace at /audit: server-rendered pages (no client-side framework) and the same
 * data as JSON under /audit/api and as CSV. Every route sits behind `requireAuditor`; opening a
 * rejected report decrypts its payload and is itself audited.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { OperationOutcomeIssue } from 'fhir/r4';
import type { GatewayStore, SubmissionRecord } from '../../store';
import type { AuditService } from '../service';
import { instantOf, type SortField, type SubmissionQuery, type SubmissionSummary } from '../audit-store';
import { parseJsonSafely, prettyWithSpans, spanOfExpression } from '../payload';
import { barChart, lineChart } from './charts';
import { csv, esc, html, page, raw, STYLE, type Html, type PageContext } from './html';

export interface RuleText {
  en: string;
  da: string;
}

export interface AuditRouterOptions {
  audit: AuditService;
  /** The gateway store (the records and encrypted payloads). */
  store: GatewayStore;
  requireAuditor: RequestHandler;
  csrfProtection: RequestHandler;
  /** Rule id → catalogue texts. */
  rules: ReadonlyMap<string, RuleText>;
  /** Where a rule's entry lives in the guide; `#<id>` is appended. */
  ruleUrlBase?: string;
}

const PAGE_SIZE = 50;
const SORTS: SortField[] = ['receivedAt', 'region', 'laboratory', 'client', 'size', 'status'];
const SORT_LABELS: Record<SortField, string> = { receivedAt: 'time received', region: 'region', laboratory: 'laboratory', client: 'client', size: 'size', status: 'verdict' };
const STATUSES = ['rejected', 'accepted', 'delivered', 'failed', 'any'] as const;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : undefined;
}

function queryOf(req: Request): SubmissionQuery {
  const q = req.query as Record<string, unknown>;
  const sort = str(q.sort) as SortField | undefined;
  const status = str(q.status) as SubmissionQuery['status'];
  return {
    status: status && (STATUSES as readonly string[]).includes(status) ? status : 'rejected',
    region: str(q.region),
    laboratory: str(q.laboratory),
    rule: str(q.rule),
    from: instantOf(str(q.from)) ? str(q.from) : undefined,
    to: instantOf(str(q.to)) ? str(q.to) : undefined,
    text: str(q.text),
    sort: sort && SORTS.includes(sort) ? sort : 'receivedAt',
    order: str(q.order) === 'asc' ? 'asc' : 'desc',
    limit: Math.min(Math.max(Number(q.limit) || PAGE_SIZE, 1), 1000),
    offset: Math.max(Number(q.offset) || 0, 0),
  };
}

/** `date` filters as typed in the form are dates; `to` is inclusive for people, exclusive in the store. */
function storeQuery(q: SubmissionQuery): SubmissionQuery {
  const to = q.to && /^\d{4}-\d{2}-\d{2}$/.test(q.to) ? new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000).toISOString() : q.to;
  return { ...q, to };
}

function link(q: SubmissionQuery, change: Partial<SubmissionQuery>, base = '/audit/'): string {
  const merged = { ...q, ...change };
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) {
    if (v === undefined || v === '' || (k === 'limit' && v === PAGE_SIZE) || (k === 'offset' && v === 0) || (k === 'status' && v === 'rejected')) continue;
    if (k === 'sort' && v === 'receivedAt') continue;
    if (k === 'order' && v === 'desc') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `${base}?${s}` : base;
}

function ctxOf(res: Response, current: PageContext['current']): PageContext {
  const u = res.locals.auditor as { nameId: string; displayName?: string };
  return { user: { nameId: u.nameId, displayName: u.displayName }, csrfToken: String(res.locals.csrfToken ?? ''), current };
}

function fmtTime(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

const REPORT_CSV_HEADER = ['id', 'receivedAt', 'status', 'clientId', 'region', 'laboratory', 'bundleSystem', 'bundleValue', 'reportIdentifier', 'rules', 'sizeBytes', 'deliveredAt', 'lastError'];
function reportCsvRow(s: SubmissionSummary): unknown[] {
  return [s.id, s.receivedAt, s.status, s.clientId, s.region, s.laboratory, s.bundleIdentifier?.system, s.bundleIdentifier?.value, s.reportIdentifier, Object.entries(s.ruleCounts).map(([k, v]) => `${k}:${v}`).join(' '), s.sizeBytes, s.deliveredAt, s.lastError];
}

function sendCsv(res: Response, name: string, body: string): void {
  res.set('Content-Disposition', `attachment; filename="${name}"`).type('text/csv; charset=utf-8').send(body);
}

function wantsCsv(req: Request): boolean {
  return req.query.format === 'csv';
}

function issueRuleId(issue: OperationOutcomeIssue): string | undefined {
  return issue.details?.coding?.find((c) => c.code)?.code;
}

export function createAuditRouter(o: AuditRouterOptions): Router {
  const { audit } = o;
  const ruleUrl = (id: string) => `${o.ruleUrlBase ?? '/ig/rules.html'}#${encodeURIComponent(id)}`;
  const router = express.Router();

  router.get('/assets/audit.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(STYLE);
  });

  router.use(o.requireAuditor, o.csrfProtection);
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    next();
  });

  // ---- rejected reports (list) ----
  const listReports: RequestHandler = async (req, res, next) => {
    try {
      const q = queryOf(req);
      if (wantsCsv(req)) {
        const rows: unknown[][] = [];
        // Exports walk the whole filtered list in pages (bounded to keep one export sane).
        for (let offset = 0; offset < 100_000; offset += 1000) {
          const p = await audit.store.listSubmissions({ ...storeQuery(q), limit: 1000, offset });
          rows.push(...p.items.map(reportCsvRow));
          if (p.items.length < 1000) break;
        }
        sendCsv(res, 'submissions.csv', csv(REPORT_CSV_HEADER, rows));
        return;
      }
      const [result, facets] = await Promise.all([audit.store.listSubmissions(storeQuery(q)), audit.store.facets()]);
      if (req.baseUrl.endsWith('/api') || req.path.startsWith('/api')) {
        res.json(result);
        return;
      }
      const sortHeader = (field: SortField, label: string, cls = '') => {
        const active = q.sort === field;
        const nextOrder = active && q.order === 'desc' ? 'asc' : 'desc';
        return html`<th scope="col"${cls ? raw(` class="${cls}"`) : ''}${active ? raw(` aria-sort="${q.order === 'asc' ? 'ascending' : 'descending'}"`) : ''}><a href="${link(q, { sort: field, order: nextOrder, offset: 0 })}">${label}${active ? (q.order === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`;
      };
      const select = (name: string, label: string, values: string[], current?: string) =>
        html`<label>${label}<select name="${name}"><option value="">All</option>${values.map((v) => html`<option${v === current ? raw(' selected') : ''}>${v}</option>`)}</select></label>`;
      const from = result.offset + 1;
      const to = result.offset + result.items.length;
      const body = html`<h1>${q.status === 'rejected' ? 'Rejected reports' : 'Submissions'}</h1>
<form class="filters" method="get" action="/audit/" role="search" aria-label="Filter submissions">
${select('region', 'Region', facets.regions, q.region)}
${select('laboratory', 'Laboratory (SOR)', facets.laboratories, q.laboratory)}
${select('rule', 'Rule', facets.rules, q.rule)}
<label>Verdict<select name="status">${STATUSES.map((s) => html`<option value="${s}"${s === q.status ? raw(' selected') : ''}>${s === 'any' ? 'any verdict' : s}</option>`)}</select></label>
<label>From<input type="date" name="from" value="${q.from ?? ''}"></label>
<label>To (inclusive)<input type="date" name="to" value="${q.to ?? ''}"></label>
<label>Identifier contains<input type="search" name="text" value="${q.text ?? ''}" placeholder="Bundle, report, client or id"></label>
<input type="hidden" name="sort" value="${q.sort}"><input type="hidden" name="order" value="${q.order}">
<button type="submit">Filter</button> <a href="/audit/">Reset</a>
</form>
<p class="pager" aria-live="polite"><span id="count">${result.total === 0 ? 'No submissions match.' : `${from}–${to} of ${result.total}`}</span>
${result.offset > 0 ? html`<a rel="prev" href="${link(q, { offset: Math.max(0, result.offset - result.limit) })}">← Newer page</a>` : ''}
${to < result.total ? html`<a rel="next" href="${link(q, { offset: result.offset + result.limit })}">Next page →</a>` : ''}
<a href="${link(q, { offset: 0 }, '/audit/')}${link(q, {}, '').includes('?') ? '&' : '?'}format=csv">Export CSV</a>
<a href="${link(q, {}, '/audit/api/reports')}">JSON</a></p>
<table id="reports"><caption class="muted">Sorted by ${SORT_LABELS[q.sort ?? 'receivedAt']} (${q.order === 'asc' ? 'ascending' : 'descending'})</caption>
<thead><tr>${sortHeader('receivedAt', 'Received (UTC)')}${sortHeader('status', 'Verdict')}${sortHeader('region', 'Region')}${sortHeader('laboratory', 'Laboratory')}${sortHeader('client', 'Client')}<th scope="col">Bundle / report identifier</th><th scope="col">Rules</th>${sortHeader('size', 'Size', 'num')}</tr></thead>
<tbody>${result.items.map(
        (s) => html`<tr><td><a href="/audit/reports/${s.id}">${fmtTime(s.receivedAt)}</a></td><td class="status-${s.status}">${s.status}</td><td>${s.region ?? ''}</td><td>${s.laboratory ?? ''}</td><td>${s.clientId}</td>
<td>${s.bundleIdentifier?.value ?? html`<span class="muted">none</span>`}<br><span class="muted">${s.reportIdentifier ?? ''}</span></td>
<td>${Object.entries(s.ruleCounts).map(([r, n]) => html`<span class="tag">${r}${n > 1 ? ` ×${n}` : ''}</span>`)}</td><td class="num">${s.sizeBytes.toLocaleString('en')}</td></tr>`,
      )}</tbody></table>`;
      res.type('html').send(page(q.status === 'rejected' ? 'Rejected reports' : 'Submissions', ctxOf(res, 'reports'), body));
    } catch (err) {
      next(err);
    }
  };
  router.get('/', listReports);
  router.get('/reports', listReports);
  router.get('/api/reports', async (req, res, next) => {
    try {
      res.json(await audit.store.listSubmissions(storeQuery(queryOf(req))));
    } catch (err) {
      next(err);
    }
  });

  // ---- one report ----
  async function loadReport(req: Request, res: Response) {
    const id = String(req.params.id);
    const record: SubmissionRecord | undefined = /^[A-Za-z0-9-]{1,64}$/.test(id) ? await o.store.getSubmission(id) : undefined;
    if (!record) return undefined;
    let payload: unknown;
    let payloadText: string | undefined;
    let payloadState: 'shown' | 'purged' | 'not-kept' | 'unreadable' = 'not-kept';
    if (record.status === 'rejected') {
      const sealed = await o.store.getPayload(id);
      if (!sealed) payloadState = (await audit.store.getSummary(id))?.hasPayload === false && record.sizeBytes > 0 ? 'purged' : 'not-kept';
      else {
        try {
          const plain = audit.decrypt(sealed);
          payloadText = plain.toString('utf8');
          payload = parseJsonSafely(plain);
          payloadState = 'shown';
        } catch {
          payloadState = 'unreadable';
        }
        // Accountability: every decryption for a person is recorded before the data is sent.
        await audit.recordView(res.locals.auditor as { nameId: string; displayName?: string }, id, req.ip);
      }
    }
    const related = record.reportIdentifier ? await audit.store.byReportIdentifier(record.reportIdentifier) : [];
    return { record, payload, payloadText, payloadState, related };
  }

  router.get('/api/reports/:id', async (req, res, next) => {
    try {
      const r = await loadReport(req, res);
      if (!r) {
        res.status(404).json({ error: 'not-found' });
        return;
      }
      res.json({ submission: { ...r.record }, payloadState: r.payloadState, payload: r.payload ?? r.payloadText, related: r.related });
    } catch (err) {
      next(err);
    }
  });

  router.get('/reports/:id', async (req, res, next) => {
    try {
      const r = await loadReport(req, res);
      if (!r) {
        res.status(404).type('html').send(page('Not found', ctxOf(res, 'reports'), html`<h1>Not found</h1><p>There is no submission with this id. <a href="/audit/">Back to the list</a>.</p>`));
        return;
      }
      const { record } = r;
      const issues = record.outcome.issue ?? [];
      const pretty = r.payload !== undefined ? prettyWithSpans(r.payload) : undefined;
      const targets = issues.map((i) => (pretty ? spanOfExpression(i.expression?.[0], pretty.spans) : undefined));
      const flagged = new Map<number, number[]>();
      targets.forEach((t, i) => {
        if (!t) return;
        for (let l = t.span[0]; l <= t.span[1]; l++) flagged.set(l, [...(flagged.get(l) ?? []), i]);
      });
      const firstLineOf = new Map<number, number[]>();
      targets.forEach((t, i) => t && firstLineOf.set(t.span[0], [...(firstLineOf.get(t.span[0]) ?? []), i]));

      const issueItems = issues.map((issue, i) => {
        const rule = issueRuleId(issue);
        const cat = rule ? o.rules.get(rule) : undefined;
        const t = targets[i];
        return html`<li id="issue-${i + 1}" class="${issue.severity}"><strong>${issue.severity}</strong> ·
${rule ? html`<a class="rule" href="${ruleUrl(rule)}">${rule}</a>` : html`<code>${issue.code}</code>`}
<p lang="da"><span class="muted">Dansk:</span> ${issue.details?.text ?? cat?.da ?? ''}</p>
<p lang="en"><span class="muted">English:</span> ${issue.diagnostics ?? cat?.en ?? ''}</p>
${issue.expression?.length ? html`<p>Element: ${t ? html`<a class="goto" href="#L${t.span[0] + 1}">${issue.expression[0]}</a>${t.exact ? '' : html` <span class="muted">(nearest element shown)</span>`}` : html`<code>${issue.expression[0]}</code>`}</p>` : ''}</li>`;
      });
      const payloadHtml: Html = pretty
        ? html`<pre class="payload" aria-label="Submitted Bundle">${pretty.lines.map((line, n) => {
            const f = flagged.get(n);
            const back = firstLineOf.get(n);
            return html`<span class="ln${f ? ' flagged' : ''}" id="L${n + 1}"${f ? raw(` data-issues="${f.map((x) => x + 1).join(' ')}"`) : ''}>${line}${back ? back.map((b) => html`<a class="back" href="#issue-${b + 1}" aria-label="Back to issue ${b + 1}">↑ issue ${b + 1}</a>`) : ''}</span>`;
          })}</pre>`
        : r.payloadText !== undefined
          ? html`<p>The payload is not JSON; shown as received.</p><pre class="payload">${r.payloadText}</pre>`
          : html`<p class="muted">${{ purged: 'The payload was deleted after the retention period.', 'not-kept': record.status === 'rejected' ? 'The payload of this submission was not kept.' : 'Payloads of accepted submissions are forwarded, not kept for audit.', unreadable: 'The payload cannot be decrypted with the configured keys.', shown: '' }[r.payloadState]}</p>`;
      const body = html`<p><a href="/audit/">← Rejected reports</a></p>
<h1>Submission ${record.id}</h1>
<h2>Receipt</h2>
<dl class="receipt">
<dt>Verdict</dt><dd class="status-${record.status}">${record.status}</dd>
<dt>Received</dt><dd>${fmtTime(record.receivedAt)}</dd>
<dt>Client</dt><dd>${record.clientId}</dd><dt>Region</dt><dd>${record.region ?? ''}</dd><dt>Laboratory (SOR)</dt><dd>${record.sorCode ?? ''}</dd>
<dt>Bundle.identifier</dt><dd>${record.bundleIdentifier ? `${record.bundleIdentifier.system} | ${record.bundleIdentifier.value}` : 'none'}</dd>
<dt>Report identifier</dt><dd>${record.reportIdentifier ?? 'none'}</dd><dt>Size</dt><dd>${record.sizeBytes.toLocaleString('en')} bytes</dd>
${record.delivery?.deliveredAt ? html`<dt>Delivered</dt><dd>${fmtTime(record.delivery.deliveredAt)}</dd>` : ''}
${record.delivery?.lastError ? html`<dt>Delivery error</dt><dd>${record.delivery.lastError}</dd>` : ''}
</dl>
<h2 id="issues-h">Issues (${issues.length})</h2>
<ol class="issues" aria-labelledby="issues-h">${issueItems}</ol>
<h2>Submissions with the same report identifier</h2>
${r.related.length > 1
  ? html`<table><thead><tr><th scope="col">Received</th><th scope="col">Verdict</th><th scope="col">Rules</th></tr></thead><tbody>${r.related.map((s) => html`<tr${s.id === record.id ? raw(' aria-current="true"') : ''}><td>${s.id === record.id ? html`<strong>${fmtTime(s.receivedAt)} (this one)</strong>` : html`<a href="/audit/reports/${s.id}">${fmtTime(s.receivedAt)}</a>`}</td><td class="status-${s.status}">${s.status}</td><td>${Object.keys(s.ruleCounts).join(' ')}</td></tr>`)}</tbody></table>`
  : html`<p class="muted">None: this is the only submission of this report.</p>`}
<h2>Payload</h2>
${payloadHtml}`;
      res.type('html').send(page(`Submission ${record.id}`, ctxOf(res, 'reports'), body));
    } catch (err) {
      next(err);
    }
  });

  // ---- statistics ----
  function statsRange(req: Request) {
    const q = req.query as Record<string, unknown>;
    const from = str(q.from);
    const to = str(q.to);
    return {
      from: from && instantOf(from) ? from : undefined,
      to: to && instantOf(to) ? to : undefined,
      toExclusive: to && /^\d{4}-\d{2}-\d{2}$/.test(to) ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString() : to && instantOf(to) ? to : undefined,
      bucket: str(q.bucket) === 'month' ? ('month' as const) : ('day' as const),
      region: str(q.region),
      laboratory: str(q.laboratory),
    };
  }
  const acceptance = (req: Request) => {
    const r = statsRange(req);
    return audit.store.acceptanceOverTime({ from: r.from, to: r.toExclusive, bucket: r.bucket });
  };
  const ruleFreq = (req: Request) => {
    const r = statsRange(req);
    return audit.store.ruleFrequencies({ from: r.from, to: r.toExclusive, region: r.region, laboratory: r.laboratory, limit: 1000 });
  };
  const resub = (req: Request) => {
    const r = statsRange(req);
    return audit.store.resubmissionTimes({ from: r.from, to: r.toExclusive });
  };
  const statHandlers = {
    acceptance: { load: acceptance, header: ['period', 'region', 'total', 'accepted', 'acceptanceRate'], row: (b: { period: string; region: string; total: number; accepted: number }) => [b.period, b.region, b.total, b.accepted, (b.accepted / b.total).toFixed(4)] },
    rules: { load: ruleFreq, header: ['region', 'laboratory', 'rule', 'submissions', 'issues'], row: (f: { region: string; laboratory: string; rule: string; submissions: number; issues: number }) => [f.region, f.laboratory, f.rule, f.submissions, f.issues] },
    resubmission: { load: resub, header: ['region', 'rejected', 'resubmittedAccepted', 'medianHours', 'meanHours'], row: (t: { region: string; rejected: number; resubmitted: number; medianHours?: number; meanHours?: number }) => [t.region, t.rejected, t.resubmitted, t.medianHours?.toFixed(2), t.meanHours?.toFixed(2)] },
  } as const;
  for (const [name, h] of Object.entries(statHandlers)) {
    router.get(`/stats/${name}.csv`, async (req, res, next) => {
      try {
        const data = (await h.load(req)) as unknown[];
        sendCsv(res, `${name}.csv`, csv([...h.header], data.map((d) => (h.row as (x: unknown) => unknown[])(d))));
      } catch (err) {
        next(err);
      }
    });
    router.get(`/api/stats/${name}`, async (req, res, next) => {
      try {
        res.json(await h.load(req));
      } catch (err) {
        next(err);
      }
    });
  }

  router.get('/stats', async (req, res, next) => {
    try {
      const r = statsRange(req);
      const [acc, freq, times, facets] = await Promise.all([acceptance(req), ruleFreq(req), resub(req), audit.store.facets()]);
      const qs = new URLSearchParams(Object.entries({ from: r.from, to: r.to, bucket: r.bucket === 'month' ? 'month' : undefined, region: r.region, laboratory: r.laboratory }).filter(([, v]) => v) as [string, string][]).toString();
      const suffix = qs ? `?${qs}` : '';
      const regions = [...new Set(acc.map((a) => a.region))];
      const series = regions.map((region) => ({ name: region, points: acc.filter((a) => a.region === region).map((a) => ({ x: a.period, y: a.accepted / a.total })) }));
      const totalsByRule = new Map<string, number>();
      for (const f of freq) totalsByRule.set(f.rule, (totalsByRule.get(f.rule) ?? 0) + f.submissions);
      const topRules = [...totalsByRule.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
      const byRegion = new Map<string, Map<string, number>>();
      for (const f of freq) {
        const m = byRegion.get(f.region) ?? new Map<string, number>();
        m.set(f.rule, (m.get(f.rule) ?? 0) + f.submissions);
        byRegion.set(f.region, m);
      }
      const pct = (v: number) => `${(v * 100).toFixed(0)} %`;
      const body = html`<h1>Statistics</h1>
<form class="filters" method="get" action="/audit/stats" aria-label="Statistics period">
<label>From<input type="date" name="from" value="${r.from ?? ''}"></label><label>To (inclusive)<input type="date" name="to" value="${r.to ?? ''}"></label>
<label>Per<select name="bucket"><option value="day"${r.bucket === 'day' ? raw(' selected') : ''}>day</option><option value="month"${r.bucket === 'month' ? raw(' selected') : ''}>month</option></select></label>
<label>Region (rules)<select name="region"><option value="">All</option>${facets.regions.map((v) => html`<option${v === r.region ? raw(' selected') : ''}>${v}</option>`)}</select></label>
<label>Laboratory (rules)<select name="laboratory"><option value="">All</option>${facets.laboratories.map((v) => html`<option${v === r.laboratory ? raw(' selected') : ''}>${v}</option>`)}</select></label>
<button type="submit">Show</button></form>
<section aria-labelledby="acc-h"><h2 id="acc-h">Acceptance rate per region</h2>
<figure>${raw(lineChart(series, { title: 'Share of submissions accepted, per region and ' + r.bucket, yMax: 1, yFormat: pct, id: 'chart-acceptance' }))}
<figcaption>Accepted ÷ all submissions per ${r.bucket}. <a href="/audit/stats/acceptance.csv${suffix}">Numbers as CSV</a> · <a href="/audit/api/stats/acceptance${suffix}">JSON</a></figcaption></figure>
<table id="table-acceptance"><thead><tr><th scope="col">Period</th><th scope="col">Region</th><th scope="col" class="num">Submissions</th><th scope="col" class="num">Accepted</th><th scope="col" class="num">Rate</th></tr></thead>
<tbody>${acc.map((a) => html`<tr><td>${a.period}</td><td>${a.region}</td><td class="num">${a.total}</td><td class="num">${a.accepted}</td><td class="num">${pct(a.accepted / a.total)}</td></tr>`)}</tbody></table></section>
<section aria-labelledby="rules-h"><h2 id="rules-h">Most frequent rules</h2>
<figure>${raw(barChart(topRules.map(([rule, n]) => ({ label: rule, value: n })), { title: 'Rejected submissions per rule', id: 'chart-rules', format: (v) => String(v) }))}
<figcaption>Rejected submissions breaking each rule${r.region ? ` in region ${r.region}` : ''}${r.laboratory ? ` at laboratory ${r.laboratory}` : ''}. <a href="/audit/stats/rules.csv${suffix}">Numbers as CSV</a> · <a href="/audit/api/stats/rules${suffix}">JSON</a></figcaption></figure>
${[...byRegion.entries()].map(([region, m]) => html`<h3>Region ${region}</h3><p>${[...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([rule, n]) => html`<a class="tag" href="${ruleUrl(rule)}">${rule}</a> ${n} · `)}</p>`)}
<table id="table-rules"><thead><tr><th scope="col">Region</th><th scope="col">Laboratory</th><th scope="col">Rule</th><th scope="col" class="num">Submissions</th><th scope="col" class="num">Issues</th></tr></thead>
<tbody>${freq.slice(0, 100).map((f) => html`<tr><td>${f.region}</td><td>${f.laboratory}</td><td><a href="${link({ status: 'rejected', region: f.region === '(none)' ? undefined : f.region, laboratory: f.laboratory === '(none)' ? undefined : f.laboratory, rule: f.rule }, {})}">${f.rule}</a></td><td class="num">${f.submissions}</td><td class="num">${f.issues}</td></tr>`)}</tbody></table></section>
<section aria-labelledby="resub-h"><h2 id="resub-h">Time from rejection to accepted resubmission</h2>
<figure>${raw(barChart(times.filter((t) => t.medianHours !== undefined).map((t) => ({ label: `Region ${t.region}`, value: t.medianHours as number, note: `${t.resubmitted} of ${t.rejected} resubmitted` })), { title: 'Median hours from a rejection to an accepted submission of the same report', id: 'chart-resubmission', format: (v) => `${v.toFixed(1)} h` }))}
<figcaption>Median hours until a submission with the same report identifier was accepted. <a href="/audit/stats/resubmission.csv${suffix}">Numbers as CSV</a> · <a href="/audit/api/stats/resubmission${suffix}">JSON</a></figcaption></figure>
<table id="table-resubmission"><thead><tr><th scope="col">Region</th><th scope="col" class="num">Rejected</th><th scope="col" class="num">Accepted later</th><th scope="col" class="num">Median hours</th><th scope="col" class="num">Mean hours</th></tr></thead>
<tbody>${times.map((t) => html`<tr><td>${t.region}</td><td class="num">${t.rejected}</td><td class="num">${t.resubmitted}</td><td class="num">${t.medianHours?.toFixed(1) ?? '–'}</td><td class="num">${t.meanHours?.toFixed(1) ?? '–'}</td></tr>`)}</tbody></table></section>`;
      res.type('html').send(page('Statistics', ctxOf(res, 'stats'), body));
    } catch (err) {
      next(err);
    }
  });

  // ---- audit log ----
  function eventQuery(req: Request) {
    const q = req.query as Record<string, unknown>;
    const dates = ([] as unknown[]).concat(q.date ?? []).map(String);
    let from = str(q.from);
    let to = str(q.to);
    for (const d of dates) {
      if (d.startsWith('ge')) from = d.slice(2);
      else if (d.startsWith('lt')) to = d.slice(2);
    }
    const entity = str(q.entity);
    return {
      from,
      to,
      type: str(q.type),
      subtype: str(q.subtype),
      outcome: str(q.outcome),
      agent: str(q.agent),
      submission: str(q.submission) ?? (entity?.startsWith('Task/') ? entity.slice(5) : undefined),
      subjectHash: str(q['patient-hash']),
      limit: Math.min(Math.max(Number(q._count ?? q.limit) || 100, 1), 1000),
      offset: Math.max(Number(q._offset ?? q.offset) || 0, 0),
    };
  }
  router.get('/api/AuditEvent', async (req, res, next) => {
    try {
      const q = eventQuery(req);
      const r = await audit.store.searchEvents(q);
      // The self link states the search that was run (a searchset needs one).
      const self = `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`;
      res.type('application/fhir+json').json({
        resourceType: 'Bundle',
        type: 'searchset',
        total: r.total,
        link: [{ relation: 'self', url: self }],
        entry: r.items.map((e) => ({ fullUrl: `urn:uuid:${e.resource.id}`, resource: e.resource, search: { mode: 'match' } })),
      });
    } catch (err) {
      next(err);
    }
  });
  router.get('/events', async (req, res, next) => {
    try {
      const q = eventQuery(req);
      const r = await audit.store.searchEvents(q);
      const rows = r.items.map((e) => {
        const ev = e.resource;
        const who = ev.agent.find((a) => a.requestor)?.who;
        return { recorded: ev.recorded, type: ev.type.display ?? ev.type.code, subtype: ev.subtype?.[0]?.code, action: ev.action, outcome: ev.outcome, who: who?.identifier?.value ?? who?.display, submission: e.submissionId, patientHash: e.subjectHash, desc: ev.outcomeDesc };
      });
      if (wantsCsv(req)) {
        sendCsv(res, 'audit-events.csv', csv(['recorded', 'type', 'subtype', 'action', 'outcome', 'agent', 'submission', 'patientHash', 'description'], rows.map((x) => [x.recorded, x.type, x.subtype, x.action, x.outcome, x.who, x.submission, x.patientHash, x.desc])));
        return;
      }
      const p = new URLSearchParams(Object.entries({ ...q, limit: undefined, offset: undefined }).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
      const body = html`<h1>Audit log</h1>
<form class="filters" method="get" action="/audit/events" aria-label="Filter audit events">
<label>Subtype<select name="subtype"><option value="">All</option>${['transaction', 'create', 'read', 'Login', 'search-type'].map((s) => html`<option value="${s === 'Login' ? '110122' : s}"${(s === 'Login' ? '110122' : s) === q.subtype ? raw(' selected') : ''}>${s === 'transaction' ? 'submission' : s === 'create' ? 'forward' : s === 'read' ? 'report viewed' : s === 'Login' ? 'failed login' : 'access request'}</option>`)}</select></label>
<label>Outcome<select name="outcome"><option value="">All</option>${[['0', 'success'], ['4', 'minor failure'], ['8', 'serious failure']].map(([v, l]) => html`<option value="${v}"${v === q.outcome ? raw(' selected') : ''}>${l}</option>`)}</select></label>
<label>Agent (client id or NameID)<input name="agent" value="${q.agent ?? ''}"></label>
<label>Submission id<input name="submission" value="${q.submission ?? ''}"></label>
<label>From<input type="date" name="from" value="${q.from ?? ''}"></label><label>Before<input type="date" name="to" value="${q.to ?? ''}"></label>
<button type="submit">Filter</button></form>
<p class="pager"><span>${r.total} events${r.total > r.items.length ? ` (first ${r.items.length} shown)` : ''}</span> <a href="/audit/events?${p.toString()}${p.toString() ? '&' : ''}format=csv">Export CSV</a> <a href="/audit/api/AuditEvent?${p.toString()}">FHIR JSON</a></p>
<table id="events"><thead><tr><th scope="col">Recorded</th><th scope="col">Event</th><th scope="col">Outcome</th><th scope="col">Agent</th><th scope="col">Submission</th><th scope="col">Description</th></tr></thead>
<tbody>${rows.map((x) => html`<tr><td>${fmtTime(x.recorded)}</td><td>${x.type} / ${x.subtype}</td><td>${x.outcome}</td><td>${x.who ?? ''}</td><td>${x.submission ? html`<a href="/audit/reports/${x.submission}">${x.submission.slice(0, 8)}…</a>` : ''}</td><td>${x.desc ?? ''}</td></tr>`)}</tbody></table>`;
      res.type('html').send(page('Audit log', ctxOf(res, 'events'), body));
    } catch (err) {
      next(err);
    }
  });

  // ---- data-subject access request (POST: a CPR never travels in a URL or a log line) ----
  const accessForm = (res: Response, result?: Html) =>
    page('Access request', ctxOf(res, 'access'), html`<h1>Data-subject access request</h1>
<p>Who submitted, forwarded or looked at a person's data. The CPR number is hashed with the gateway's secret key and never stored or logged.</p>
<form class="filters" method="post" action="/audit/access-request"><input type="hidden" name="_csrf" value="${String(res.locals.csrfToken ?? '')}">
<label for="cpr">CPR or eCPR number</label><input id="cpr" name="cpr" inputmode="numeric" autocomplete="off" required pattern="[0-9A-Za-z]{10}" maxlength="10">
<button type="submit">Look up</button></form>${result ?? ''}`);
  router.get('/access-request', (_req, res) => {
    res.type('html').send(accessForm(res));
  });
  const cprOf = (req: Request) => {
    const v = (req.body as Record<string, unknown> | undefined)?.cpr;
    return typeof v === 'string' && /^[0-9A-Za-z]{10}$/.test(v.trim()) ? v.trim() : undefined;
  };
  router.post('/access-request', async (req, res, next) => {
    try {
      const cpr = cprOf(req);
      if (!cpr) {
        res.status(400).type('html').send(accessForm(res, html`<p role="alert" class="status-rejected">Enter a 10-character CPR or eCPR number.</p>`));
        return;
      }
      const a = await audit.accessRequest(cpr, res.locals.auditor as { nameId: string; displayName?: string });
      const rows = a.events.map((e) => ({ ev: e.resource, sub: e.submissionId }));
      res.type('html').send(
        accessForm(res, html`<h2>Result</h2><p id="access-summary">${a.submissions.length} submissions about this person; ${rows.filter((r) => r.ev.subtype?.[0]?.code === 'read').length} views of their data by auditors.</p>
<table id="access-events"><thead><tr><th scope="col">Recorded</th><th scope="col">Event</th><th scope="col">Who</th><th scope="col">Submission</th></tr></thead><tbody>${rows.map(({ ev, sub }) => {
          const who = ev.agent.find((x) => x.requestor)?.who;
          return html`<tr><td>${fmtTime(ev.recorded)}</td><td>${ev.subtype?.[0]?.display ?? ev.type.display}</td><td>${who?.identifier?.value ?? who?.display ?? ''}${who?.display && who.identifier ? ` (${who.display})` : ''}</td><td>${sub ? html`<a href="/audit/reports/${sub}">${sub}</a>` : ''}</td></tr>`;
        })}</tbody></table>`),
      );
    } catch (err) {
      next(err);
    }
  });
  router.post('/api/access-request', express.json({ limit: '4kb' }), async (req, res, next) => {
    try {
      const cpr = cprOf(req);
      if (!cpr) {
        res.status(400).json({ error: 'invalid-request', message: 'body must be {"cpr": "<10 characters>"}' });
        return;
      }
      const a = await audit.accessRequest(cpr, res.locals.auditor as { nameId: string; displayName?: string });
      res.json({ patientHash: a.subjectHash, submissions: a.submissions, events: a.events.map((e) => e.resource) });
    } catch (err) {
      next(err);
    }
  });

  router.use((_req, res) => {
    res.status(404).type('text/plain').send('not found');
  });
  return router;
}

export { esc };
