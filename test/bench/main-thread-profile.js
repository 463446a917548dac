/**
 * CPU profile of the gateway's main thread under the benchmark. Node refuses --cpu-prof in
 * NODE_OPTIONS, so this is loaded with --require instead:
 *
 *   BENCH_NODE_OPTIONS="--require ./test/bench/main-thread-profile.js" npm run bench:http
 *
 * The profile (Chrome DevTools format) is written when the gateway exits, as
 * ngc-gateway-main-<pid>.cpuprofile in the temp directory. Worker threads load the file too and
 * are left alone.
 */
const inspector = require('node:inspector');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    // A same-thread inspector session answers synchronously, so this still runs inside 'exit'.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      const file = path.join(os.tmpdir(), `ngc-gateway-main-${process.pid}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(result.profile));
      process.stderr.write(`main-thread CPU profile: ${file}\n`);
    });
  });
}
