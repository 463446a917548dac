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

export function createDevSinkTarget(dataDir: string, nodeEnv: string | undefined = process.env.NODE_ENV): NgcDatabaseTarget {
  if (nodeEnv === 'production') {
    throw new Error(
      'NGC_DATABASE_URL is not set and NODE_ENV=production: refusing to deliver accepted reports to the local development sink',
    );
  }
  const dir = path.resolve(dataDir, DEV_SINK_DIR);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.txt'), README);

  return {
    description: `LOCAL DEVELOPMENT SINK in ${dir} (not the National Genome Database)`,
    async deliver(submissionId: string, bundle: Bundle): Promise<DeliveryResult> {
      if (!/^[A-Za-z0-9-]{1,64}$/.test(submissionId)) throw new Error(`unexpected submission id '${submissionId}'`);
      const file = path.join(dir, `${submissionId}.json`);
      const tmp = `${file}.${process.pid}.tmp`;
      // Write, fsync, rename: a crash leaves either the old file or the whole new one.
      const fd = await fs.promises.open(tmp, 'w');
      try {
        await fd.writeFile(JSON.stringify(bundle, null, 2));
        await fd.sync();
      } finally {
        await fd.close();
      }
      await fs.promises.rename(tmp, file);
      return { status: 200, location: `file://${file}` };
    },
  };
}
