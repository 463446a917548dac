import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store';
import { makeRecord, payloadFor } from './records';

// Callers' tests may fake timers; the SQLite group commit must still flush.
it('commits SQLite writes while jest fakes the timers', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngc-fake-timers-'));
  const store = await openStore({ dataDir });
  jest.useFakeTimers();
  try {
    const r = makeRecord();
    await store.insertAccepted(r, payloadFor(r));
    expect((await store.getSubmission(r.id))?.status).toBe('accepted');
  } finally {
    jest.useRealTimers();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
