/**
 * A stand-in for the National Genome Database on a developer's machine (no NGC_DATABASE_URL): each
 * delivered Bundle is written to `<DATA_DIR>/dev-sink/<submissionId>.json`, next to a README that
 * says what the folder is. Writing the same submission again replaces its file, so redelivery
 * leaves one copy, as the real database's conditional creates do. Refused in production, where
 * "delivered" must mean the national database has it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Bundle } from 'fhir/r4';
import type { DeliveryResult, NgcDatabaseTarget } from './types';

export const DEV_SINK_DIR = 'dev-sink';

const README = `LOCAL DEVELOPMENT SINK - NOT THE NATIONAL GENOME DATABASE

The NGC gateway writes accepted submissions here because NGC_DATABASE_URL is not set.
Nothing in this folder has been reported to the National Genome Database.
One file per submission: <submission id>.json, the transaction Bundle as it would have been sent.
The gateway refuses to use this sink when NODE_ENV=production.
`;

function writeFileSynced(file: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => fs.writeFile(file, data, { flush: true }, (err) => (err ? reject(err) : resolve())));
}

export function createDevSinkTarget(dataDir: string, nodeEnv: string | undefined = process.env.NODE_ENV): NgcDatabaseTarget {
  if (nodeEnv === 'production') {
    throw new Error(
      'NGC_DATABASE_URL is not set and NODE_ENV=production: refusing to deliver accepted reports to the local development sink',
    );
  }
  const dir = path.resolve(dataDir, DEV_SINK_DIR);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.txt'), README);
  // A gateway killed mid-write leaves its temporary file behind; never a delivery, so it goes.
  for (const name of fs.readdirSync(dir)) if (name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
  let writes = 0;

  return {
    description: `LOCAL DEVELOPMENT SINK in ${dir} (not the National Genome Database)`,
    async deliver(submissionId: string, bundle: Bundle): Promise<DeliveryResult> {
      if (!/^[A-Za-z0-9-]{1,64}$/.test(submissionId)) throw new Error(`unexpected submission id '${submissionId}'`);
      const file = path.join(dir, `${submissionId}.json`);
      // Its own temporary name per write: two sends of one submission at once (a lease that ran out
      // mid-send) must not write into the same file.
      const tmp = `${file}.${process.pid}-${++writes}.tmp`;
      // Write, fsync, rename: a crash (of the process or the machine) leaves either no file or the
      // whole Bundle, never part of one; and once the gateway records the delivery, the file is on
      // disk, as a report is in the national database once it answered. The fsync runs on libuv's
      // threads, in parallel for the sends in flight; measured (npm run bench:delivery) it costs
      // no delivery throughput here. Callback fs calls (writeFile's `flush` is the fsync), not
      // FileHandle promises: the event loop pays for every step, and these cost it least. The
      // Bundle is written as it would be sent: compact JSON.
      await writeFileSynced(tmp, JSON.stringify(bundle));
      await fs.promises.rename(tmp, file);
      return { status: 200, location: `file://${file}` };
    },
  };
}
