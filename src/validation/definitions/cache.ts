/**
 * A file cache for parsed, trimmed definitions. Start-up matters (CLI runs, restarts, scaling
 * out): the base R4 files and the Extensions Pack are ~90 MB of JSON, more than half of it
 * narrative. What we keep is written once to node_modules/.cache/ngc-gateway (or
 * $NGC_DEFINITIONS_CACHE) and read back while its sources are unchanged. Any cache problem
 * (read-only file system, corrupt or stale file) only means building from the sources again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bump when what is kept or trimmed changes, so that old cache files are ignored. */
const CACHE_FORMAT = 3;

/**
 * JSON with every non-ASCII character escaped. One non-ASCII character (a '≥' in a definition) makes
 * the whole file a two-byte string when read: twice the memory of the text, a slower JSON.parse, and
 * tens of MB more start-up garbage for the first major GC to mark around.
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Where cached definitions (and parsed FHIRPath expressions) live. */
export function cacheDir(): string {
  return process.env.NGC_DEFINITIONS_CACHE ?? path.resolve(__dirname, '..', '..', '..', 'node_modules', '.cache', 'ngc-gateway');
}

function stamp(file: string): string {
  const st = fs.statSync(file);
  return `${path.resolve(file)}:${st.size}:${st.mtimeMs}`;
}

export function cached<T>(name: string, sources: string[], build: () => T): T {
  if (process.env.NGC_DEFINITIONS_CACHE === 'off') return build();
  const key = JSON.stringify([CACHE_FORMAT, ...sources.map(stamp)]);
  const file = path.join(cacheDir(), `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  try {
    const raw = fs.readFileSync(file, 'utf8');
    const newline = raw.indexOf('\n');
    if (raw.slice(0, newline) === key) return JSON.parse(raw.slice(newline + 1)) as T;
  } catch {
    // no usable cache: build it below
  }
  const value = build();
  try {
    fs.mkdirSync(cacheDir(), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${key}\n${asciiJson(value)}`);
    fs.renameSync(tmp, file);
  } catch {
    // a read-only installation still works, only slower to start
  }
  return value;
}

/** Narratives are never validated against; dropping them halves what must be parsed. */
export function withoutNarrative<T extends { text?: unknown }>(resource: T): T {
  delete resource.text;
  return resource;
}
