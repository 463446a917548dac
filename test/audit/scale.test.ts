/**
 * The auditors' queries on 100,000 submissions (two thirds rejected, with rule index rows) on both
 * engines: every list, filter, deep page and statistic answers within a bound that makes the
 * workspace usable, and the timings are printed (the figures quoted in the report).
 */
import { AuditStore } from '../../src/audit';
import { createHarness, type EngineName } from '../store/engines';

const N = 100_000;
const RULES = ['PAT-02', 'VAR-03', 'SUB-05', 'REP-01', 'VAR-07', 'PAT-05', 'QC-02'];
const REGIONS = ['Hovedstaden', 'Sjaelland', 'Syddanmark', 'Midtjylland', 'Nordjylland'];

async function seed(a: AuditStore): Promise<void> {
  const ex = a.executor;
  const t0 = Date.parse('2025-12-01T00:00:00Z');
  if (ex.kind === 'postgres') {
    await ex.exec(`INSERT INTO submissions (id, client_id, region, sor_code, bundle_system, bundle_value, report_identifier, content_hash, size_bytes, status, received_at, updated_at, outcome, rule_counts)
      SELECT 'id-' || g, 'client-' || (g % 5), (ARRAY['${REGIONS.join("','")}'])[1 + g % 5], 'sor-' || (g % 40), 'https://lab', 'bundle-' || g, 'https://lab/r|rep-' || (g / 2),
        md5(g::text), 1000 + g % 5000, CASE WHEN g % 3 = 0 THEN 'accepted' ELSE 'rejected' END,
        timestamptz '2025-12-01T00:00:00Z' + g * interval '5 minutes', now(), '{}'::jsonb,
        CASE WHEN g % 3 = 0 THEN '{}'::jsonb ELSE jsonb_build_object((ARRAY['${RULES.join("','")}'])[1 + g % 7], 1) END
      FROM generate_series(1, ${N}) g`);
    await ex.exec(`INSERT INTO audit_submission_rules (submission_id, rule_id, count)
      SELECT 'id-' || g, (ARRAY['${RULES.join("','")}'])[1 + g % 7], 1 FROM generate_series(1, ${N}) g WHERE g % 3 <> 0`);
    await ex.exec('ANALYZE');
    return;
  }
  await ex.tx(async (db) => {
    for (let g = 1; g <= N; g++) {
      const rejected = g % 3 !== 0;
      const rule = RULES[g % 7];
      const at = new Date(t0 + g * 300_000).toISOString();
      await db.run(
        `INSERT INTO submissions (id, client_id, region, sor_code, bundle_system, bundle_value, report_identifier, content_hash, size_bytes, status, received_at, updated_at, outcome, rule_counts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [`id-${g}`, `client-${g % 5}`, REGIONS[g % 5], `sor-${g % 40}`, 'https://lab', `bundle-${g}`, `https://lab/r|rep-${Math.floor(g / 2)}`, String(g), 1000 + (g % 5000), rejected ? 'rejected' : 'accepted', at, at, '{}', rejected ? JSON.stringify({ [rule]: 1 }) : '{}'],
      );
      if (rejected) await db.run('INSERT INTO audit_submission_rules (submission_id, rule_id, count) VALUES (?, ?, 1)', [`id-${g}`, rule]);
    }
  });
  await ex.exec('ANALYZE');
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  // Best of three: the machine is shared, the first run also warms the page cache.
  let best = Infinity;
  let value: T | undefined;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    value = await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms: best, value: value as T };
}

describe.each<EngineName>(['sqlite', 'postgres'])('audit queries on %s with 100,000 submissions', (engine) => {
  const harness = createHarness(engine);
  let a: AuditStore;
  beforeAll(async () => {
    const db = await harness.fresh();
    await db.open();
    a = await AuditStore.open(db.config);
    const t = Date.now();
    await seed(a);
    process.stdout.write(`[${engine}] seeded ${N} submissions in ${Date.now() - t} ms\n`);
  }, 300_000);
  afterAll(async () => {
    await a?.close();
    await harness.cleanup();
  });

  it('answers every workspace query fast', async () => {
    const figures: Record<string, number> = {};
    const check = async <T>(name: string, fn: () => Promise<T>, verify: (v: T) => void) => {
      const r = await timed(fn);
      verify(r.value);
      figures[name] = Math.round(r.ms * 10) / 10;
    };
    await check('first page, newest first', () => a.listSubmissions({}), (p) => {
      expect(p.total).toBe(N - Math.floor(N / 3));
      expect(p.items[0].id).toBe('id-100000');
    });
    await check('region + rule + date range', () => a.listSubmissions({ region: 'Syddanmark', rule: 'VAR-03', from: '2026-01-01', to: '2026-03-01' }), (p) => {
      expect(p.total).toBeGreaterThan(0);
      for (const i of p.items) expect(i).toMatchObject({ region: 'Syddanmark', ruleCounts: { 'VAR-03': 1 } });
    });
    await check('laboratory, sorted by size asc', () => a.listSubmissions({ laboratory: 'sor-7', sort: 'size', order: 'asc' }), (p) => expect(p.items[0].sizeBytes).toBeLessThanOrEqual(p.items[1].sizeBytes));
    await check('free text on identifiers', () => a.listSubmissions({ status: 'any', text: 'bundle-4242' }), (p) => expect(p.items.map((i) => i.id)).toContain('id-4242'));
    await check('deep page (offset 50,000)', () => a.listSubmissions({ offset: 50_000 }), (p) => expect(p.items).toHaveLength(50));
    await check('related by report identifier', () => a.byReportIdentifier('https://lab/r|rep-2000'), (s) => expect(s.map((x) => x.id).sort()).toEqual(['id-4000', 'id-4001']));
    await check('acceptance per region per month', () => a.acceptanceOverTime({ bucket: 'month' }), (b) => expect(b.reduce((n, x) => n + x.total, 0)).toBe(N));
    await check('rule frequencies', () => a.ruleFrequencies({}), (f) => expect(f.length).toBeGreaterThan(0));
    await check('resubmission times (all)', () => a.resubmissionTimes({}), (t) => expect(t.reduce((n, x) => n + x.rejected, 0)).toBe(N - Math.floor(N / 3)));
    await check('facets', () => a.facets(), (f) => expect(f.regions).toHaveLength(5));
    process.stdout.write(`[${engine}] query ms (best of 3): ${JSON.stringify(figures)}\n`);
    // Filtered lists within half a second, a substring search (no trigram index: a scan) within a
    // second, statistics within a few seconds, on a shared 2-core machine.
    const bound = (name: string) => (/^(resubmission|acceptance|rule)/.test(name) ? 5000 : name.startsWith('free text') ? 1000 : 500);
    for (const [name, ms] of Object.entries(figures)) expect({ name, fast: ms < bound(name) }).toEqual({ name, fast: true });
  }, 300_000);
});
