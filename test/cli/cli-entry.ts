// Runs the real CLI dispatcher from the TypeScript sources (spawned by the CLI tests through
// @swc-node/register), so the tests need no build step.
import { main } from '../../src/cli/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`ngc-gateway: ${err.message}\n`);
    process.exitCode = 2;
  },
);
