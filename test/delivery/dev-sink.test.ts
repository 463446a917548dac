import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDeliveryWorker, createDevSinkTarget, createTargetFromEnv, readDevSinkJournal, type DevSinkTarget } from '../../src/delivery';
import { createHarness } from '../store/engines';
import { acceptSubmission } from './bundles';

describe('local development sink', () => {
  const harness = createHarness('sqlite');
  const sinks: DevSinkTarget[] = [];
  const open = (dataDir: string) => {
    const sink = createDevSinkTarget(dataDir, 'development');
    sinks.push(sink);
    return sink;
  };
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close?.()));
    await harness.cleanup();
  });

  /** What the outbox hands a target: the transaction's JSON bytes. */
  const json = (bundle: unknown) => Buffer.from(JSON.stringify(bundle));
  const journalIds = (dataDir: string) => readDevSinkJournal(dataDir).map((d) => d.submissionId);

  it('is refused with a clear error when NODE_ENV=production', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-sink-'));
    expect(() => createDevSinkTarget(dir, 'production')).toThrow(
      'NGC_DATABASE_URL is not set and NODE_ENV=production: refusing to deliver accepted reports to the local development sink',
    );
    expect(() => createTargetFromEnv({ dataDir: dir, nodeEnv: 'production' })).toThrow(/refusing/);
    expect(fs.existsSync(path.join(dir, 'dev-sink'))).toBe(false);
  });

  it('receives accepted submissions in a labelled folder, one journal line per submission however often sent', async () => {
    const db = await harness.fresh();
    const store = await db.open();
    const target = createTargetFromEnv({ dataDir: db.config.dataDir, nodeEnv: 'development' }) as DevSinkTarget;
    sinks.push(target);
    expect(target.description).toMatch(/^LOCAL DEVELOPMENT SINK in .*dev-sink \(not the National Genome Database\)$/);
    const { record } = await acceptSubmission(store);
    const worker = createDeliveryWorker({ store, target });
    expect(await worker.runOnce()).toBe(1);
    const dir = path.join(db.config.dataDir, 'dev-sink');
    expect(fs.readFileSync(path.join(dir, 'README.txt'), 'utf8')).toMatch(/NOT THE NATIONAL GENOME DATABASE/);
    const [line] = readDevSinkJournal(db.config.dataDir);
    expect(line.submissionId).toBe(record.id);
    expect(Number.isNaN(Date.parse(line.deliveredAt))).toBe(false);
    expect(line.bundle.resourceType).toBe('Bundle');
    expect(line.bundle.entry![0].request!.ifNoneExist).toMatch(/^_tag=http:\/\/ngc\.dk\/fhir\/genomics\/delivery-key\|urn:uuid:/);
    const sub = await store.getSubmission(record.id);
    expect(sub?.status).toBe('delivered');
    expect(sub?.delivery?.response).toMatchObject({ status: 201, location: `file://${target.journal}#line=1` });

    // A resend (a crash after the sink answered, before the gateway recorded it) finds the first copy.
    expect(await target.deliver(record.id, json(line.bundle))).toEqual({ status: 200, location: `file://${target.journal}#line=1` });
    expect(fs.readdirSync(dir).sort()).toEqual(['README.txt', 'deliveries.ndjson']);
    expect(journalIds(db.config.dataDir)).toEqual([record.id]);
  });

  it('writes each submission once: concurrent sends of one submission and of many, and resends after a restart', async () => {
    const db = await harness.fresh();
    const store = await db.open();
    const target = open(db.config.dataDir);
    const subs = await Promise.all(Array.from({ length: 30 }, () => acceptSubmission(store)));
    const twice = subs[0];
    const answers = await Promise.all([
      ...subs.map((s) => target.deliver(s.record.id, json(s.bundle))),
      target.deliver(twice.record.id, json(twice.bundle)),
      target.deliver(twice.record.id, json(twice.bundle)),
    ]);
    expect(answers.every((a) => a.status === 201)).toBe(true);
    const lines = readDevSinkJournal(db.config.dataDir);
    expect(lines.map((l) => l.submissionId).sort()).toEqual(subs.map((s) => s.record.id).sort());
    for (const s of subs) expect(lines.find((l) => l.submissionId === s.record.id)?.bundle).toEqual(s.bundle);
    await target.close!();

    // A restarted gateway reads the journal's ids: what it holds is not written again.
    const restarted = open(db.config.dataDir);
    const again = await restarted.deliver(subs[7].record.id, json(subs[7].bundle));
    expect(again.status).toBe(200);
    const fresh = await acceptSubmission(store);
    expect((await restarted.deliver(fresh.record.id, json(fresh.bundle))).location).toBe(`file://${restarted.journal}#line=31`);
    expect(journalIds(db.config.dataDir)).toEqual([...lines.map((l) => l.submissionId), fresh.record.id]);
  });

  it('keeps only whole lines: a line cut short by a crash is removed at start-up and its submission written again', async () => {
    const db = await harness.fresh();
    const store = await db.open();
    const first = await acceptSubmission(store);
    const cut = await acceptSubmission(store);
    const target = open(db.config.dataDir);
    await target.deliver(first.record.id, json(first.bundle));
    await target.close!();
    // What a gateway killed in the middle of a write leaves: the start of the next line.
    const journal = target.journal;
    const whole = fs.readFileSync(journal);
    fs.appendFileSync(journal, `{"submissionId":"${cut.record.id}","deliveredAt":"2026-01-01T00:00:00.000Z","bundle":{"resourceType":"Bun`);

    const restarted = open(db.config.dataDir);
    expect(fs.readFileSync(journal)).toEqual(whole);
    // Never answered, so never recorded as delivered: the resend writes it, whole.
    expect(await restarted.deliver(cut.record.id, json(cut.bundle))).toEqual({ status: 201, location: `file://${journal}#line=2` });
    expect(readDevSinkJournal(db.config.dataDir).map((l) => [l.submissionId, l.bundle])).toEqual([
      [first.record.id, first.bundle],
      [cut.record.id, cut.bundle],
    ]);
  });

  it('takes back a batch whose sync failed, so the retry leaves one copy', async () => {
    const db = await harness.fresh();
    const store = await db.open();
    const [a, b] = await Promise.all([acceptSubmission(store), acceptSubmission(store)]);
    const target = open(db.config.dataDir);
    const failing = jest.spyOn(fs, 'fdatasync').mockImplementationOnce(((_fd: number, cb: (err: Error | null) => void) => cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))) as typeof fs.fdatasync);
    try {
      const sent = await Promise.allSettled([target.deliver(a.record.id, json(a.bundle)), target.deliver(b.record.id, json(b.bundle))]);
      expect(sent.map((s) => s.status)).toEqual(['rejected', 'rejected']);
      expect(fs.statSync(target.journal).size).toBe(0);
    } finally {
      failing.mockRestore();
    }
    expect((await target.deliver(b.record.id, json(b.bundle))).status).toBe(201);
    expect((await target.deliver(a.record.id, json(a.bundle))).status).toBe(201);
    expect(journalIds(db.config.dataDir)).toEqual([b.record.id, a.record.id]);
  });

  it('reads submission ids of lines longer than its read buffer', async () => {
    const db = await harness.fresh();
    const store = await db.open();
    const big = await acceptSubmission(store);
    // A Bundle of about 3 MiB: its line spans several of the start-up scan's 1 MiB reads.
    big.bundle.entry![0].resource!.id = 'x'.repeat(3 << 20);
    const small = await acceptSubmission(store);
    const target = open(db.config.dataDir);
    await target.deliver(big.record.id, json(big.bundle));
    await target.deliver(small.record.id, json(small.bundle));
    await target.close!();
    const restarted = open(db.config.dataDir);
    expect(await restarted.deliver(big.record.id, json(big.bundle))).toEqual({ status: 200, location: `file://${restarted.journal}#line=1` });
    expect(await restarted.deliver(small.record.id, json(small.bundle))).toEqual({ status: 200, location: `file://${restarted.journal}#line=2` });
    expect(journalIds(db.config.dataDir)).toEqual([big.record.id, small.record.id]);
  });

  it('fails a send after close and refuses an id that could not name a submission', async () => {
    const db = await harness.fresh();
    const store = await db.open();
    const { record, bundle } = await acceptSubmission(store);
    const target = open(db.config.dataDir);
    await expect(target.deliver('../../etc/passwd', json(bundle))).rejects.toThrow(/unexpected submission id/);
    await target.close!();
    await expect(target.deliver(record.id, json(bundle))).rejects.toThrow(/closed/);
    expect(readDevSinkJournal(db.config.dataDir)).toEqual([]);
  });
});
