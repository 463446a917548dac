/**
 * A delivery worker as a process of its own, for the SIGKILL tests: argv[2] is JSON
 * `{ store: StoreConfig, targetUrl, workerId }`. Prints "started" once the worker runs.
 */
import { createDeliveryWorker, createNgcDatabaseTarget } from '../../src/delivery';
import { openStore, type StoreConfig } from '../../src/store';

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as { store: StoreConfig; targetUrl: string; workerId: string };
  const store = await openStore(args.store);
  const worker = createDeliveryWorker({
    store,
    target: createNgcDatabaseTarget(args.targetUrl, { timeoutMs: 20_000 }),
    options: { workerId: args.workerId, pollIntervalMs: 50, baseDelayMs: 50, maxDelayMs: 500 },
  });
  worker.start();
  process.stdout.write('started\n');
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
