/**
 * The gateway is started in three places: the README's start command (package.json `start`), the
 * image (Dockerfile CMD), and the tests and benchmarks (spawnServe). Node's flags must be the same
 * in all three, or the benchmarks measure a process production does not run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../http/support/gateway-process';

const ROOT = path.join(__dirname, '..', '..');

describe('how the gateway is started', () => {
  it('gives V8 one background thread per core but one', () => {
    expect(GATEWAY_NODE_FLAGS).toContain('--v8-pool-size=0');
  });

  it('runs the start command with the same node flags as the tests and benchmarks', () => {
    const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
    const serve = start.split('&&').map((s) => s.trim()).pop();
    expect(serve).toBe(['node', ...GATEWAY_NODE_FLAGS, 'bin/ngc-gateway.js', 'serve'].join(' '));
  });

  it('runs the image with the same node flags', () => {
    const cmds = fs
      .readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('CMD '));
    // The last CMD of the last stage is what the container runs (the HEALTHCHECK's CMD is indented).
    expect(JSON.parse(cmds[cmds.length - 1].slice(4))).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'bin/ngc-gateway.js', 'serve']);
  });
});
