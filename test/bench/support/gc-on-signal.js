'use strict';
/**
 * Preloaded into the gateway by `npm run bench:http` (with --expose-gc), never in production: a
 * SIGUSR2 runs a full garbage collection of the main thread, so the bench can read the live heap
 * and the RSS that remains, instead of garbage V8 had not got round to collecting yet.
 */
if (typeof global.gc === 'function') process.on('SIGUSR2', () => global.gc());
