/**
 * Child process of the durability test: opens the store named by argv[2] (JSON StoreConfig),
 * inserts one accepted submission, prints "committed <id>" once insertAccepted has resolved, and
 * then waits to be killed with SIGKILL (no close, no flush, no graceful anything).
 */
import { openStore, type StoreConfig } from '../../src/store';
import { makeRecord, payloadFor } from './records';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as StoreConfig;
  const store = await openStore(config);
  const record = makeRecord();
  await store.insertAccepted(record, payloadFor(record));
  process.stdout.write(`committed ${record.id}\n`);
  setInterval(() => undefined, 60_000);
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
