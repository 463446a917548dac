/**
 * `npm run bench:delivery`: the delivery side alone, in this process, with the real store and the
 * real target, so its cost can be judged apart from intake on a machine shared with others.
 *
 * Two runs, each on a fresh database:
 * - drain: BENCH_ROWS accepted submissions (the typical valid example Bundle, stored as the intake stores it: the transaction made idempotent) are stored first,
 *   then one worker delivers them all. Reports deliveries per second and, the figure that does
 *   not depend on what else the machine runs, CPU milliseconds (all threads of this process) per
 *   delivered submission.
 * - steady: submissions are stored at BENCH_RATE per second (the intake target) for BENCH_SECONDS
 *   while the worker runs; reports the outbox depth each second. Delivery keeps up when the depth
 *   stays bounded and is back near zero at the end.
 *
 * BENCH_STORE=sqlite (default) | postgres (TEST_DATABASE_URL or the local ngc_test database, in a
 * schema of its own, dropped afterwards). BENCH_TARGET=dev-sink (default) | fake (the fake
 * National Genome Database of the e2e tests, as its own process on loopback).
 * DELIVERY_CONCURRENCY is passed to the worker as the gateway's `serve` would.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Bundle } from 'fhir/r4';
import { createDeliveryWorker, createDevSinkTarget, createNgcDatabaseTarget, transactionBytes, type NgcDatabaseTarget } from '../../src/delivery';
import { PostgresStore, SqliteStore, type GatewayStore } from '../../src/store';
import { makeRecord } from '../store/records';
import { readExample } from '../http/support/gateway-process';
import { startFakeNgcDatabase, type FakeNgcDatabase } from '../support/fake-ngc-database';

const ROWS = Number(process.env.BENCH_ROWS ?? 2000);
const RATE = Number(process.env.BENCH_RATE ?? 300);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const STORE = process.env.BENCH_STORE ?? 'sqlite';
const TARGET = process.env.BENCH_TARGET ?? 'dev-sink';
const CONCURRENCY = process.env.DELIVERY_CONCURRENCY ? Number(process.env.DELIVERY_CONCURRENCY) : undefined;
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://ngc:ngc@127.0.0.1:5432/ngc_test';

const example = JSON.parse(readExample('wgs-germline-positive.json').toString()) as { identifier: { system: string; value: string } };

interface Fixture {
  store: GatewayStore;
  target: NgcDatabaseTarget;
  done(): Promise<void>;
}

async function fixture(fake: FakeNgcDatabase | undefined): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-bench-delivery-'));
  let store: GatewayStore;
  let schema: string | undefined;
  if (STORE === 'postgres') {
    schema = `bench_${crypto.randomBytes(4).toString('hex')}`;
    store = new PostgresStore({ connectionString: PG_URL, schema });
  } else {
    store = new SqliteStore({ file: path.join(dir, 'gateway.sqlite') });
  }
  await store.migrate();
  const target = fake ? createNgcDatabaseTarget(fake.url, { timeoutMs: 30_000 }) : createDevSinkTarget(dir, 'development');
  return {
    store,
    target,
    async done() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
      if (schema) {
        const admin = new Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
      }
    },
  };
}

/** Stores a submission as `POST /fhir` does: the transaction made idempotent for its id at intake. */
function accept(store: GatewayStore): Promise<void> {
  const value = `bench-${crypto.randomUUID()}`;
  const bundle = structuredClone({ ...example, identifier: { ...example.identifier, value } }) as unknown as Bundle;
  const record = makeRecord({ bundleIdentifier: { system: example.identifier.system, value } });
  const payload = transactionBytes(bundle, record.id);
  return store.insertAccepted({ ...record, sizeBytes: payload.length }, payload, undefined, 'transaction');
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/** Resolves once the delivery worker has emptied the outbox. */
async function outboxDrained(store: { outboxDepth(): Promise<number> }): Promise<void> {
  while ((await store.outboxDepth()) > 0) await new Promise((r) => setTimeout(r, 20));
}

async function drain(fake: FakeNgcDatabase | undefined): Promise<void> {
  const f = await fixture(fake);
  try {
    for (let i = 0; i < ROWS; i += 200) await Promise.all(Array.from({ length: Math.min(200, ROWS - i) }, () => accept(f.store)));
    const worker = createDeliveryWorker({ store: f.store, target: f.target, options: { concurrency: CONCURRENCY, pollIntervalMs: 50 } });
    const cpu = process.cpuUsage();
    const started = Date.now();
    worker.start();
    await outboxDrained(f.store);
    const wallMs = Date.now() - started;
    const used = cpuMs(cpu);
    await worker.stop();
    console.log(
      JSON.stringify({
        run: 'drain',
        store: STORE,
        target: TARGET,
        rows: ROWS,
        deliveredPerSecond: Math.round((ROWS * 1000) / wallMs),
        cpuMsPerDelivery: Number((used / ROWS).toFixed(2)),
        wallMs,
      }),
    );
  } finally {
    await f.done();
  }
}

async function steady(fake: FakeNgcDatabase | undefined): Promise<void> {
  const f = await fixture(fake);
  try {
    const worker = createDeliveryWorker({ store: f.store, target: f.target, options: { concurrency: CONCURRENCY, pollIntervalMs: 200 } });
    worker.start();
    const depth: number[] = [];
    const cpu = process.cpuUsage();
    const started = Date.now();
    let stored = 0;
    // Submissions arrive in 20 ms ticks, as the intake of one gateway would commit them.
    const perTick = RATE / 50;
    let owed = 0;
    let nextSample = started + 1000;
    while (Date.now() - started < SECONDS * 1000) {
      owed += perTick;
      const now = Math.floor(owed) - stored;
      await Promise.all(Array.from({ length: now }, () => accept(f.store)));
      stored += now;
      if (Date.now() >= nextSample) {
        depth.push(await f.store.outboxDepth());
        nextSample += 1000;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const intakeMs = Date.now() - started;
    const atEnd = await f.store.outboxDepth();
    await outboxDrained(f.store);
    const used = cpuMs(cpu);
    await worker.stop();
    console.log(
      JSON.stringify({
        run: 'steady',
        store: STORE,
        target: TARGET,
        offeredPerSecond: RATE,
        storedPerSecond: Math.round((stored * 1000) / intakeMs),
        outboxDepthPerSecond: depth,
        outboxDepthMax: Math.max(...depth),
        outboxDepthAtEnd: atEnd,
        drainAfterEndMs: Date.now() - started - intakeMs,
        // Includes the cost of storing the submissions (the intake side of the store).
        cpuMsPerSubmission: Number((used / stored).toFixed(2)),
      }),
    );
  } finally {
    await f.done();
  }
}

async function main(): Promise<void> {
  const fake = TARGET === 'fake' ? await startFakeNgcDatabase({}) : undefined;
  try {
    if (process.env.BENCH_RUNS !== 'steady') await drain(fake);
    if (process.env.BENCH_RUNS !== 'drain') await steady(fake);
  } finally {
    await fake?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
