/**
 * `npm run build:ig`: renders the implementation guide offline into implementation-guide/site/
 * (served by the gateway at /ig/). No network: everything comes from the repository.
 */
import * as path from 'node:path';
import { buildSite } from '../src/ig/site';
import { REPO_ROOT } from '../src/ig/package';
import { createSubmissionValidator } from '../src/submission';

const outDir = path.join(REPO_ROOT, 'implementation-guide', 'site');
const started = Date.now();
try {
  // The examples are shown with the verdict of the very engine and rules the gateway runs.
  const validator = createSubmissionValidator();
  const r = buildSite({ outDir, judge: (body, now) => validator.validateBytes(body, now) });
  console.log(
    `implementation guide: ${r.files.length} files in ${path.relative(process.cwd(), outDir) || '.'} ` +
      `(${r.profiles} profiles, ${r.valueSets} value sets, ${r.codeSystems} code systems, ${r.rules} rules, ${r.examples} examples) in ${Date.now() - started} ms`,
  );
  // The guide shows the real answers either way; a difference is for the examples' owners to look at.
  for (const m of r.verdictMismatches) console.warn(`warning: example verdict differs: ${m}`);
} catch (err) {
  console.error(`build:ig failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
