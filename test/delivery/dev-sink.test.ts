import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDeliveryWorker, createDevSinkTarget, createTargetFromEnv } from '../../src/delivery';
import { createHarness } from '../store/engines';
import { acceptSubmission } from './bundles';

describe('local development sink', () => {
  const harness = createHarness('sqlite');
  afterEach(() => harness.cleanup());

  it('is refused with a clear error when NODE_ENV=production', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-sink-'));
    expect(() => createDevSinkTarget(dir, 'production')).toThrow(
      'NGC_DATABASE_URL is not set and NODE_ENV=production: refusing to deliver accepted reports to the local development sink',
    );
    expect(() => createTargetFromEnv({ dataDir: dir, nodeEnv: 'production' })).toThrow(/refusing/);
    expect(fs.existsSync(path.join(dir, 'dev-sink'))).toBe(false);
  });

  it('receives accepted submissions in a labelled folder, one file per submission however often sent', async () => {
    const db = await harness.fresh();
    const store = await db.open();
    const target = createTargetFromEnv({ dataDir: db.config.dataDir, nodeEnv: 'development' });
    expect(target.description).toMatch(/^LOCAL DEVELOPMENT SINK in .*dev-sink \(not the National Genome Database\)$/);
    const { record } = await acceptSubmission(store);
    const worker = createDeliveryWorker({ store, target });
    expect(await worker.runOnce()).toBe(1);
    const dir = path.join(db.config.dataDir, 'dev-sink');
    expect(fs.readFileSync(path.join(dir, 'README.txt'), 'utf8')).toMatch(/NOT THE NATIONAL GENOME DATABASE/);
    const file = path.join(dir, `${record.id}.json`);
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(written.resourceType).toBe('Bundle');
    expect(written.entry[0].request.ifNoneExist).toMatch(/^_tag=http:\/\/ngc\.dk\/fhir\/genomics\/delivery-key\|urn:uuid:/);
    const sub = await store.getSubmission(record.id);
    expect(sub?.status).toBe('delivered');
    expect(sub?.delivery?.response?.location).toBe(`file://${file}`);
    await target.deliver(record.id, written);
    expect(fs.readdirSync(dir).sort()).toEqual(['README.txt', `${record.id}.json`].sort());
  });

  it('leaves only whole files: concurrent sends of one submission and of many, and no temporary file after a crash', async () => {
    const db = await harness.fresh();
    const store = await db.open();
    const dir = path.join(db.config.dataDir, 'dev-sink');
    fs.mkdirSync(dir, { recursive: true });
    // What a gateway killed mid-write leaves behind: a temporary file with part of a Bundle.
    fs.writeFileSync(path.join(dir, `${crypto.randomUUID()}.json.4242-1.tmp`), '{"resourceType":"Bun');
    const target = createDevSinkTarget(db.config.dataDir, 'development');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const subs = await Promise.all(Array.from({ length: 30 }, () => acceptSubmission(store)));
    const twice = subs[0];
    await Promise.all([
      ...subs.map((s) => target.deliver(s.record.id, s.bundle)),
      target.deliver(twice.record.id, twice.bundle),
      target.deliver(twice.record.id, twice.bundle),
    ]);
    const files = fs.readdirSync(dir).filter((f) => f !== 'README.txt').sort();
    expect(files).toEqual(subs.map((s) => `${s.record.id}.json`).sort());
    for (const s of subs) expect(JSON.parse(fs.readFileSync(path.join(dir, `${s.record.id}.json`), 'utf8'))).toEqual(s.bundle);
  });
});
