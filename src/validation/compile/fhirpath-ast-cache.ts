/**
 * Parsed FHIRPath expressions, kept on disk beside the definitions cache. fhirpath.js's ANTLR parser
 * costs 5-60 ms an expression (the first parse of a process the most, ~0.2 s more to load the
 * library) and every validation of a report meets the same invariants: a parse is paid once per
 * installation instead of on the first validation of every process. One small file per expression,
 * written atomically, so that concurrent processes (CLI runs, pool workers) never see half a file;
 * any cache problem only means parsing again.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir } from '../definitions/cache';
import { fhirpathJs } from './fhirpath-lib';

/** Bump when what is stored changes. */
const FORMAT = 1;

let dir: string | null | undefined;

/** The directory for this fhirpath.js version (its ASTs may change between versions); null: no cache. */
function astDir(): string | null {
  if (dir !== undefined) return dir;
  dir = null;
  if (process.env.NGC_DEFINITIONS_CACHE === 'off') return dir;
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('fhirpath')), '..', 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') dir = path.join(cacheDir(), 'fhirpath-ast', `${FORMAT}-${pkg.version.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  } catch {
    // unknown library version: never reuse an AST that might not be this version's
  }
  return dir;
}

/** fhirpath.js's AST of the expression (throws its parse error, as fhirpath.parse does). */
export function parseFhirpath(expression: string): unknown {
  const where = astDir();
  const file = where && path.join(where, `${createHash('sha256').update(expression).digest('hex').slice(0, 40)}.json`);
  if (file) {
    try {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { expression?: unknown; ast?: unknown };
      if (stored.expression === expression && stored.ast !== undefined) return stored.ast;
    } catch {
      // not parsed yet (or unreadable): parse below
    }
  }
  const ast: unknown = fhirpathJs().parse(expression);
  if (file && where) {
    try {
      fs.mkdirSync(where, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ expression, ast }));
      fs.renameSync(tmp, file);
    } catch {
      // a read-only installation still works, only parses in every process
    }
  }
  return ast;
}
