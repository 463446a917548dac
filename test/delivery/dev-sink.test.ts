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
});
