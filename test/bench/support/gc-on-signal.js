'use strict';
/**
 * Preloaded into the gateway by `npm run bench:http` (with --expose-gc), never in production: a
 * SIGUSR2 runs a full garbage collection in every isolate of the process (the main thread, and the
 * validation and checkpoint workers, which load this file too), so the bench can read the live heap
 * and the RSS that remains, instead of garbage V8 had not got round to collecting yet. Signals
 * reach the main thread only; it passes the request on to the workers over a BroadcastChannel.
 */
const { BroadcastChannel, isMainThread } = require('node:worker_threads');

if (typeof global.gc === 'function') {
  const channel = new BroadcastChannel('ngc-bench-gc');
  // Must not keep a worker (or the gateway) alive on its own.
  channel.unref();
  if (isMainThread) {
    process.on('SIGUSR2', () => {
      channel.postMessage('gc');
      global.gc();
    });
  } else {
    channel.onmessage = () => global.gc();
  }
}
