/**
 * `npm run build:ig`: renders the implementation guide offline into implementation-guide/site/
 * (served by the gateway at /ig/). No network: everything comes from the repository.
 */
import * as path from 'node:path';
import { buildSite } from '../src/ig/site';
import { REPO_ROOT } from '../src/ig/package';

const outDir = path.join(REPO_ROOT, 'implementation-guide', 'site');
const started = Date.now();
try {
  const r = buildSite({ outDir });
  console.log(
    `implementation guide: ${r.files.length} files in ${path.relative(process.cwd(), outDir) || '.'} ` +
      `(${r.profiles} profiles, ${r.valueSets} value sets, ${r.codeSystems} code systems, ${r.rules} rules, ${r.examples} examples) in ${Date.now() - started} ms`,
  );
} catch (err) {
  console.error(`build:ig failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
